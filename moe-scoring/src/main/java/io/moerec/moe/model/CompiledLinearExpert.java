package io.moerec.moe.model;

import io.moerec.ingest.domain.Genre;

/**
 * A linear expert folded for fast scoring. With d the difference of the positive and negative
 * label's weights (a two-class softmax is the sigmoid of the logit difference), the logit of a pair
 * is {@code ctx[0] + movieConst[m] + ctx[POP_SLOT]·pop[m] + Σ_k d[KNN + k]·pair[k] + Σ_{j ∈ genres(m)} ctx[1 + j]}, where the
 * per-user context holds the bias plus the user terms, and per genre j the genre weight plus the
 * crosses {@code Σ_i d[x(i,j)]·u_i} plus the summed-affinity weight times {@code u_j}.
 */
public final class CompiledLinearExpert implements CompiledExpert {

    private static final int POP_SLOT = 1 + Genre.COUNT;

    private final double bias;
    private final double[] d;
    /**
     * Per movie m, its constant term at {@code 2m} and its popularity at {@code 2m + 1}: side by side so
     * that scoring a movie reads one cache line, not two.
     */
    private final double[] movieTerms;
    private final int[] bits;
    /**
     * The pair-signal weights up to the last non-zero one: the context signals the expert never saw in
     * training (weight 0, the last ones) are not multiplied, which leaves the logit unchanged for finite
     * signals (at most the sign of an exact zero, which the sigmoid ignores).
     */
    private final double[] pairWeights;

    /**
     * @param bias logit bias (positive minus negative)
     * @param d    logit weights by {@link ExpertFeatures} index (positive minus negative), zero for
     *             features the model never saw
     */
    private CompiledLinearExpert(double bias, double[] d, MovieTable table) {
        this.bias = bias;
        this.d = d.clone();
        int used = ExpertFeatures.PAIR_SIZE;
        while (used > 0 && d[ExpertFeatures.KNN + used - 1] == 0.0) {
            used--;
        }
        this.pairWeights = java.util.Arrays.copyOfRange(d, ExpertFeatures.KNN, ExpertFeatures.KNN + used);
        int n = table.size();
        this.movieTerms = new double[2 * n];
        this.bits = new int[n];
        for (int m = 0; m < n; m++) {
            movieTerms[2 * m] = d[ExpertFeatures.YEAR] * table.yearFeature(m) + d[ExpertFeatures.RATING] * table.ratingFeature(m)
                    + d[ExpertFeatures.MOVIE_BASE + m];
            movieTerms[2 * m + 1] = table.popularity(m);
            bits[m] = table.genreBits(m);
        }
    }

    /**
     * Builds the expert from logit weights: {@code bias} and {@code d} are positive minus negative,
     * {@code d} indexed by {@link ExpertFeatures} for {@code table} (zero where the model has no weight).
     */
    public static CompiledLinearExpert of(double bias, double[] d, MovieTable table) {
        if (d.length != ExpertFeatures.size(table.size())) {
            throw new IllegalArgumentException("expected " + ExpertFeatures.size(table.size()) + " weights, got " + d.length);
        }
        return new CompiledLinearExpert(bias, d, table);
    }

    /** The logit bias, as a bundle stores it. */
    public double bias() {
        return bias;
    }

    /** The logit weights by {@link ExpertFeatures} index, as a bundle stores them. */
    public double[] weights() {
        return d.clone();
    }

    @Override
    public int contextSize() {
        return POP_SLOT + 1;
    }

    @Override
    public void prepareUser(double[] u, double[] ctx) {
        double c = bias;
        for (int i = 0; i < UserVector.DIM; i++) {
            c += d[ExpertFeatures.U_BASE + i] * u[i];
        }
        ctx[0] = c;
        for (int j = 0; j < Genre.COUNT; j++) {
            double g = d[ExpertFeatures.G_BASE + j] + d[ExpertFeatures.MATCH] * u[j];
            for (int i = 0; i < Genre.COUNT; i++) {
                g += d[ExpertFeatures.X_BASE + i * Genre.COUNT + j] * u[i];
            }
            ctx[1 + j] = g;
        }
        ctx[POP_SLOT] = d[ExpertFeatures.POP] + d[ExpertFeatures.ACT_POP] * u[UserVector.ACTIVITY];
    }

    @Override
    public double logit(double[] ctx, int movie, double[] pair) {
        double z = ctx[0] + movieTerms[2 * movie] + ctx[POP_SLOT] * movieTerms[2 * movie + 1];
        for (int k = 0; k < pairWeights.length; k++) {
            z += pairWeights[k] * pair[k];
        }
        int b = bits[movie];
        while (b != 0) {
            int j = Integer.numberOfTrailingZeros(b);
            z += ctx[1 + j];
            b &= b - 1;
        }
        return z;
    }
}
