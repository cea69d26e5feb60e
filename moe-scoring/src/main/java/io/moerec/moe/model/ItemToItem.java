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
     * Per-thread working memory of {@link #select}, and where it leaves its result: catalog-size arrays
     * that a call leaves as it found them, so one scratch serves any number of calls of one thread (not
     * thread-safe). Sized for a model of {@code items} items and a number of half-lives; the recency
     * weights are cached per half-life set and grown with the history length.
     */
    public static final class Scratch {
        private final int halfLives;
        /** Per item, its score at the first half-life (zero between calls). */
        private final double[] first;
        /** Per item, 1 if this call touched it (0 between calls). */
        private final byte[] mark;
        /** The items touched in this call, in first-touch order (one spare slot for the branch-free append). */
        private final int[] touched;
        /** Per item, 1 + its position among the found candidates, 0 for any other item (0 between calls). */
        private final int[] slot;
        /** Recent items already met, walking newest to oldest (false between calls). */
        private final boolean[] met;
        /** Positions of the recent list that count (an item's newest occurrence, known items only), newest first. */
        private int[] use = new int[0];
        /** The half-lives {@link #ageWeights} were computed for, and 0.5^(age/h) at {@code age·halfLives + h}. */
        private double[] weightsFor = new double[0];
        private double[] ageWeights = new double[0];
        /** The touched items with a positive first score, compacted: score, item and bucket at the same position. */
        private final double[] posScore;
        private final int[] posItem;
        private final int[] posBucket;
        /** Per bucket below the top score, how many positive items fall in it (zero between calls). */
        private final int[] bucketCount = new int[BUCKETS];
        /** Positions (into the compacted arrays) of the items of the buckets being ranked, best first. */
        private int[] order = new int[0];

        /** The result of the last {@link #select}: how many, best first. */
        private int found;
        private int[] foundItems = new int[0];
        private int[] foundBecause = new int[0];
        /** Per found candidate, its largest single contribution to the first score. */
        private double[] foundBest = new double[0];
        /** The found items' scores, candidate x at half-life h at {@code x·halfLives + h}. */
        private double[] foundScores = new double[0];

        /** Scratch for a model of {@code items} items and {@code halfLives} half-lives. */
        public Scratch(int items, int halfLives) {
            this.halfLives = halfLives;
            first = new double[items];
            mark = new byte[items];
            touched = new int[items + 1];
            slot = new int[items];
            met = new boolean[items];
            posScore = new double[items];
            posItem = new int[items];
            posBucket = new int[items];
        }

        boolean fits(int items, int halfLives) {
            return this.halfLives == halfLives && first.length == items;
        }

        /** Candidates found by the last {@link #select}. */
        public int found() {
            return found;
        }

        /** The dense index of found candidate {@code x} (0 is the best). */
        public int item(int x) {
            return foundItems[x];
        }

        /** The recent watch behind found candidate {@code x}. */
        public int because(int x) {
            return foundBecause[x];
        }

        /** The score of found candidate {@code x} at half-life {@code h}. */
        public double score(int x, int h) {
            return foundScores[x * halfLives + h];
        }

        /** Recency weights for ages 0 … n−1 at each half-life, computed once per half-life set and length. */
        private double[] ageWeights(double[] halfLivesWanted, int n) {
            if (!Arrays.equals(weightsFor, halfLivesWanted) || ageWeights.length < n * halfLives) {
                int ages = Math.max(n, ageWeights.length / halfLives);
                double[] w = new double[ages * halfLives];
                for (int h = 0; h < halfLives; h++) {
                    double[] byPosition = recencyWeights(ages, halfLivesWanted[h]);
                    for (int age = 0; age < ages; age++) {
                        w[age * halfLives + h] = byPosition[ages - 1 - age];
                    }
                }
                ageWeights = w;
                weightsFor = halfLivesWanted.clone();
            }
            return ageWeights;
        }

        private void ensureCapacity(int c) {
            if (foundItems.length != c) {
                foundItems = new int[c];
                foundBecause = new int[c];
                foundBest = new double[c];
                foundScores = new double[c * halfLives];
            }
        }

        /** The order buffer, grown to at least {@code n}. */
        private int[] order(int n) {
            if (order.length < n) {
                order = new int[Math.max(n, 2 * order.length)];
            }
            return order;
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
        int k = select(recent, halfLives, excluded, c, scratch);
        List<Candidate> out = new ArrayList<>(k);
        for (int x = 0; x < k; x++) {
            double[] s = new double[halfLives.length];
            for (int h = 0; h < s.length; h++) {
                s[h] = scratch.score(x, h);
            }
            out.add(new Candidate(scratch.item(x), s, scratch.because(x)));
        }
        return out;
    }

    /**
     * The candidates of {@link #candidates(int[], double[], IntPredicate, int, Scratch)}, left in
     * {@code scratch} ({@link Scratch#item}, {@link Scratch#score}, {@link Scratch#because}) instead of
     * allocated per candidate; returns how many. Only the first half-life ranks, so a first pass sums
     * that score alone over every touched item and ranks the top c ({@link #rankFirst}), asking the
     * exclusion only of items that could be among them; a second pass over the same neighbour rows adds
     * the other half-lives' scores and the "because" watch for those c items only. Both passes walk the
     * watches oldest first and each row in order, so every sum is taken in the same order as a one-pass
     * sum would take it.
     */
    public int select(int[] recent, double[] halfLives, IntPredicate excluded, int c, Scratch scratch) {
        if (halfLives.length == 0) {
            throw new IllegalArgumentException("at least one half-life is needed");
        }
        if (!scratch.fits(neighbours.length, halfLives.length)) {
            throw new IllegalArgumentException("scratch for another model size or number of half-lives");
        }
        int n = recent.length;
        int hs = halfLives.length;
        double[] ageWeights = scratch.ageWeights(halfLives, n);
        int used = newestOccurrences(recent, scratch);
        int[] use = scratch.use;

        // Pass 1: the first half-life's score of every touched item.
        double[] first = scratch.first;
        byte[] mark = scratch.mark;
        int[] touched = scratch.touched;
        int t = 0;
        for (int u = used - 1; u >= 0; u--) {
            int p = use[u];
            double rw = ageWeights[(n - 1 - p) * hs];
            int[] nb = neighbours[recent[p]];
            float[] w = weights[recent[p]];
            for (int y = 0; y < nb.length; y++) {
                int i = nb[y];
                // Branch-free "list i once": whether i is new is unpredictable, a mispredicted branch costs more.
                touched[t] = i;
                t += 1 - mark[i];
                mark[i] = 1;
                first[i] += rw * w[y];
            }
        }
        // The touched items with a positive score, compacted (branch-free), and the top score.
        double[] posScore = scratch.posScore;
        int[] posItem = scratch.posItem;
        int positive = 0;
        double top = 0;
        for (int x = 0; x < t; x++) {
            int i = touched[x];
            double s = first[i];
            posScore[positive] = s;
            posItem[positive] = i;
            positive += s > 0 ? 1 : 0;
            top = s > top ? s : top;
            first[i] = 0;
            mark[i] = 0;
        }
        scratch.ensureCapacity(Math.max(1, c));
        int k = c > 0 ? rankFirst(positive, top, excluded, c, scratch) : 0;
        int[] items = scratch.foundItems;

        // Pass 2: every half-life's score and the top contributor, for the k candidates only.
        int[] slot = scratch.slot;
        double[] scores = scratch.foundScores;
        double[] best = scratch.foundBest;
        int[] because = scratch.foundBecause;
        Arrays.fill(scores, 0, k * hs, 0.0);
        Arrays.fill(because, 0, k, -1);
        for (int x = 0; x < k; x++) {
            slot[items[x]] = x + 1;
        }
        for (int u = used - 1; u >= 0; u--) {
            int p = use[u];
            int j = recent[p];
            int wBase = (n - 1 - p) * hs;
            if (hs == 4) {
                secondPass4(j, ageWeights[wBase], ageWeights[wBase + 1], ageWeights[wBase + 2], ageWeights[wBase + 3], slot,
                        scores, best, because);
            } else {
                secondPass(j, ageWeights, wBase, hs, slot, scores, best, because);
            }
        }
        for (int x = 0; x < k; x++) {
            slot[items[x]] = 0;
        }
        scratch.found = k;
        return k;
    }

    /** Buckets of the first score below the top one, by which {@link #rankFirst} ranks without a heap. */
    private static final int BUCKETS = 2048;
    /** Runs of one bucket longer than this are sorted by a heap sort, shorter ones by insertion. */
    private static final int INSERTION_RUN = 32;

    /**
     * Writes into {@code scratch.foundItems} the best {@code c} of the compacted positive items
     * ({@code posScore}, {@code posItem}) for which {@code excluded} does not hold, best first (higher
     * score, ties to the lower item), and returns how many. The items fall into {@link #BUCKETS}
     * equal-width buckets below the top score; a bucket index never decreases as the score falls (each
     * floating-point step of it is monotone; an infinite top score puts every item in bucket 0), so every
     * item of a bucket ranks before every item of a later bucket. Only the first buckets holding
     * c items are sorted exactly and asked the exclusion; the next buckets follow while exclusions leave
     * fewer than c.
     */
    private static int rankFirst(int positive, double top, IntPredicate excluded, int c, Scratch scratch) {
        double[] score = scratch.posScore;
        int[] item = scratch.posItem;
        int[] bucket = scratch.posBucket;
        int[] count = scratch.bucketCount;
        int[] out = scratch.foundItems;
        double scale = BUCKETS / top;
        for (int x = 0; x < positive; x++) {
            int b = Math.min(BUCKETS - 1, (int) ((top - score[x]) * scale));
            bucket[x] = b;
            count[b]++;
        }
        int taken = 0;
        int from = 0;
        while (taken < c && from < BUCKETS) {
            // The next buckets holding the c − taken items still wanted, or all that are left.
            int wanted = c - taken;
            int held = count[from];
            int to = from;
            while (held < wanted && to < BUCKETS - 1) {
                held += count[++to];
            }
            // Counting sort by bucket: count[b] becomes the start of bucket b's run, then its end.
            int start = 0;
            for (int b = from; b <= to; b++) {
                int m = count[b];
                count[b] = start;
                start += m;
            }
            int[] order = scratch.order(held);
            for (int x = 0; x < positive; x++) {
                int b = bucket[x];
                if (b >= from && b <= to) {
                    order[count[b]++] = x;
                }
            }
            int runStart = 0;
            for (int b = from; b <= to; b++) {
                int runEnd = count[b];
                if (runEnd - runStart > 1) {
                    sortRun(order, runStart, runEnd, score, item);
                }
                runStart = runEnd;
                count[b] = 0;
            }
            for (int r = 0; r < held && taken < c; r++) {
                int i = item[order[r]];
                if (!excluded.test(i)) {
                    out[taken++] = i;
                }
            }
            from = to + 1;
        }
        Arrays.fill(count, from, BUCKETS, 0);
        return taken;
    }

    /** Whether compacted item a ranks before b: higher score, ties to the lower item. */
    private static boolean before(int a, int b, double[] score, int[] item) {
        return score[a] > score[b] || (score[a] == score[b] && item[a] < item[b]);
    }

    /** Sorts {@code order[from, to)} best first by {@link #before}: insertion for short runs, a heap sort otherwise. */
    private static void sortRun(int[] order, int from, int to, double[] score, int[] item) {
        if (to - from <= INSERTION_RUN) {
            for (int r = from + 1; r < to; r++) {
                int v = order[r];
                int q = r - 1;
                while (q >= from && before(v, order[q], score, item)) {
                    order[q + 1] = order[q];
                    q--;
                }
                order[q + 1] = v;
            }
            return;
        }
        // A heap with the worst on top, so that popping it to the end leaves the run best first.
        int len = to - from;
        for (int r = len / 2 - 1; r >= 0; r--) {
            siftWorst(order, from, r, len, score, item);
        }
        for (int end = len - 1; end > 0; end--) {
            int v = order[from];
            order[from] = order[from + end];
            order[from + end] = v;
            siftWorst(order, from, 0, end, score, item);
        }
    }

    private static void siftWorst(int[] order, int base, int r, int len, double[] score, int[] item) {
        while (true) {
            int l = 2 * r + 1;
            if (l >= len) {
                return;
            }
            int worst = l + 1 < len && before(order[base + l], order[base + l + 1], score, item) ? l + 1 : l;
            if (!before(order[base + r], order[base + worst], score, item)) {
                return;
            }
            int v = order[base + r];
            order[base + r] = order[base + worst];
            order[base + worst] = v;
            r = worst;
        }
    }

    /**
     * The second pass over watch {@code j}'s row for four half-lives (the default), their weights
     * {@code a0}…{@code a3} in locals: read from the array they would be reloaded after every store.
     */
    private void secondPass4(int j, double a0, double a1, double a2, double a3, int[] slot, double[] scores, double[] best,
                             int[] because) {
        int[] nb = neighbours[j];
        float[] w = weights[j];
        for (int y = 0; y < nb.length; y++) {
            int x = slot[nb[y]] - 1;
            if (x < 0) {
                continue;
            }
            double wy = w[y];
            int row = x << 2;
            double contribution = a0 * wy;
            scores[row] += contribution;
            scores[row + 1] += a1 * wy;
            scores[row + 2] += a2 * wy;
            scores[row + 3] += a3 * wy;
            noteBecause(x, j, contribution, best, because);
        }
    }

    /** The second pass over watch {@code j}'s row for any number of half-lives (their weights at {@code wBase}). */
    private void secondPass(int j, double[] ageWeights, int wBase, int hs, int[] slot, double[] scores, double[] best,
                            int[] because) {
        int[] nb = neighbours[j];
        float[] w = weights[j];
        for (int y = 0; y < nb.length; y++) {
            int x = slot[nb[y]] - 1;
            if (x < 0) {
                continue;
            }
            int row = x * hs;
            for (int h = 0; h < hs; h++) {
                scores[row + h] += ageWeights[wBase + h] * w[y];
            }
            noteBecause(x, j, ageWeights[wBase] * w[y], best, because);
        }
    }

    /** Candidate {@code x}'s "because": the watch with the largest contribution to the first score; ties keep the older watch. */
    private static void noteBecause(int x, int j, double contribution, double[] best, int[] because) {
        if (because[x] < 0 || contribution > best[x]) {
            best[x] = contribution;
            because[x] = j;
        }
    }

    /**
     * Writes into {@code scratch.use} the positions of {@code recent} that count, newest first: known
     * items at their newest occurrence. Returns how many.
     */
    private static int newestOccurrences(int[] recent, Scratch scratch) {
        if (scratch.use.length < recent.length) {
            scratch.use = new int[recent.length];
        }
        int[] use = scratch.use;
        boolean[] met = scratch.met;
        int used = 0;
        for (int p = recent.length - 1; p >= 0; p--) {
            int j = recent[p];
            if (j >= 0 && !met[j]) {
                met[j] = true;
                use[used++] = p;
            }
        }
        for (int u = 0; u < used; u++) {
            met[recent[use[u]]] = false;
        }
        return used;
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
