package io.moerec.moe.model;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Objects;
import org.tribuo.Example;
import org.tribuo.ImmutableFeatureMap;
import org.tribuo.Model;
import org.tribuo.MutableDataset;
import org.tribuo.Prediction;
import org.tribuo.classification.Label;
import org.tribuo.classification.LabelFactory;
import org.tribuo.classification.sgd.fm.FMClassificationModel;
import org.tribuo.classification.sgd.fm.FMClassificationTrainer;
import org.tribuo.classification.sgd.linear.LinearSGDModel;
import org.tribuo.classification.sgd.linear.LinearSGDTrainer;
import org.tribuo.classification.sgd.objectives.LogMulticlass;
import org.tribuo.math.la.DenseMatrix;
import org.tribuo.math.la.DenseVector;
import org.tribuo.math.la.Tensor;
import org.tribuo.math.optimisers.AdaGrad;
import org.tribuo.provenance.SimpleDataSourceProvenance;

/**
 * One expert of the MoE: a Tribuo binary classifier (labels {@link #POSITIVE} / {@link #NEGATIVE})
 * of (user, movie) pairs, trained on one genre's interactions with sampled negatives, or on all genres
 * for the single global baseline. Holds the Tribuo model (the artefact that is saved, with its
 * provenance) and can compile it for a {@link MovieTable}. {@link #tribuoProbability} is the naive,
 * slow path kept for the equality test and the benchmark.
 */
public final class GenreExpert {

    public static final Label POSITIVE = new Label("pos");
    public static final Label NEGATIVE = new Label("neg");
    /** Fixed data-provenance time so that the same data and seed give byte-identical models. */
    private static final OffsetDateTime EPOCH = OffsetDateTime.of(1970, 1, 1, 0, 0, 0, 0, ZoneOffset.UTC);

    private final String name;
    private final ExpertKind kind;
    private final Model<Label> model;
    /** For a residual expert, the shared expert whose logit is its {@link ExpertFeatures#OFFSET} feature; else null. */
    private final GenreExpert base;

    public GenreExpert(String name, ExpertKind kind, Model<Label> model) {
        this(name, kind, model, null);
    }

    /**
     * @param base the shared expert this expert is a residual on (its logit is the offset feature), or
     *             null; a residual expert and its base must both be LINEAR so that compiling can fold them
     */
    public GenreExpert(String name, ExpertKind kind, Model<Label> model, GenreExpert base) {
        this.base = base;
        if (base != null && (kind != ExpertKind.LINEAR || base.kind != ExpertKind.LINEAR || base.base != null)) {
            throw new IllegalArgumentException(name + ": a residual expert and its base must be LINEAR, the base not itself residual");
        }
        this.name = Objects.requireNonNull(name, "name");
        this.kind = Objects.requireNonNull(kind, "kind");
        this.model = Objects.requireNonNull(model, "model");
        if (kind == ExpertKind.LINEAR && !(model instanceof LinearSGDModel)) {
            throw new IllegalArgumentException(name + ": a LINEAR expert needs a LinearSGDModel, got " + model.getClass().getName());
        }
        if (kind == ExpertKind.FM && !(model instanceof FMClassificationModel)) {
            throw new IllegalArgumentException(name + ": an FM expert needs an FMClassificationModel, got " + model.getClass().getName());
        }
        if (model.getOutputIDInfo().getID(POSITIVE) < 0 || model.getOutputIDInfo().getID(NEGATIVE) < 0) {
            throw new IllegalArgumentException(name + ": the model must know both labels pos and neg");
        }
    }

    /** Trains an expert; examples must contain both positives and negatives. */
    public static GenreExpert train(String name, ExpertHyperParameters hp, List<ExpertExample> examples,
                                    MovieTable table, long seed) {
        return train(name, hp, examples, table, seed, null);
    }

