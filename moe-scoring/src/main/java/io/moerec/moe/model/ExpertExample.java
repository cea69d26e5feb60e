package io.moerec.moe.model;

/**
 * One training pair for an expert: the user's point-in-time vector, a movie (dense index of the
 * {@link MovieTable}), the movie's item-history signal for this user at that time
 * ({@link ItemNeighbours#knn}), and whether it was an observed interaction or a sampled negative.
 */
public record ExpertExample(double[] user, int movie, double knn, boolean positive) {
}
