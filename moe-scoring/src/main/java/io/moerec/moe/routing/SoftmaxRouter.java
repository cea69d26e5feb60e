package io.moerec.moe.routing;

import io.moerec.ingest.domain.Genre;
import io.moerec.moe.math.MoeMath;
import io.moerec.moe.model.GenreClassifier;
import java.util.Objects;

/** The learned gate as is: its top-k genres, weights renormalised over them. */
public final class SoftmaxRouter implements Router {

    private final GenreClassifier gate;
    private final int k;

    public SoftmaxRouter(GenreClassifier gate, int k) {
        this.gate = Objects.requireNonNull(gate, "gate");
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
        MoeMath.topK(p, chosen);
        MoeMath.renormalise(p, chosen, weights);
        System.arraycopy(chosen, 0, experts, 0, k);
        return k;
    }
}
