package io.moerec.moe.model;

import io.moerec.moe.math.TopN;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.function.IntPredicate;

/**
 * A sparse item-to-item model: for each item j its neighbours i with weights w(j → i), best first
 * (EASE's top M weights per item, see {@link EaseModel#sparsify}, or cosine neighbours). Candidates for
 * a user come from their recent watches, each weighted by recency: {@code score(i) = Σⱼ 0.5^(ageⱼ/h)·w(j
 * → i)}, age in events counted back from the newest watch (0 for the newest). Immutable; costs
 * recent × M multiply-adds per call.
 */
public final class ItemToItem {

    private final int[][] neighbours;
    private final float[][] weights;

    /** Copies the lists; every neighbour must be an item of the model. */
    public ItemToItem(int[][] neighbours, float[][] weights) {
        if (neighbours.length != weights.length) {
            throw new IllegalArgumentException("neighbour and weight lists differ in number");
        }
        for (int j = 0; j < neighbours.length; j++) {
            if (neighbours[j].length != weights[j].length) {
                throw new IllegalArgumentException("neighbour list " + j + " and its weights differ in length");
            }
            for (int i : neighbours[j]) {
                if (i < 0 || i >= neighbours.length) {
                    throw new IllegalArgumentException("neighbour " + i + " of item " + j + " is outside the model");
                }
            }
        }
        this.neighbours = Arrays.stream(neighbours).map(int[]::clone).toArray(int[][]::new);
        this.weights = Arrays.stream(weights).map(float[]::clone).toArray(float[][]::new);
    }

    /**
     * EASE fitted on each user's watched items (dense indices in [0, items)) with regularisation
     * {@code lambda}, kept to each item's {@code m} largest positive weights.
     */
    public static ItemToItem ease(Collection<int[]> userItems, int items, double lambda, int m) {
        return EaseModel.fit(userItems, items, lambda).sparsify(m);
    }

    /** The cosine neighbour lists of {@link ItemNeighbours} as an item-to-item model. */
    public static ItemToItem of(ItemNeighbours knn) {
        int n = knn.movies();
        int[][] nb = new int[n][];
        float[][] w = new float[n][];
        for (int j = 0; j < n; j++) {
            nb[j] = knn.neighbours(j);
            double[] s = knn.similarities(j);
            w[j] = new float[s.length];
            for (int x = 0; x < s.length; x++) {
                w[j][x] = (float) s[x];
            }
        }
        return new ItemToItem(nb, w);
    }

    /** The same model keeping at most {@code m} neighbours per item (the lists are best first). */
    public ItemToItem truncate(int m) {
        int[][] nb = new int[neighbours.length][];
        float[][] w = new float[neighbours.length][];
        for (int j = 0; j < nb.length; j++) {
            int keep = Math.min(m, neighbours[j].length);
            nb[j] = Arrays.copyOf(neighbours[j], keep);
            w[j] = Arrays.copyOf(weights[j], keep);
        }
        return new ItemToItem(nb, w);
    }

    public int items() {
        return neighbours.length;
    }

    public int[] neighbours(int item) {
        return neighbours[item].clone();
    }

    public float[] weights(int item) {
        return weights[item].clone();
    }

    /** The neighbour list of {@code item} itself, not a copy: callers in this package only read it. */
    int[] neighbourList(int item) {
        return neighbours[item];
    }

    /** The weights of {@link #neighbourList}, not a copy. */
    float[] weightList(int item) {
        return weights[item];
    }

    /** Stored (neighbour, weight) pairs over all items: 8 bytes each. */
    public long storedWeights() {
        long n = 0;
        for (int[] nb : neighbours) {
            n += nb.length;
        }
        return n;
    }

    /**
     * Recency weights of a watch list ordered oldest to newest: 0.5^(age/h) with age = length − 1 −
     * position; an infinite half-life weighs every watch 1.
     */
    public static double[] recencyWeights(int length, double halfLife) {
        if (!(halfLife > 0)) {
            throw new IllegalArgumentException("half-life must be positive, got " + halfLife);
        }
        double[] w = new double[length];
        for (int p = 0; p < length; p++) {
            w[p] = Double.isInfinite(halfLife) ? 1.0 : Math.pow(0.5, (length - 1 - p) / halfLife);
        }
        return w;
    }

    /**
     * Adds Σ weights[x]·w(profile[x] → i) into {@code out[i]} (length {@link #items()}); negative
     * profile entries (unknown items) are skipped.
     */
    public void score(int[] profile, double[] profileWeights, double[] out) {
        for (int x = 0; x < profile.length; x++) {
            int j = profile[x];
            if (j < 0) {
                continue;
            }
            int[] nb = neighbours[j];
            float[] w = weights[j];
            double pw = profileWeights[x];
            for (int y = 0; y < nb.length; y++) {
                out[nb[y]] += pw * w[y];
            }
        }
    }

    /**
     * One candidate: its item, its score at each requested half-life (the first ranks), and the
     * recent watch that contributed most to the first score ("because you watched").
     */
    public record Candidate(int item, double[] scores, int because) {
    }

