package io.moerec.moe.model;

/**
 * One training pair for an expert: the user's point-in-time vector, a movie (dense index of the
 * {@link MovieTable}), the movie's item-history signal for this user at that time
 * ({@link ItemNeighbours#knn}), whether it was an observed interaction or a sampled negative, and
 * for a residual expert the shared expert's logit of the pair ({@link ExpertFeatures#OFFSET}; NaN for none).
 */
public record ExpertExample(double[] user, int movie, double knn, boolean positive, double offset) {

    /** Without an offset (a plain expert). */
    public ExpertExample(double[] user, int movie, double knn, boolean positive) {
        this(user, movie, knn, positive, Double.NaN);
    }
}
