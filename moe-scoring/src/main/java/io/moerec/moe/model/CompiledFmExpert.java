package io.moerec.moe.model;

import io.moerec.ingest.domain.Genre;

/**
 * A factorization-machine expert folded for fast scoring. For each label ℓ (negative, positive) the
 * FM score is {@code b + Σ w_i x_i + ½ Σ_k [(Σ_i v_ki x_i)² − Σ_i v_ki² x_i²]}; splitting x into its
 * user part and its movie part, the user sums (linear term, s_k, squared terms) are computed once per
 * request and the movie sums once at compile time, so a pair costs O(factors). The probability is the
 * sigmoid of the positive minus the negative score, as Tribuo's two-class softmax gives.
 */
public final class CompiledFmExpert implements CompiledExpert {

    private final int factors;
    /** Per label: bias. */
    private final double[] bias;
    /** Per label: linear weights of the user features. */
    private final double[][] wUser;
    /** Per label, per factor: factor weights of the user features ([label][k*DIM + i]). */
    private final double[][] vUser;
    /** Per label: movie linear sum; per label and factor: movie factor sum; per label: movie squares. */
    private final double[][] movieLinear;
    private final double[][] movieFactorSum;
    private final double[][] movieSquares;

    /**
     * @param bias    per label (index 0 negative, 1 positive)
     * @param w       per label, linear weight by {@link ExpertFeatures} index
     * @param v       per label, factor k, feature index
     */
    private final double[][] rawW;
    /** Per label: linear weights ([label][j]) and factor weights ([label][k*PAIR_SIZE + j]) of the pair signals. */
    private final double[][] wPair;
    private final double[][] vPair;
    private final double[][][] rawV;

    private CompiledFmExpert(double[] bias, double[][] w, double[][][] v, MovieTable table) {
        this.factors = v[0].length;
        int ps = ExpertFeatures.PAIR_SIZE;
        this.wPair = new double[2][ps];
        this.vPair = new double[2][factors * ps];
        for (int l = 0; l < 2; l++) {
            for (int j = 0; j < ps; j++) {
                wPair[l][j] = w[l][ExpertFeatures.KNN + j];
                for (int k = 0; k < factors; k++) {
                    vPair[l][k * ps + j] = v[l][k][ExpertFeatures.KNN + j];
                }
            }
        }
        this.rawW = new double[][] {w[0].clone(), w[1].clone()};
        this.rawV = new double[2][][];
        for (int l = 0; l < 2; l++) {
            rawV[l] = java.util.Arrays.stream(v[l]).map(double[]::clone).toArray(double[][]::new);
        }
        this.bias = bias.clone();
        int n = table.size();
        wUser = new double[2][UserVector.DIM];
        vUser = new double[2][factors * UserVector.DIM];
        movieLinear = new double[2][n];
        movieFactorSum = new double[2][n * factors];
        movieSquares = new double[2][n];
        for (int l = 0; l < 2; l++) {
            for (int i = 0; i < UserVector.DIM; i++) {
                wUser[l][i] = w[l][ExpertFeatures.U_BASE + i];
                for (int k = 0; k < factors; k++) {
                    vUser[l][k * UserVector.DIM + i] = v[l][k][ExpertFeatures.U_BASE + i];
                }
            }
            int[] idx = new int[Genre.COUNT + 4];
            double[] val = new double[Genre.COUNT + 4];
            for (int m = 0; m < n; m++) {
                int cnt = movieFeatures(table, m, idx, val);
                double lin = 0;
                double sq = 0;
                for (int t = 0; t < cnt; t++) {
                    lin += w[l][idx[t]] * val[t];
                }
                for (int k = 0; k < factors; k++) {
                    double s = 0;
                    for (int t = 0; t < cnt; t++) {
                        double p = v[l][k][idx[t]] * val[t];
                        s += p;
                        sq += p * p;
                    }
                    movieFactorSum[l][m * factors + k] = s;
                }
                movieLinear[l][m] = lin;
                movieSquares[l][m] = sq;
            }
        }
    }

