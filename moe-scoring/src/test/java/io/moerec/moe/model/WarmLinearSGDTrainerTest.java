package io.moerec.moe.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.tribuo.classification.sgd.linear.LinearSGDModel;
import org.tribuo.math.la.DenseMatrix;

class WarmLinearSGDTrainerTest {

    private static List<GenreClassifier.Row> rows(int n, int dims, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        List<GenreClassifier.Row> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            double[] x = new double[dims];
            for (int d = 0; d < dims; d++) {
                x[d] = r.nextDouble();
            }
            out.add(new GenreClassifier.Row(x, r.nextInt(3), 1f));
        }
        return out;
    }

    @Test
    void theInitialWeightsAreTheOldModelsMatchedByName() {
        String[] names = {"a", "b", "c"};
        LinearSGDModel old = GenreClassifier.train("old", names, rows(200, 3, 1), 3, 0.5, 7).model();
        // Same names: the old weights as they are.
        DenseMatrix same = WarmLinearSGDTrainer.initialWeights(old, old.getFeatureIDMap(), old.getOutputIDInfo());
        assertEquals(old.getWeightsCopy(), same);
        // Another feature set: "b" and "c" keep their weights under their new ids, "z" (unknown to the old model) starts at 0.
        String[] other = {"b", "c", "z"};
        LinearSGDModel next = GenreClassifier.train("next", other, rows(200, 3, 2), 1, 0.5, 7).model();
        DenseMatrix w = WarmLinearSGDTrainer.initialWeights(old, next.getFeatureIDMap(), next.getOutputIDInfo());
        DenseMatrix ow = old.getWeightsCopy();
        for (var label : next.getOutputIDInfo()) {
            int o = label.getA();
            int oo = old.getOutputIDInfo().getID(label.getB());
            for (String f : new String[] {"b", "c"}) {
                assertEquals(ow.get(oo, old.getFeatureIDMap().getID(f)), w.get(o, next.getFeatureIDMap().getID(f)), 0, f);
            }
            assertEquals(0.0, w.get(o, next.getFeatureIDMap().getID("z")), 0);
            assertEquals(ow.get(oo, old.getFeatureIDMap().size()), w.get(o, next.getFeatureIDMap().size()), 0, "bias");
        }
    }
}
