package io.moerec.moe.train;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Draws negative movies from a candidate list with probability ∝ (interactions + 1)^exponent:
 * popular movies, which a user is more likely to have seen and passed over, are drawn more often
 * (exponent 0 is uniform). The positive movie itself is never returned while the list has another
 * candidate. Immutable; the caller supplies the seeded random source, so sampling is reproducible.
 */
public final class NegativeSampler {

    private final int[] candidates;
    private final double[] cumulative;

    public NegativeSampler(int[] candidates, long[] interactionsByMovie, double exponent) {
        if (candidates.length == 0) {
            throw new IllegalArgumentException("no candidates to sample negatives from");
        }
        this.candidates = candidates.clone();
        this.cumulative = new double[candidates.length];
        double s = 0;
        for (int i = 0; i < candidates.length; i++) {
            s += Math.pow(interactionsByMovie[candidates[i]] + 1.0, exponent);
            cumulative[i] = s;
        }
    }

    /** The sampling probability of the candidate at position i (for tests). */
    double probability(int i) {
        double total = cumulative[cumulative.length - 1];
        return (cumulative[i] - (i == 0 ? 0 : cumulative[i - 1])) / total;
    }

    /** A candidate other than {@code positive} (unless it is the only candidate). */
    public int sample(SplittableRandom rng, int positive) {
        if (candidates.length == 1) {
            return candidates[0];
        }
        while (true) {
            double r = rng.nextDouble() * cumulative[cumulative.length - 1];
            int i = Arrays.binarySearch(cumulative, r);
            i = i >= 0 ? i + 1 : -i - 1;
            int m = candidates[Math.min(i, candidates.length - 1)];
            if (m != positive) {
                return m;
            }
        }
    }
}
