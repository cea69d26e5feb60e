package io.moerec.moe.model;

/**
 * A trained genre expert compiled into flat arrays for one {@link MovieTable}: the probability that
 * a user engages with a movie, computed with plain loops instead of Tribuo's per-example predict.
 * Scoring is split in two so that per-user work happens once per request: {@link #prepareUser} folds
 * the user's vector into a caller-owned context array, then {@link #score} costs O(genres of the
 * movie) for a linear expert and O(factors) for an FM. Immutable and thread-safe; the context array is
 * the caller's, so concurrent requests need separate contexts.
 */
public sealed interface CompiledExpert permits CompiledLinearExpert, CompiledFmExpert {

    /** Length of the context array {@link #prepareUser} fills. */
    int contextSize();

    /** Folds the user vector ({@link UserVector} layout) into {@code ctx}. */
    void prepareUser(double[] u, double[] ctx);

    /**
     * Probability of engagement with the movie at dense index {@code movie}, given a prepared context
     * and the movie's item-history signal {@code knn} for this user (the first stage's signals zero).
     */
    default double score(double[] ctx, int movie, double knn) {
        return io.moerec.moe.math.MoeMath.sigmoid(logit(ctx, movie, knn));
    }

    /** The log-odds with only the knn signal (allocates its pair signals; not for hot loops). */
    default double logit(double[] ctx, int movie, double knn) {
        return logit(ctx, movie, ExpertFeatures.knnOnly(knn));
    }

    /**
     * The log-odds of engagement, {@code log(p / (1 − p))}, given the pair's {@link ExpertFeatures#PAIR_SIZE}
     * signals (knn first): what the sampling correction adds to.
     */
    double logit(double[] ctx, int movie, double[] pair);

    /** Convenience for tests and tools: prepare and score in one call (allocates a context). */
    default double scoreOnce(double[] u, int movie, double knn) {
        double[] ctx = new double[contextSize()];
        prepareUser(u, ctx);
        return score(ctx, movie, knn);
    }
}
