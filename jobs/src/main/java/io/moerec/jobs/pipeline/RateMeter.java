package io.moerec.jobs.pipeline;

/**
 * Events per second over the last few whole seconds of wall-clock time, from one-second buckets.
 * Not thread-safe; {@link EventAccounting} guards it.
 */
final class RateMeter {

    private static final int WINDOW_SECONDS = 3;
    private final long[] buckets = new long[WINDOW_SECONDS + 2];
    private final long[] bucketSecond = new long[WINDOW_SECONDS + 2];

    void add(long atMillis) {
        long second = Math.floorDiv(atMillis, 1000);
        int i = Math.floorMod(second, buckets.length);
        if (bucketSecond[i] != second) {
            bucketSecond[i] = second;
            buckets[i] = 0;
        }
        buckets[i]++;
    }

    /** Mean rate over the {@value #WINDOW_SECONDS} whole seconds before the one holding {@code nowMillis}. */
    double perSecond(long nowMillis) {
        long current = Math.floorDiv(nowMillis, 1000);
        long sum = 0;
        for (long s = current - WINDOW_SECONDS; s < current; s++) {
            int i = Math.floorMod(s, buckets.length);
            if (bucketSecond[i] == s) {
                sum += buckets[i];
            }
        }
        return (double) sum / WINDOW_SECONDS;
    }
}
