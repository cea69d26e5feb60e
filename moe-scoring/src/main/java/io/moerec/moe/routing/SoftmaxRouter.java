package io.moerec.moe.routing;

import io.moerec.ingest.domain.Genre;
import io.moerec.moe.math.MoeMath;
import io.moerec.moe.model.GenreClassifier;
import java.util.Objects;

/**
 * The learned gate: its top-k genres, weights renormalised over them. With a selection shift (the lift
 * variant, {@code train.gateLift}) the top-k are chosen by log p(g|u) + shift[g], where shift is
 * −α·log p(g) for the genre's base rate, so that a user is routed to the genres they prefer more than
 * the average user does; the weights stay the gate's probabilities of the chosen genres.
 */
public final class SoftmaxRouter implements Router {

    private final GenreClassifier gate;
    private final int k;
    private final double[] selectionShift;

    public SoftmaxRouter(GenreClassifier gate, int k) {
        this(gate, k, null);
    }

    /** @param selectionShift per-genre addition to log p(g|u) when choosing, or null for the plain gate */
    public SoftmaxRouter(GenreClassifier gate, int k, double[] selectionShift) {
        this.gate = Objects.requireNonNull(gate, "gate");
        if (selectionShift != null && selectionShift.length != Genre.COUNT) {
            throw new IllegalArgumentException("selection shift needs " + Genre.COUNT + " values, got " + selectionShift.length);
        }
        this.selectionShift = selectionShift == null ? null : selectionShift.clone();
        if (k < 1 || k > Genre.COUNT) {
            throw new IllegalArgumentException("router.topK must be in [1, " + Genre.COUNT + "], got " + k);
        }
        this.k = k;
    }

    @Override
    public String name() {
        return RouterKind.SOFTMAX.configName();
    }

    @Override
    public int maxExperts() {
        return k;
    }

    @Override
    public int route(double[] user, int[] experts, double[] weights) {
        double[] p = new double[Genre.COUNT];
        gate.probabilities(user, p);
        int[] chosen = new int[k];
        if (selectionShift == null) {
            MoeMath.topK(p, chosen);
        } else {
            double[] lift = new double[Genre.COUNT];
            for (int g = 0; g < Genre.COUNT; g++) {
                lift[g] = Math.log(Math.max(p[g], 1e-300)) + selectionShift[g];
            }
            MoeMath.topK(lift, chosen);
        }
        MoeMath.renormalise(p, chosen, weights);
        System.arraycopy(chosen, 0, experts, 0, k);
        return k;
    }

    @Override
    public void rank(double[] user, int[] order, double[] probabilities) {
        gate.probabilities(user, probabilities);
        if (selectionShift == null) {
            MoeMath.topK(probabilities, order);
        } else {
            double[] lift = new double[Genre.COUNT];
            for (int g = 0; g < Genre.COUNT; g++) {
                lift[g] = Math.log(Math.max(probabilities[g], 1e-300)) + selectionShift[g];
            }
            MoeMath.topK(lift, order);
        }
    }
}