    /**
     * Builds the expert from FM weights by {@link ExpertFeatures} index (zero where the model has no
     * weight), label 0 negative and 1 positive: {@code bias[l]}, linear {@code w[l][i]}, factors {@code v[l][k][i]}.
     */
    public static CompiledFmExpert of(double[] bias, double[][] w, double[][][] v, MovieTable table) {
        int n = ExpertFeatures.size(table.size());
        if (bias.length != 2 || w.length != 2 || v.length != 2 || v[0].length == 0 || v[1].length != v[0].length) {
            throw new IllegalArgumentException("FM weights need two labels and the same number of factors");
        }
        for (int l = 0; l < 2; l++) {
            if (w[l].length != n) {
                throw new IllegalArgumentException("expected " + n + " linear weights, got " + w[l].length);
            }
            for (double[] row : v[l]) {
                if (row.length != n) {
                    throw new IllegalArgumentException("expected " + n + " factor weights, got " + row.length);
                }
            }
        }
        return new CompiledFmExpert(bias, w, v, table);
    }

    public double[] bias() {
        return bias.clone();
    }

    /** Linear weights per label, as a bundle stores them. */
    public double[][] linearWeights() {
        return new double[][] {rawW[0].clone(), rawW[1].clone()};
    }

    /** Factor weights per label and factor, as a bundle stores them. */
    public double[][][] factorWeights() {
        double[][][] out = new double[2][][];
        for (int l = 0; l < 2; l++) {
            out[l] = java.util.Arrays.stream(rawV[l]).map(double[]::clone).toArray(double[][]::new);
        }
        return out;
    }

    /** The FM's movie features of one movie as (index, value) pairs; returns how many. */
    private static int movieFeatures(MovieTable table, int m, int[] idx, double[] val) {
        int c = 0;
        int bits = table.genreBits(m);
        for (int g = 0; g < Genre.COUNT; g++) {
            if (((bits >>> g) & 1) != 0) {
                idx[c] = ExpertFeatures.G_BASE + g;
                val[c++] = 1.0;
            }
        }
        idx[c] = ExpertFeatures.POP;
        val[c++] = table.popularity(m);
        idx[c] = ExpertFeatures.YEAR;
        val[c++] = table.yearFeature(m);
        idx[c] = ExpertFeatures.RATING;
        val[c++] = table.ratingFeature(m);
        idx[c] = ExpertFeatures.MOVIE_BASE + m;
        val[c++] = 1.0;
        return c;
    }

    /** Context: per label, [linear, squares, s_0..s_{k-1}]. */
    @Override
    public int contextSize() {
        return 2 * (2 + factors);
    }

    @Override
    public void prepareUser(double[] u, double[] ctx) {
        for (int l = 0; l < 2; l++) {
            int base = l * (2 + factors);
            double lin = bias[l];
            for (int i = 0; i < UserVector.DIM; i++) {
                lin += wUser[l][i] * u[i];
            }
            double sq = 0;
            for (int k = 0; k < factors; k++) {
                double s = 0;
                int off = k * UserVector.DIM;
                for (int i = 0; i < UserVector.DIM; i++) {
                    double p = vUser[l][off + i] * u[i];
                    s += p;
                    sq += p * p;
                }
                ctx[base + 2 + k] = s;
            }
            ctx[base] = lin;
            ctx[base + 1] = sq;
        }
    }

    @Override
    public double logit(double[] ctx, int movie, double[] pair) {
        return labelScore(ctx, 1, movie, pair) - labelScore(ctx, 0, movie, pair);
    }

    private double labelScore(double[] ctx, int l, int movie, double[] pair) {
        int base = l * (2 + factors);
        int ps = ExpertFeatures.PAIR_SIZE;
        double[] ms = movieFactorSum[l];
        double[] vp = vPair[l];
        int off = movie * factors;
        double inter = 0;
        double pairSquares = 0;
        for (int k = 0; k < factors; k++) {
            double p = 0;
            for (int j = 0; j < ps; j++) {
                double q = vp[k * ps + j] * pair[j];
                p += q;
                pairSquares += q * q;
            }
            double s = ctx[base + 2 + k] + ms[off + k] + p;
            inter += s * s;
        }
        inter -= ctx[base + 1] + movieSquares[l][movie] + pairSquares;
        double lin = ctx[base] + movieLinear[l][movie];
        for (int j = 0; j < ps; j++) {
            lin += wPair[l][j] * pair[j];
        }
        return lin + 0.5 * inter;
    }
}
