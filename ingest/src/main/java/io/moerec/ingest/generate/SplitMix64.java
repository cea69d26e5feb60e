package io.moerec.ingest.generate;

/**
 * SplitMix64 (Steele, Lea, Flood 2014): a tiny seeded generator whose every output is fixed by
 * this code alone. The JDK's generators are not used because the algorithms behind their bounded
 * and Gaussian draws may change between releases, and "same seed, same bytes" must hold on any
 * JVM. Transcendental functions go through {@link StrictMath} for the same reason.
 */
final class SplitMix64 {

    private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;

    private long state;

    SplitMix64(long seed) {
        this.state = seed;
    }

    /** An independent stream for one purpose (catalog, users, events, ...) of one seed. */
    static SplitMix64 stream(long seed, long purpose) {
        return new SplitMix64(mix(seed + mix(purpose * GOLDEN_GAMMA + 1)));
    }

    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    long nextLong() {
        state += GOLDEN_GAMMA;
        return mix(state);
    }

    /** Uniform in [0, 1), 53 random bits. */
    double nextDouble() {
        return (nextLong() >>> 11) * 0x1.0p-53;
    }

    /** Uniform in [0, bound), unbiased (rejection of the incomplete last block). */
    int nextInt(int bound) {
        if (bound <= 0) {
            throw new IllegalArgumentException("bound must be positive, got " + bound);
        }
        while (true) {
            int bits = (int) (nextLong() >>> 33);
            int val = bits % bound;
            if (bits - val + (bound - 1) >= 0) {
                return val;
            }
        }
    }

    /** Uniform in [lo, hi] (both inclusive). */
    int between(int lo, int hi) {
        return lo + nextInt(hi - lo + 1);
    }

    boolean chance(double p) {
        return nextDouble() < p;
    }

    /** Standard normal by Box-Muller (one of the pair is discarded: simpler state, same stream on every JVM). */
    double gaussian() {
        double u1 = 1.0 - nextDouble(); // (0, 1]: log is finite
        double u2 = nextDouble();
        return StrictMath.sqrt(-2.0 * StrictMath.log(u1)) * StrictMath.cos(2.0 * StrictMath.PI * u2);
    }

    /** Exponential with the given mean. */
    double exponential(double mean) {
        return -mean * StrictMath.log(1.0 - nextDouble());
    }
}
