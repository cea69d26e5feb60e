package io.moerec.moe.math;

/**
 * Keeps the n best (score, item) pairs seen, in a primitive binary min-heap, so that ranking a
 * catalog costs O(catalog · log n) and allocates two arrays. Higher score is better; ties go to the
 * lower item index, so that rankings are deterministic. Not thread-safe: one instance per request.
 */
public final class TopN {

    private final double[] scores;
    private final int[] items;
    private int size;

    public TopN(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("n must be ≥ 1, got " + n);
        }
        scores = new double[n];
        items = new int[n];
    }

    /** Whether (a, ia) ranks below (b, ib). */
    private static boolean worse(double a, int ia, double b, int ib) {
        return a < b || (a == b && ia > ib);
    }

    /**
     * Whether {@link #offer} would keep (score, item) now: the heap has room or the pair beats the
     * worst one kept. Lets a caller skip a costly test for pairs that would be dropped anyway.
     */
    public boolean accepts(double score, int item) {
        return size < scores.length || worse(scores[0], items[0], score, item);
    }

    public void offer(double score, int item) {
        if (size < scores.length) {
            int i = size++;
            scores[i] = score;
            items[i] = item;
            while (i > 0) {
                int p = (i - 1) >>> 1;
                if (!worse(scores[i], items[i], scores[p], items[p])) {
                    break;
                }
                swap(i, p);
                i = p;
            }
        } else if (worse(scores[0], items[0], score, item)) {
            scores[0] = score;
            items[0] = item;
            siftDownFromRoot();
        }
    }

    /** Restores the heap after the root was replaced: the worst of the kept n returns to the root. */
    private void siftDownFromRoot() {
        int i = 0;
        while (true) {
            int l = 2 * i + 1;
            int r = l + 1;
            int m = i;
            if (l < size && worse(scores[l], items[l], scores[m], items[m])) {
                m = l;
            }
            if (r < size && worse(scores[r], items[r], scores[m], items[m])) {
                m = r;
            }
            if (m == i) {
                return;
            }
            swap(i, m);
            i = m;
        }
    }

    private void swap(int a, int b) {
        double s = scores[a];
        scores[a] = scores[b];
        scores[b] = s;
        int t = items[a];
        items[a] = items[b];
        items[b] = t;
    }

    public int size() {
        return size;
    }

    /**
     * Drains the heap best first: writes items and scores into the arrays (length ≥ {@link #size()})
     * and returns how many. The heap is empty afterwards.
     */
    public int drainBestFirst(int[] outItems, double[] outScores) {
        int n = size;
        for (int k = n - 1; k >= 0; k--) {
            outItems[k] = items[0];
            outScores[k] = scores[0];
            size--;
            if (size > 0) {
                scores[0] = scores[size];
                items[0] = items[size];
                siftDownFromRoot();
            }
        }
        return n;
    }
}