    /**
     * Trains an expert; with a {@code base} a residual expert whose examples carry the base's logit as
     * their offset (examples must then have a finite {@link ExpertExample#offset}).
     */
    public static GenreExpert train(String name, ExpertHyperParameters hp, List<ExpertExample> examples,
                                    MovieTable table, long seed, GenreExpert base) {
        return train(name, hp, examples, table, seed, base, null, hp.epochs());
    }

    /**
     * As above; with {@code warmFrom} (a LINEAR expert of an earlier model, say the serving one) a
     * LINEAR expert starts from its weights, matched by feature name, and trains {@code warmEpochs}
     * epochs instead of {@link ExpertHyperParameters#epochs()} (a warm start); null trains from zero.
     */
    public static GenreExpert train(String name, ExpertHyperParameters hp, List<ExpertExample> examples,
                                    MovieTable table, long seed, GenreExpert base, GenreExpert warmFrom, int warmEpochs) {
        LabelFactory factory = new LabelFactory();
        MutableDataset<Label> ds = new MutableDataset<>(new SimpleDataSourceProvenance("moerec expert " + name, EPOCH, factory), factory);
        for (ExpertExample e : examples) {
            if (base != null && !Double.isFinite(e.offset())) {
                throw new IllegalArgumentException(name + ": a residual expert's examples need the base's logit as offset");
            }
            ds.add(ExpertFeatures.toExample(e.user(), table, e.movie(), e.pair(), base == null ? Double.NaN : e.offset(), hp.kind(),
                    e.positive() ? POSITIVE : NEGATIVE, 1.0f));
        }
        AdaGrad optimiser = new AdaGrad(hp.learningRate(), 1e-6);
        Model<Label> model;
        if (hp.kind() == ExpertKind.LINEAR && warmFrom != null && warmFrom.model instanceof LinearSGDModel init) {
            model = new WarmLinearSGDTrainer(init, optimiser, warmEpochs, hp.minibatch(), seed).trainFrom(ds);
        } else if (hp.kind() == ExpertKind.LINEAR) {
            model = new LinearSGDTrainer(new LogMulticlass(), optimiser, hp.epochs(), Integer.MAX_VALUE, hp.minibatch(), seed).train(ds);
        } else {
            model = new FMClassificationTrainer(new LogMulticlass(), optimiser, hp.epochs(), Integer.MAX_VALUE, hp.minibatch(), seed,
                    hp.factors(), hp.factorVariance()).train(ds);
        }
        return new GenreExpert(name, hp.kind(), model, base);
    }

    /**
     * A residual expert's weight on its offset (the shared expert's logit): near 1 when the expert keeps
     * the shared model and adds genre corrections; 0 for a plain expert.
     */
    public double offsetWeight() {
        int oid = model.getFeatureIDMap().getID(ExpertFeatures.OFFSET);
        if (base == null || oid < 0) {
            return 0;
        }
        DenseMatrix w = ((LinearSGDModel) model).getWeightsCopy();
        return w.get(model.getOutputIDInfo().getID(POSITIVE), oid) - w.get(model.getOutputIDInfo().getID(NEGATIVE), oid);
    }

    /** The shared expert this one is a residual on, or null. */
    public GenreExpert base() {
        return base;
    }

    public String name() {
        return name;
    }

    public ExpertKind kind() {
        return kind;
    }

    public Model<Label> model() {
        return model;
    }

    /** Tribuo's own probability of {@link #POSITIVE} for a pair: the slow reference path. */
    public double tribuoProbability(double[] u, MovieTable table, int movie, double knn) {
        return tribuoProbability(u, table, movie, ExpertFeatures.knnOnly(knn));
    }

    /** The same with all pair signals. */
    public double tribuoProbability(double[] u, MovieTable table, int movie, double[] pair) {
        double offset = base == null ? Double.NaN : base.tribuoLogit(u, table, movie, pair);
        Example<Label> ex = ExpertFeatures.toExample(u, table, movie, pair, offset, kind, LabelFactory.UNKNOWN_LABEL, 1.0f);
        Prediction<Label> p = model.predict(ex);
        return p.getOutputScores().get(POSITIVE.getLabel()).getScore();
    }

