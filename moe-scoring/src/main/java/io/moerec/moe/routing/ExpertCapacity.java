package io.moerec.moe.routing;

import io.moerec.ingest.domain.Genre;
import java.util.Arrays;

/**
 * Expert capacity with overflow over scoring windows of {@code window} users: in a window each expert
 * takes at most {@code capacity = ⌈factor · window · k / experts⌉} routed slots (a user routed to k
 * experts fills k slots; factor 1 is the even load, and a factor ≥ 1 always leaves room for every
 * slot). A slot whose expert is full goes to the user's next-best expert by the router's selection
 * score ({@link Router#rank}) that is neither full nor already chosen; the weights are the gate
 * probabilities renormalised over the experts finally chosen, as the router does for its own choice.
 * Only with a factor below 1 can every expert be full; the slot then stays empty (the shared expert
 * still scores the user). The window's load restarts every {@code window} users. The dense router
 * chooses every expert, so nothing can overflow: its users are routed and counted unchanged.
 * <p>
 * Mutable, one per owner of a window (an evaluation pass, a scoring task); not thread-safe.
 */
public final class ExpertCapacity {

    private final double factor;
    private final int window;
    private final long[] windowLoad = new long[Genre.COUNT];
    private final long[] load = new long[Genre.COUNT];
    private final int[] order = new int[Genre.COUNT];
    private final double[] probabilities = new double[Genre.COUNT];
    private int inWindow;
    private long slots;
    private long overflowed;
    private long unplaced;

    /**
     * @param factor capacity factor cf &gt; 0
     * @param window users per scoring window, ≥ 1
     */
    public ExpertCapacity(double factor, int window) {
        if (!(factor > 0) || Double.isInfinite(factor)) {
            throw new IllegalArgumentException("capacity factor must be > 0 and finite, got " + factor);
        }
        if (window < 1) {
            throw new IllegalArgumentException("capacity window must be ≥ 1 user, got " + window);
        }
        this.factor = factor;
        this.window = window;
    }

    /** {@code ⌈factor · slots / experts⌉}: the routed slots one expert may take in a window of {@code slots}. */
    public static long capacity(double factor, long slots, int experts) {
        return (long) Math.ceil(factor * slots / experts);
    }

    /**
     * Routes one user like {@code router.route}, but past full experts; returns the number of chosen
     * experts written (fewer than the router's k only when every remaining expert is full).
     */
    public int route(Router router, double[] user, int[] experts, double[] weights) {
        if (inWindow == window) {
            Arrays.fill(windowLoad, 0);
            inWindow = 0;
        }
        inWindow++;
        int k = router.maxExperts();
        if (k >= Genre.COUNT) {
            int n = router.route(user, experts, weights);
            for (int i = 0; i < n; i++) {
                windowLoad[experts[i]]++;
                load[experts[i]]++;
            }
            slots += n;
            return n;
        }
        long cap = capacity(factor, (long) window * k, Genre.COUNT);
        router.rank(user, order, probabilities);
        int taken = 0;
        int full = 0;
        for (int i = 0; i < Genre.COUNT && taken < k; i++) {
            int e = order[i];
            if (windowLoad[e] < cap) {
                experts[taken++] = e;
            } else if (i < k) {
                full++;
            }
        }
        int empty = k - taken;
        slots += k;
        overflowed += full - empty;
        unplaced += empty;
        double sum = 0;
        for (int i = 0; i < taken; i++) {
            sum += probabilities[experts[i]];
            windowLoad[experts[i]]++;
            load[experts[i]]++;
        }
        for (int i = 0; i < taken; i++) {
            weights[i] = sum > 0 ? probabilities[experts[i]] / sum : 1.0 / taken;
        }
        return taken;
    }

    /** Routed slots per expert over every window so far. */
    public long[] load() {
        return load.clone();
    }

    /** Routed slots so far (users × k). */
    public long slots() {
        return slots;
    }

    /** Slots moved to a next-best expert because their expert was full. */
    public long overflowed() {
        return overflowed;
    }

    /** Slots left empty because every remaining expert was full (only with a factor below 1). */
    public long unplaced() {
        return unplaced;
    }

    /** Share of routed slots moved to a next-best expert; 0 before any. */
    public double overflowRate() {
        return slots == 0 ? 0 : (double) overflowed / slots;
    }

    public double factor() {
        return factor;
    }

    public int window() {
        return window;
    }
}
