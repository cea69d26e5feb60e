package io.moerec.moe.model;

/**
 * One training pair for an expert: the user's point-in-time vector, a movie (dense index of the
 * {@link MovieTable}), the pair's {@link ExpertFeatures#PAIR_SIZE} signals for this user at that time
 * (knn first, {@link ItemNeighbours#knn}, then the first stage's, {@link CandidateGenerator}), whether it
 * was an observed interaction or a sampled negative, and for a residual expert the shared expert's logit
 * of the pair ({@link ExpertFeatures#OFFSET}; NaN for none).
 */
public record ExpertExample(double[] user, int movie, double[] pair, boolean positive, double offset) {

    /** Without an offset (a plain expert). */
    public ExpertExample(double[] user, int movie, double[] pair, boolean positive) {
        this(user, movie, pair, positive, Double.NaN);
    }

    /** With only the knn signal (the first stage's are zero) and without an offset. */
    public ExpertExample(double[] user, int movie, double knn, boolean positive) {
        this(user, movie, ExpertFeatures.knnOnly(knn), positive, Double.NaN);
    }

    /** The same pair with the shared expert's logit as its offset. */
    public ExpertExample withOffset(double o) {
        return new ExpertExample(user, movie, pair, positive, o);
    }
}
