package io.moerec.moe.model;

/**
 * Signals of a candidate in the context of the user's recent watches that the first stage's summed
 * scores hide, {@link #COUNT} per candidate, each in [0, 1]:
 * <ol>
 * <li>{@code support}: the share of the distinct recent watches whose neighbour list holds the candidate;</li>
 * <li>{@code last}: the item-to-item weight from the newest known watch alone, divided by the user's largest such weight;</li>
 * <li>{@code because}: the share of the candidate's score (half-life 5) that its single best watch gives;</li>
 * <li>{@code sameGenre}: the share of that score given by watches sharing a genre with the candidate;</li>
 * <li>{@code sameGenreScore}: the score from those watches alone, divided by the user's top such score;</li>
 * <li>{@code genreRecency}: 0.5^(age / 5) of the newest watch sharing a genre with the candidate (0: none);</li>
 * <li>{@code genre5}, {@code genre20}: the mean genre Jaccard similarity of the candidate with the newest 5 and 20
 * watches.</li>
 * </ol>
 * Ages count events back from the newest watch; a repeated watch counts at its newest position, as in
 * {@link ItemToItem#candidates}. Zero for a candidate from popular fill where the signal needs a score.
 * Immutable and thread-safe: each thread gets its own catalog-size scratch, left cleared by every call.
 */
public final class ContextSignals {

    private static final String[] NAMES = {"support", "last", "because", "sameGenre", "sameGenreScore", "genreRecency",
        "genre5", "genre20"};
    /** Signals per candidate. */
    public static final int COUNT = NAMES.length;
    private static final double HALF_LIFE = 5;

    private final ItemToItem model;
    private final MovieTable table;
    /** Per thread, item → 1 + its candidate position (0: not a candidate), cleared after each call. */
    private final ThreadLocal<int[]> position;

    public ContextSignals(ItemToItem model, MovieTable table) {
        this.model = model;
        this.table = table;
        this.position = ThreadLocal.withInitial(() -> new int[model.items()]);
    }

    /** Short name of signal {@code k} (its feature is {@code x.ctx.<name>}). */
    public static String name(int k) {
        return NAMES[k];
    }

    /**
     * The signals of {@code items} (dense indices, the first {@code scored} of them from the item-to-item
     * scores, the rest popular fill) for recent watches {@code recentOldestFirst} (negative entries unknown).
     */
    public double[][] of(int[] recentOldestFirst, int[] items, int scored) {
        int n = items.length;
        double[][] out = new double[n][COUNT];
        int r = recentOldestFirst.length;
        // Distinct known watches, newest first, with their ages.
        int[] watch = new int[r];
        int[] age = new int[r];
        int d = 0;
        for (int p = r - 1; p >= 0; p--) {
            int j = recentOldestFirst[p];
            if (j < 0) {
                continue;
            }
            boolean seen = false;
            for (int q = 0; q < d && !seen; q++) {
                seen = watch[q] == j;
            }
            if (!seen) {
                watch[d] = j;
                age[d++] = r - 1 - p;
            }
        }
        int[] pos = position.get();
        for (int x = 0; x < n; x++) {
            pos[items[x]] = x + 1;
        }
        try {
            double[] total = new double[n];
            double[] best = new double[n];
            double[] same = new double[n];
            double[] last = new double[n];
            int[] support = new int[n];
            for (int q = 0; q < d; q++) {
                int j = watch[q];
                int[] nb = model.neighbourList(j);
                float[] w = model.weightList(j);
                double rw = Math.pow(0.5, age[q] / HALF_LIFE);
                int jb = table.genreBits(j);
                for (int y = 0; y < nb.length; y++) {
                    int x = pos[nb[y]] - 1;
                    if (x < 0 || x >= scored) {
                        continue;
                    }
                    double c = rw * w[y];
                    support[x]++;
                    total[x] += c;
                    best[x] = Math.max(best[x], c);
                    if ((jb & table.genreBits(items[x])) != 0) {
                        same[x] += c;
                    }
                    if (q == 0) {
                        last[x] = w[y];
                    }
                }
            }
            double topSame = 0;
            double topLast = 0;
            for (int x = 0; x < n; x++) {
                topSame = Math.max(topSame, same[x]);
                topLast = Math.max(topLast, last[x]);
            }
            for (int x = 0; x < n; x++) {
                double[] s = out[x];
                int bits = table.genreBits(items[x]);
                if (d > 0) {
                    s[0] = (double) support[x] / d;
                }
                s[1] = topLast > 0 ? Math.max(0, last[x]) / topLast : 0;
                if (total[x] > 0) {
                    s[2] = Math.min(1, best[x] / total[x]);
                    s[3] = Math.min(1, Math.max(0, same[x] / total[x]));
                }
                s[4] = topSame > 0 ? Math.max(0, same[x]) / topSame : 0;
                for (int q = 0; q < d; q++) {
                    if ((table.genreBits(watch[q]) & bits) != 0) {
                        s[5] = Math.pow(0.5, age[q] / HALF_LIFE);
                        break;
                    }
                }
                s[6] = meanJaccard(bits, recentOldestFirst, 5);
                s[7] = meanJaccard(bits, recentOldestFirst, 20);
            }
        } finally {
            for (int item : items) {
                pos[item] = 0;
            }
        }
        return out;
    }

    /** The mean genre Jaccard similarity of genre set {@code bits} with the newest {@code k} known watches (0: none). */
    private double meanJaccard(int bits, int[] recentOldestFirst, int k) {
        double sum = 0;
        int m = 0;
        for (int p = recentOldestFirst.length - 1; p >= 0 && m < k; p--) {
            int j = recentOldestFirst[p];
            if (j < 0) {
                continue;
            }
            int o = table.genreBits(j);
            int union = Integer.bitCount(o | bits);
            sum += union == 0 ? 0 : (double) Integer.bitCount(o & bits) / union;
            m++;
        }
        return m == 0 ? 0 : sum / m;
    }
}
