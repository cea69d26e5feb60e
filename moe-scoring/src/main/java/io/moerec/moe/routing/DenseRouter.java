package io.moerec.moe.routing;

import io.moerec.ingest.domain.Genre;
import io.moerec.moe.math.MoeMath;
import io.moerec.moe.model.GenreClassifier;
import java.util.Objects;

/**
 * Every expert with the gate's full softmax as weights: the reference the sparse routers are measured
 * against. Genres with gate probability zero (never seen as a label) are left out.
 */
public final class DenseRouter implements Router {

    private final GenreClassifier gate;

    public DenseRouter(GenreClassifier gate) {
        this.gate = Objects.requireNonNull(gate, "gate");
    }

    @Override
    public String name() {
        return RouterKind.DENSE.configName();
    }

    @Override
    public int maxExperts() {
        return Genre.COUNT;
    }

    @Override
    public int route(double[] user, int[] experts, double[] weights) {
        double[] p = new double[Genre.COUNT];
        gate.probabilities(user, p);
        int n = 0;
        for (int g = 0; g < Genre.COUNT; g++) {
            if (p[g] > 0) {
                experts[n] = g;
                weights[n++] = p[g];
            }
        }
        return n;
    }

    /** Every expert with a positive probability is chosen; the order is by probability, best first. */
    @Override
    public void rank(double[] user, int[] order, double[] probabilities) {
        gate.probabilities(user, probabilities);
        MoeMath.topK(probabilities, order);
    }
}
