package io.moerec.moe.model;

import io.moerec.ingest.domain.Genre;
import io.moerec.moe.math.MoeMath;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.tribuo.ImmutableFeatureMap;
import org.tribuo.ImmutableOutputInfo;
import org.tribuo.Model;
import org.tribuo.MutableDataset;
import org.tribuo.classification.Label;
import org.tribuo.classification.LabelFactory;
import org.tribuo.classification.sgd.linear.LinearSGDModel;
import org.tribuo.classification.sgd.linear.LinearSGDTrainer;
import org.tribuo.classification.sgd.objectives.LogMulticlass;
import org.tribuo.impl.ArrayExample;
import org.tribuo.math.la.DenseMatrix;
import org.tribuo.math.optimisers.AdaGrad;
import org.tribuo.provenance.SimpleDataSourceProvenance;

/**
 * A Tribuo multinomial logistic regression ({@code LinearSGDTrainer}, log loss, softmax output) from
 * a dense feature vector to the genre vocabulary, compiled into a weight matrix indexed by
 * {@link Genre#ordinal()} and feature position. The learned gate reads the {@link UserVector}; the
 * eigen router reads eigen-energies. A genre never seen as a label in training has no Tribuo output;
 * its compiled logit is −∞, so its probability is exactly zero, as in Tribuo. Immutable and
 * thread-safe.
 */
public final class GenreClassifier {

    private static final OffsetDateTime EPOCH = OffsetDateTime.of(1970, 1, 1, 0, 0, 0, 0, ZoneOffset.UTC);

    /** A labelled training row: features, the genre index, and the example's weight. */
    public record Row(double[] x, int genre, float weight) {
    }

    private final String[] featureNames;
    private final LinearSGDModel model;
    /** [genre][feature], row of an unseen genre is unused. */
    private final double[][] w;
    private final double[] bias;

    public GenreClassifier(String[] featureNames, Model<Label> model) {
        this.featureNames = featureNames.clone();
        if (!(model instanceof LinearSGDModel lm)) {
            throw new IllegalArgumentException("a genre classifier needs a LinearSGDModel, got " + model.getClass().getName());
        }
        this.model = lm;
        ImmutableFeatureMap fmap = lm.getFeatureIDMap();
        ImmutableOutputInfo<Label> outs = lm.getOutputIDInfo();
        DenseMatrix weights = lm.getWeightsCopy();
        int biasCol = fmap.size();
        if (weights.getDimension2Size() != biasCol + 1) {
            throw new IllegalStateException("expected " + (biasCol + 1) + " weight columns (features + bias), got " + weights.getDimension2Size());
        }
        w = new double[Genre.COUNT][featureNames.length];
        bias = new double[Genre.COUNT];
        Arrays.fill(bias, Double.NEGATIVE_INFINITY);
        for (int g = 0; g < Genre.COUNT; g++) {
            int out = outs.getID(new Label(Genre.ofIndex(g).wireName()));
            if (out < 0) {
                continue;
            }
            bias[g] = weights.get(out, biasCol);
            for (int i = 0; i < featureNames.length; i++) {
                int id = fmap.getID(featureNames[i]);
                w[g][i] = id < 0 ? 0.0 : weights.get(out, id);
            }
        }
        for (var pair : outs) {
            if (Genre.fromWireName(pair.getB().getLabel()).isEmpty()) {
                throw new IllegalArgumentException("model output " + pair.getB().getLabel() + " is not a genre of vocabulary "
                        + Genre.VOCABULARY_VERSION);
            }
        }
    }

    /** Trains the classifier; rows with weight 0 are skipped. */
    public static GenreClassifier train(String what, String[] featureNames, List<Row> rows, int epochs, double learningRate,
                                        long seed) {
        return train(what, featureNames, rows, epochs, learningRate, seed, null);
    }

    /**
     * As above; with {@code warmFrom} (a classifier of an earlier model over the same kind of features)
     * training starts from its weights, matched by feature and genre name, instead of zeros.
     */
    public static GenreClassifier train(String what, String[] featureNames, List<Row> rows, int epochs, double learningRate,
                                        long seed, GenreClassifier warmFrom) {
        LabelFactory factory = new LabelFactory();
        MutableDataset<Label> ds = new MutableDataset<>(new SimpleDataSourceProvenance("moerec " + what, EPOCH, factory), factory);
        for (Row r : rows) {
            if (r.weight() > 0) {
                ds.add(example(featureNames, r.x(), new Label(Genre.ofIndex(r.genre()).wireName()), r.weight()));
            }
        }
        if (ds.size() == 0) {
            throw new IllegalArgumentException(what + ": no training rows");
        }
        if (warmFrom != null) {
            return new GenreClassifier(featureNames, new WarmLinearSGDTrainer(warmFrom.model, new AdaGrad(learningRate, 1e-6), epochs, 1,
                    seed).trainFrom(ds));
        }
        LinearSGDTrainer trainer = new LinearSGDTrainer(new LogMulticlass(), new AdaGrad(learningRate, 1e-6), epochs,
                Integer.MAX_VALUE, 1, seed);
        return new GenreClassifier(featureNames, trainer.train(ds));
    }

    private static ArrayExample<Label> example(String[] names, double[] x, Label label, float weight) {
        ExpertFeatures.Features ex = new ExpertFeatures.Features();
        for (int i = 0; i < names.length; i++) {
            if (x[i] != 0.0) {
                ex.add(names[i], x[i]);
            }
        }
        return ex.toExample(label, weight);
    }

    public int dimension() {
        return featureNames.length;
    }

    public String[] featureNames() {
        return featureNames.clone();
    }

    public LinearSGDModel model() {
        return model;
    }

    /** Compiled logits per genre into {@code out} (length {@link Genre#COUNT}). */
    public void logits(double[] x, double[] out) {
        for (int g = 0; g < Genre.COUNT; g++) {
            if (bias[g] == Double.NEGATIVE_INFINITY) {
                out[g] = Double.NEGATIVE_INFINITY;
                continue;
            }
            double z = bias[g];
            double[] wg = w[g];
            for (int i = 0; i < wg.length; i++) {
                z += wg[i] * x[i];
            }
            out[g] = z;
        }
    }

    /** Compiled probabilities per genre (softmax of {@link #logits}) into {@code out}. */
    public void probabilities(double[] x, double[] out) {
        logits(x, out);
        MoeMath.softmax(out, out);
    }

    /** Tribuo's own probabilities per genre (0 for genres it has no output for): the slow reference path. */
    public double[] tribuoProbabilities(double[] x) {
        Map<String, Label> scores = model.predict(example(featureNames, x, LabelFactory.UNKNOWN_LABEL, 1f)).getOutputScores();
        double[] p = new double[Genre.COUNT];
        for (int g = 0; g < Genre.COUNT; g++) {
            Label l = scores.get(Genre.ofIndex(g).wireName());
            p[g] = l == null ? 0.0 : l.getScore();
        }
        return p;
    }

    @Override
    public String toString() {
        return "GenreClassifier[" + Objects.toString(model.getProvenance().getClassName()) + ", " + featureNames.length + " features]";
    }
}
