package io.moerec.moe.model;

import io.moerec.ingest.domain.Genre;

/**
 * Turns an expert's classifier output into a probability over its genre's movies, so that experts of
 * large and small genres can be mixed. An expert trained on positives against r negatives per
 * positive, drawn from its genre with probability q(m), has odds ≈ P(m | u, genre) / (r · q(m)) (the
 * sampling-bias, or "logQ", correction of sampled-softmax recommenders). So
 * {@code P(m | u, genre) ≈ exp(logit + log r + log q(m))}; without it, a 4,000-movie genre's
 * probabilities would be as large as a 100-movie genre's and the gate weights could not mean what
 * they say. q depends only on the training table and the sampling configuration, so it is recomputed,
 * never stored.
 */
public final class SamplingCorrection {

    private SamplingCorrection() {
    }

    /**
     * {@code log r + log q(m)} for each movie of the table, q being the draw probability
     * ∝ (interactions + 1)^exponent among {@code candidates}; −∞ for movies that are not candidates.
     */
    public static double[] logCorrection(int[] candidates, MovieTable table, double exponent, int negativesPerPositive) {
        double[] out = new double[table.size()];
        java.util.Arrays.fill(out, Double.NEGATIVE_INFINITY);
        double z = 0;
        for (int m : candidates) {
            z += Math.pow(table.interactions(m) + 1.0, exponent);
        }
        double logR = Math.log(negativesPerPositive);
        for (int m : candidates) {
            out[m] = logR + exponent * Math.log(table.interactions(m) + 1.0) - Math.log(z);
        }
        return out;
    }

    /** The correction of every genre's expert (its candidates are the genre's movies). */
    public static double[][] perGenre(MovieTable table, double exponent, int negativesPerPositive) {
        double[][] out = new double[Genre.COUNT][];
        for (int g = 0; g < Genre.COUNT; g++) {
            int[] c = table.moviesOfGenre(g);
            out[g] = c.length == 0 ? new double[table.size()] : logCorrection(c, table, exponent, negativesPerPositive);
        }
        return out;
    }

    /** The corrected expert output exp(logit + correction): an estimate of P(m | u, genre). */
    public static double apply(double logit, double correction) {
        return Math.exp(logit + correction);
    }

    /** The same from a probability (the Tribuo path): odds × exp(correction). */
    public static double applyToProbability(double p, double correction) {
        return p / (1 - p) * Math.exp(correction);
    }
}
