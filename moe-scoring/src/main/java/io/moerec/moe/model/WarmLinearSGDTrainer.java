package io.moerec.moe.model;

import org.tribuo.Dataset;
import org.tribuo.ImmutableFeatureMap;
import org.tribuo.ImmutableOutputInfo;
import org.tribuo.classification.Label;
import org.tribuo.classification.sgd.linear.LinearSGDModel;
import org.tribuo.classification.sgd.linear.LinearSGDTrainer;
import org.tribuo.classification.sgd.objectives.LogMulticlass;
import org.tribuo.math.LinearParameters;
import org.tribuo.math.la.DenseMatrix;
import org.tribuo.math.optimisers.AdaGrad;
import java.util.SplittableRandom;

/**
 * Tribuo's {@link LinearSGDTrainer} (log loss) starting from another linear model's weights instead of
 * zeros: a warm start. Tribuo 4.3 has no public warm-start option; its protected
 * {@code createParameters} hook is where the initial weights are made, so this subclass returns them
 * there. Weights are matched by feature and label name (the new data set's ids differ from the old
 * model's); a feature or label the old model lacks starts at 0, as in a fresh training. Everything else
 * (shuffling, seed, optimiser) is the plain trainer's, so a model without any shared name trains
 * exactly as a fresh one.
 */
final class WarmLinearSGDTrainer extends LinearSGDTrainer {

    private final LinearSGDModel init;
    private DenseMatrix start;

    WarmLinearSGDTrainer(LinearSGDModel init, AdaGrad optimiser, int epochs, int minibatch, long seed) {
        super(new LogMulticlass(), optimiser, epochs, Integer.MAX_VALUE, minibatch, seed);
        this.init = init;
    }

    /** Trains on {@code ds} from the initial model's weights. Not thread-safe: one training at a time. */
    LinearSGDModel trainFrom(Dataset<Label> ds) {
        // The ids Tribuo's trainer reads from the same data set.
        start = initialWeights(init, ds.getFeatureIDMap(), ds.getOutputIDInfo());
        try {
            return train(ds);
        } finally {
            start = null;
        }
    }

    @Override
    protected LinearParameters createParameters(int numFeatures, int numOutputs, SplittableRandom localRNG) {
        // numFeatures leaves out the bias, which Tribuo keeps in an extra last column.
        if (start == null || start.getDimension1Size() != numOutputs || start.getDimension2Size() != numFeatures + 1) {
            throw new IllegalStateException("warm start: expected a " + numOutputs + " × " + (numFeatures + 1) + " weight matrix");
        }
        return new LinearParameters(start.copy());
    }

    /** The old model's weights laid out for {@code features} and {@code outputs} (bias in the last column). */
    static DenseMatrix initialWeights(LinearSGDModel old, ImmutableFeatureMap features, ImmutableOutputInfo<Label> outputs) {
        DenseMatrix w = old.getWeightsCopy();
        ImmutableFeatureMap oldFeatures = old.getFeatureIDMap();
        ImmutableOutputInfo<Label> oldOutputs = old.getOutputIDInfo();
        int n = features.size();
        DenseMatrix out = new DenseMatrix(outputs.size(), n + 1);
        for (var label : outputs) {
            int o = label.getA();
            int oldO = oldOutputs.getID(label.getB());
            if (oldO < 0) {
                continue;
            }
            for (int f = 0; f < n; f++) {
                int oldF = oldFeatures.getID(features.get(f).getName());
                if (oldF >= 0) {
                    out.set(o, f, w.get(oldO, oldF));
                }
            }
            out.set(o, n, w.get(oldO, oldFeatures.size()));
        }
        return out;
    }
}