    /**
     * Per-thread working memory of {@link #candidates}: catalog-size arrays that a call leaves cleared,
     * so one scratch serves any number of calls of one thread (not thread-safe).
     */
    public static final class Scratch {
        private final double[][] acc;
        private final double[] bestContribution;
        private final int[] because;
        private final int[] touched;
        private final boolean[] mark;
        /** Recent items already met, walking newest to oldest. */
        private final boolean[] met;

        /** Scratch for a model of {@code items} items and {@code halfLives} half-lives. */
        public Scratch(int items, int halfLives) {
            acc = new double[halfLives][items];
            bestContribution = new double[items];
            because = new int[items];
            touched = new int[items];
            mark = new boolean[items];
            met = new boolean[items];
        }

        boolean fits(int items, int halfLives) {
            return acc.length == halfLives && mark.length == items;
        }
    }

    /**
     * The top {@code c} candidates for a user's recent watches ({@code recent}: dense indices, oldest
     * first; negative entries are unknown items and skipped; a repeated item counts at its newest
     * position). Scored at every half-life in {@code halfLives} and ranked by the first (ties to the
     * lower index); items for which {@code excluded} holds, and items with no positive score, are left
     * out. Allocates its catalog-size scratch; see the other form for a reusable one.
     */
    public List<Candidate> candidates(int[] recent, double[] halfLives, IntPredicate excluded, int c) {
        return candidates(recent, halfLives, excluded, c, new Scratch(neighbours.length, halfLives.length));
    }

    /** As {@link #candidates(int[], double[], IntPredicate, int)} with the caller's scratch. */
    public List<Candidate> candidates(int[] recent, double[] halfLives, IntPredicate excluded, int c, Scratch scratch) {
        if (halfLives.length == 0) {
            throw new IllegalArgumentException("at least one half-life is needed");
        }
        if (!scratch.fits(neighbours.length, halfLives.length)) {
            throw new IllegalArgumentException("scratch for another model size or number of half-lives");
        }
        int n = recent.length;
        double[][] rw = new double[halfLives.length][];
        for (int h = 0; h < halfLives.length; h++) {
            rw[h] = recencyWeights(n, halfLives[h]);
        }
        // Newest occurrence of each item only: walk newest to oldest and skip items seen already.
        boolean[] use = new boolean[n];
        boolean[] met = scratch.met;
        for (int p = n - 1; p >= 0; p--) {
            use[p] = recent[p] >= 0 && !met[recent[p]];
            if (use[p]) {
                met[recent[p]] = true;
            }
        }
        for (int p = 0; p < n; p++) {
            if (recent[p] >= 0) {
                met[recent[p]] = false;
            }
        }
        double[][] acc = scratch.acc;
        double[] bestContribution = scratch.bestContribution;
        int[] because = scratch.because;
        int[] touched = scratch.touched;
        boolean[] mark = scratch.mark;
        int t = 0;
        for (int p = 0; p < n; p++) {
            if (!use[p]) {
                continue;
            }
            int j = recent[p];
            int[] nb = neighbours[j];
            float[] w = weights[j];
            for (int y = 0; y < nb.length; y++) {
                int i = nb[y];
                if (!mark[i]) {
                    mark[i] = true;
                    touched[t++] = i;
                    because[i] = -1;
                }
                for (int h = 0; h < halfLives.length; h++) {
                    acc[h][i] += rw[h][p] * w[y];
                }
                double contribution = rw[0][p] * w[y];
                if (because[i] < 0 || contribution > bestContribution[i]) {
                    bestContribution[i] = contribution;
                    because[i] = j;
                }
            }
        }
        TopN top = new TopN(Math.max(1, c));
        for (int x = 0; x < t; x++) {
            int i = touched[x];
            if (acc[0][i] > 0 && !excluded.test(i)) {
                top.offer(acc[0][i], i);
            }
        }
        int[] order = new int[top.size()];
        int k = top.drainBestFirst(order, new double[order.length]);
        List<Candidate> out = new ArrayList<>(k);
        for (int x = 0; x < Math.min(k, c); x++) {
            int i = order[x];
            double[] s = new double[halfLives.length];
            for (int h = 0; h < s.length; h++) {
                s[h] = acc[h][i];
            }
            out.add(new Candidate(i, s, because[i]));
        }
        for (int x = 0; x < t; x++) {
            int i = touched[x];
            mark[i] = false;
            bestContribution[i] = 0;
            for (double[] a : acc) {
                a[i] = 0;
            }
        }
        return out;
    }

    /** Indices of the {@code m} largest positive entries of {@code row}, largest first, ties to the lower index. */
    static int[] topPositive(double[] row, int m) {
        TopN top = new TopN(m);
        for (int i = 0; i < row.length; i++) {
            if (row[i] > 0) {
                top.offer(row[i], i);
            }
        }
        int[] idx = new int[top.size()];
        top.drainBestFirst(idx, new double[idx.length]);
        return idx;
    }
}
