package io.moerec.moe.routing;

/**
 * Chooses which genre experts score a user and with what weights. {@link #route} writes the chosen
 * expert indices ({@code Genre} ordinals), best first, and their weights (summing to 1) into arrays
 * the caller owns and returns how many it chose, at most {@link #maxExperts()}. Implementations are
 * immutable and thread-safe, and allocate only a few small arrays per call.
 */
public sealed interface Router permits SoftmaxRouter, BalancedRouter, EigenRouter, DenseRouter {

    /** The router's configuration name: {@code softmax}, {@code balanced}, {@code eigen} or {@code dense}. */
    String name();

    /** The most experts a call can choose; the size the caller's arrays need. */
    int maxExperts();

    /** Routes the user vector; returns the number of chosen experts written. */
    int route(double[] user, int[] experts, double[] weights);

    /**
     * Every expert in the order {@link #route} prefers them (its selection score, best first) into
     * {@code order} ({@code Genre.COUNT} entries), and the gate probabilities it renormalises over the
     * chosen experts into {@code probabilities}: the first {@link #maxExperts()} of the order are what
     * {@code route} chooses, the rest are the next-best for {@link ExpertCapacity}'s overflow.
     */
    void rank(double[] user, int[] order, double[] probabilities);
}