    /** Tribuo's log-odds of {@link #POSITIVE} (log p(pos) − log p(neg), exact for the two-label softmax). */
    public double tribuoLogit(double[] u, MovieTable table, int movie, double knn) {
        return tribuoLogit(u, table, movie, ExpertFeatures.knnOnly(knn));
    }

    /** The same with all pair signals. */
    public double tribuoLogit(double[] u, MovieTable table, int movie, double[] pair) {
        double offset = base == null ? Double.NaN : base.tribuoLogit(u, table, movie, pair);
        Example<Label> ex = ExpertFeatures.toExample(u, table, movie, pair, offset, kind, LabelFactory.UNKNOWN_LABEL, 1.0f);
        var scores = model.predict(ex).getOutputScores();
        return Math.log(scores.get(POSITIVE.getLabel()).getScore()) - Math.log(scores.get(NEGATIVE.getLabel()).getScore());
    }

    /** Compiles the weights into flat arrays for {@code table}, which must be the table trained on. */
    public CompiledExpert compile(MovieTable table) {
        ImmutableFeatureMap fmap = model.getFeatureIDMap();
        int n = ExpertFeatures.size(table.size());
        int[] tribuoId = new int[n];
        for (int i = 0; i < n; i++) {
            tribuoId[i] = fmap.getID(ExpertFeatures.name(i, table));
        }
        int pos = model.getOutputIDInfo().getID(POSITIVE);
        int neg = model.getOutputIDInfo().getID(NEGATIVE);
        if (kind == ExpertKind.LINEAR) {
            DenseMatrix w = ((LinearSGDModel) model).getWeightsCopy();
            int biasCol = fmap.size();
            if (w.getDimension2Size() != biasCol + 1) {
                throw new IllegalStateException(name + ": expected " + (biasCol + 1) + " weight columns (features + bias), got "
                        + w.getDimension2Size());
            }
            double[] d = new double[n];
            for (int i = 0; i < n; i++) {
                int id = tribuoId[i];
                d[i] = id < 0 ? 0.0 : w.get(pos, id) - w.get(neg, id);
            }
            double bias = w.get(pos, biasCol) - w.get(neg, biasCol);
            if (base != null) {
                // logit = a · base logit + own terms, and the base is linear in the same features: fold it in.
                double a = offsetWeight();
                CompiledLinearExpert b = (CompiledLinearExpert) base.compile(table);
                double[] bd = b.weights();
                for (int i = 0; i < n; i++) {
                    d[i] += a * bd[i];
                }
                bias += a * b.bias();
            }
            return CompiledLinearExpert.of(bias, d, table);
        }
        FMClassificationModel fm = (FMClassificationModel) model;
        DenseMatrix lin = fm.getLinearWeightsCopy();
        DenseVector b = fm.getBiasesCopy();
        Tensor[] factors = fm.getFactorsCopy();
        if (lin.getDimension2Size() != fmap.size()) {
            throw new IllegalStateException(name + ": expected " + fmap.size() + " FM weight columns, got " + lin.getDimension2Size());
        }
        int[] labels = {neg, pos};
        double[] bias = new double[2];
        double[][] w = new double[2][n];
        double[][][] v = new double[2][][];
        for (int l = 0; l < 2; l++) {
            int out = labels[l];
            bias[l] = b.get(out);
            DenseMatrix f = (DenseMatrix) factors[out];
            int k = f.getDimension1Size();
            v[l] = new double[k][n];
            for (int i = 0; i < n; i++) {
                int id = tribuoId[i];
                if (id >= 0) {
                    w[l][i] = lin.get(out, id);
                    for (int q = 0; q < k; q++) {
                        v[l][q][i] = f.get(q, id);
                    }
                }
            }
        }
        return CompiledFmExpert.of(bias, w, v, table);
    }
}
