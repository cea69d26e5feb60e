package io.moerec.moe.model;

import java.util.Arrays;
import java.util.function.IntPredicate;

/**
 * The first stage of two-stage scoring, one implementation for training and every scoring path: a
 * user's {@code c} candidates from the sparse item-to-item model over their recent watches (excluded
 * movies left out), ranked by the score at the first of {@link #halfLives()}, filled up with the most
 * popular movies when short (a user without a known recent watch gets only those). Each candidate
 * carries the recent watch that contributed most to its score ("because you watched"; −1 for popular
 * fill) and {@link #SIGNALS} signals for the experts: its item-to-item score at each half-life divided
 * by the user's top candidate score at that half-life (0 for popular fill), then
 * {@code log(1 + rank) / log(1 + c)}, rank 0 being the best; and, when built with them, the
 * {@link ContextSignals} of each candidate (all zero otherwise). Immutable and thread-safe: each thread
 * gets its own catalog-size scratch.
 */
public final class CandidateGenerator {

    /** Recency half-lives in events; the first ranks the candidates. */
    private static final double[] HALF_LIVES = {5, 1, 20, Double.POSITIVE_INFINITY};
    private static final String[] NAMES = {"h5", "h1", "h20", "all", "rank"};
    /** Signals per candidate: one score per half-life, then the rank. */
    public static final int SIGNALS = HALF_LIVES.length + 1;

    private final ItemToItem model;
    private final int c;
    /** Dense indices by training interactions, most first (ties: lower index first). */
    private final int[] popular;
    private final ThreadLocal<ItemToItem.Scratch> scratch;
    /** The rank signal of each rank, log(1 + rank) / log(1 + c). */
    private final double[] rankSignal;
    /** The context signals' function, or null when they stay zero. */
    private final ContextSignals context;
    /** The context rows of every candidate when the signals are off: zeros, shared, never written. */
    private final double[][] noContext;

    /** A generator without context signals. */
    public CandidateGenerator(ItemToItem model, MovieTable table, int c) {
        this(model, table, c, false);
    }

    /** A generator whose candidates carry their {@link ContextSignals} when {@code contextSignals} holds. */
    public CandidateGenerator(ItemToItem model, MovieTable table, int c, boolean contextSignals) {
        if (model.items() != table.size()) {
            throw new IllegalArgumentException("the item-to-item model covers " + model.items() + " movies, the table "
                    + table.size());
        }
        if (c < 1) {
            throw new IllegalArgumentException("need at least one candidate, got " + c);
        }
        this.model = model;
        this.c = c;
        this.popular = java.util.stream.IntStream.range(0, table.size()).boxed()
                .sorted((a, b) -> table.interactions(a) != table.interactions(b)
                        ? Long.compare(table.interactions(b), table.interactions(a)) : Integer.compare(a, b))
                .mapToInt(Integer::intValue).toArray();
        this.rankSignal = new double[c];
        double rankScale = Math.log1p(c);
        for (int x = 0; x < c; x++) {
            rankSignal[x] = Math.log1p(x) / rankScale;
        }
        this.scratch = ThreadLocal.withInitial(() -> new ItemToItem.Scratch(model.items(), HALF_LIVES.length));
        this.context = contextSignals ? new ContextSignals(model, table) : null;
        this.noContext = new double[c][ContextSignals.COUNT];
    }

    /** Whether the candidates carry their context signals. */
    public boolean contextSignals() {
        return context != null;
    }

    /** The recency half-lives of the signals, in events; the first ranks. */
    public static double[] halfLives() {
        return HALF_LIVES.clone();
    }

    /** Short name of signal {@code k} (its feature is {@code x.i2i.<name>}). */
    public static String signalName(int k) {
        return NAMES[k];
    }

    /** Candidates per user. */
    public int size() {
        return c;
    }

    /**
     * A user's candidates, best first.
     *
     * @param items   dense indices
     * @param because per candidate, the recent watch (dense index) contributing most to its score; −1 for popular fill
     * @param signals per candidate, its {@link #SIGNALS} signals
     * @param context per candidate, its {@link ContextSignals#COUNT} context signals (zeros when off; then rows may
     *                outnumber the candidates, the rows are shared and must not be written)
     */
    public record Candidates(int[] items, int[] because, double[][] signals, double[][] context) {

        public int size() {
            return items.length;
        }

        /** The position of {@code item} in the list, or −1. */
        public int indexOf(int item) {
            for (int x = 0; x < items.length; x++) {
                if (items[x] == item) {
                    return x;
                }
            }
            return -1;
        }
    }

    /**
     * The candidates of a user with recent watches {@code recentOldestFirst} (dense indices, oldest first;
     * negative entries are unknown movies), leaving out movies for which {@code excluded} holds.
     */
    public Candidates candidates(int[] recentOldestFirst, IntPredicate excluded) {
        ItemToItem.Scratch found = scratch.get();
        int k = model.select(recentOldestFirst, HALF_LIVES, excluded, c, found);
        int[] items = new int[c];
        int[] because = new int[c];
        double[] top = new double[HALF_LIVES.length];
        for (int x = 0; x < k; x++) {
            items[x] = found.item(x);
            because[x] = found.because(x);
            for (int h = 0; h < top.length; h++) {
                top[h] = Math.max(top[h], found.score(x, h));
            }
        }
        int n = k;
        if (n < c) {
            int[] taken = Arrays.copyOf(items, k);
            Arrays.sort(taken);
            for (int p = 0; p < popular.length && n < c; p++) {
                int m = popular[p];
                if (!excluded.test(m) && Arrays.binarySearch(taken, m) < 0) {
                    items[n] = m;
                    because[n++] = -1;
                }
            }
        }
        double[][] signals = new double[n][SIGNALS];
        for (int x = 0; x < n; x++) {
            if (x < k) {
                for (int h = 0; h < top.length; h++) {
                    signals[x][h] = top[h] > 0 ? found.score(x, h) / top[h] : 0;
                }
            }
            signals[x][SIGNALS - 1] = rankSignal[x];
        }
        int[] chosen = n == c ? items : Arrays.copyOf(items, n);
        double[][] ctx = context != null ? context.of(recentOldestFirst, chosen, k) : noContext;
        return new Candidates(chosen, n == c ? because : Arrays.copyOf(because, n), signals, ctx);
    }
}
