package io.moerec.moe.eval;

import io.moerec.ingest.domain.Genre;

/**
 * Load statistics of a router over a set of users, from per-expert counts of routed users (a user
 * routed to k experts counts once for each): each expert's share, the coefficient of variation of the
 * load (population standard deviation over mean), MaxVio = (max − mean) / mean, and the routing entropy
 * in nats of the share distribution (ln 18 ≈ 2.89 is perfectly even), and with expert capacity
 * ({@link io.moerec.moe.routing.ExpertCapacity}) the overflow rate: the share of routed slots moved to a
 * next-best expert because their expert was full (0 without capacity).
 */
public record RoutingStats(long[] load, double[] share, double cv, double maxVio, double entropy, double overflow) {

    /** Without expert capacity: nothing overflows. */
    public static RoutingStats of(long[] load) {
        return of(load, 0);
    }

    public static RoutingStats of(long[] load, double overflow) {
        if (load.length != Genre.COUNT) {
            throw new IllegalArgumentException("load needs " + Genre.COUNT + " entries, got " + load.length);
        }
        long total = 0;
        long max = 0;
        for (long l : load) {
            total += l;
            max = Math.max(max, l);
        }
        double mean = (double) total / load.length;
        double var = 0;
        double[] share = new double[load.length];
        double h = 0;
        for (int e = 0; e < load.length; e++) {
            var += (load[e] - mean) * (load[e] - mean) / load.length;
            share[e] = total == 0 ? 0 : (double) load[e] / total;
            if (share[e] > 0) {
                h -= share[e] * Math.log(share[e]);
            }
        }
        double cv = mean == 0 ? 0 : Math.sqrt(var) / mean;
        double maxVio = mean == 0 ? 0 : (max - mean) / mean;
        return new RoutingStats(load.clone(), share, cv, maxVio, h, overflow);
    }
}
