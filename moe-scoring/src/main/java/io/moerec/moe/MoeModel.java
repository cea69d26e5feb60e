package io.moerec.moe;

import io.moerec.ingest.domain.Genre;
import io.moerec.moe.model.CandidateGenerator;
import io.moerec.moe.model.CompiledExpert;
import io.moerec.moe.model.GenreClassifier;
import io.moerec.moe.model.GenreExpert;
import io.moerec.moe.model.ItemNeighbours;
import io.moerec.moe.model.ItemToItem;
import io.moerec.moe.model.MovieTable;
import io.moerec.moe.model.SamplingCorrection;
import io.moerec.moe.routing.BalancedRouter;
import io.moerec.moe.routing.DenseRouter;
import io.moerec.moe.routing.EigenBasis;
import io.moerec.moe.routing.EigenRouter;
import io.moerec.moe.routing.Router;
import io.moerec.moe.routing.RouterKind;
import io.moerec.moe.routing.SoftmaxRouter;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;

/**
 * A trained genre-expert MoE: the movie table, its item neighbourhoods and the sparse item-to-item
 * model of the first stage, one Tribuo expert per genre (null where a genre had
 * too little data), the gate, the eigen router's basis and energy model, the balanced router's
 * calibrated bias, the configuration and the provenance. Experts are compiled once, at construction,
 * and {@link #scorer(RouterKind)} hands out a thread-safe {@link MoeScorer} per router. Immutable.
 */
public final class MoeModel {

    private final MovieTable table;
    private final GenreExpert[] experts;
    private final GenreClassifier gate;
    private final EigenBasis eigenBasis;
    private final GenreClassifier energyModel;
    private final double[] balancedBias;
    private final TrainingConfig config;
    private final TrainingProvenance provenance;
    private final CompiledExpert[] compiled;
    private final String version;
    private final double[][] correction;
    private final ItemNeighbours neighbours;
    private final ItemToItem itemToItem;
    /** The two-stage path's first stage over {@link #itemToItem}, or null when {@code train.candidates} is 0. */
    private final CandidateGenerator candidates;
    private final GenreExpert shared;
    private final CompiledExpert sharedCompiled;
    private final double[] sharedCorrection;
    private final Map<RouterKind, MoeScorer> scorers = new EnumMap<>(RouterKind.class);

    public MoeModel(MovieTable table, GenreExpert[] experts, GenreClassifier gate, EigenBasis eigenBasis,
                    GenreClassifier energyModel, double[] balancedBias, ItemNeighbours neighbours, ItemToItem itemToItem,
                    TrainingConfig config, TrainingProvenance provenance) {
        this(table, experts, gate, eigenBasis, energyModel, balancedBias, neighbours, itemToItem, config, provenance, null,
                UNSAVED);
    }

    /** Without a shared expert, with already compiled experts and a version (see the full constructor). */
    public MoeModel(MovieTable table, GenreExpert[] experts, GenreClassifier gate, EigenBasis eigenBasis,
                    GenreClassifier energyModel, double[] balancedBias, ItemNeighbours neighbours, ItemToItem itemToItem,
                    TrainingConfig config, TrainingProvenance provenance, CompiledExpert[] compiled, String version) {
        this(table, experts, gate, eigenBasis, energyModel, balancedBias, neighbours, itemToItem, config, provenance, compiled,
                version, null, null);
    }

    /** The version of a model that has not been saved as a bundle yet. */
    public static final String UNSAVED = "unsaved";

    /**
     * With already compiled experts (as a bundle stores them; {@code compiled} null compiles here), the
     * bundle's version and the shared, always-on expert ({@code shared} null: none; {@code sharedCompiled}
     * null compiles it here). A shared expert is required exactly when {@code config.sharedWeight() > 0}.
     */
    public MoeModel(MovieTable table, GenreExpert[] experts, GenreClassifier gate, EigenBasis eigenBasis,
                    GenreClassifier energyModel, double[] balancedBias, ItemNeighbours neighbours, ItemToItem itemToItem,
                    TrainingConfig config, TrainingProvenance provenance, CompiledExpert[] compiled, String version,
                    GenreExpert shared, CompiledExpert sharedCompiled) {
        if ((shared != null) != config.trainsSharedExpert()) {
            throw new IllegalArgumentException("train.sharedWeight " + config.sharedWeight() + ", train.residualExperts "
                    + config.residualExperts() + " but " + (shared == null ? "no" : "a") + " shared expert");
        }
        this.shared = shared;
        this.sharedCompiled = shared == null ? null : sharedCompiled != null ? sharedCompiled : shared.compile(table);
        this.sharedCorrection = shared == null ? null
                : SamplingCorrection.logCorrection(allMovies(table.size()), table, config.popularityExponent(),
                config.negativesPerPositive());
        this.neighbours = Objects.requireNonNull(neighbours, "neighbours");
        if (neighbours.movies() != table.size()) {
            throw new IllegalArgumentException("neighbour lists cover " + neighbours.movies() + " movies, the table " + table.size());
        }
        this.itemToItem = Objects.requireNonNull(itemToItem, "itemToItem");
        this.candidates = config.firstStage().enabled()
                ? new CandidateGenerator(itemToItem, table, config.firstStage().candidates(),
                config.firstStage().contextSignals()) : null;
        if (itemToItem.items() != table.size()) {
            throw new IllegalArgumentException("the item-to-item model covers " + itemToItem.items() + " movies, the table "
                    + table.size());
        }
        this.version = Objects.requireNonNull(version, "version");
        this.table = Objects.requireNonNull(table, "table");
        if (experts.length != Genre.COUNT) {
            throw new IllegalArgumentException("need " + Genre.COUNT + " expert slots, got " + experts.length);
        }
        this.experts = experts.clone();
        this.gate = Objects.requireNonNull(gate, "gate");
        this.eigenBasis = Objects.requireNonNull(eigenBasis, "eigenBasis");
        this.energyModel = Objects.requireNonNull(energyModel, "energyModel");
        this.balancedBias = balancedBias.clone();
        this.config = Objects.requireNonNull(config, "config");
        this.provenance = Objects.requireNonNull(provenance, "provenance");
        if (compiled == null) {
            compiled = new CompiledExpert[Genre.COUNT];
            for (int g = 0; g < Genre.COUNT; g++) {
                compiled[g] = experts[g] == null ? null : experts[g].compile(table);
            }
        }
        this.compiled = compiled.clone();
        if (config.softExperts() > 0) {
            // Soft experts are trained against negatives from the whole catalog: every one gets its correction.
            double[] all = SamplingCorrection.logCorrection(allMovies(table.size()), table, config.popularityExponent(),
                    config.negativesPerPositive());
            this.correction = new double[Genre.COUNT][];
            java.util.Arrays.fill(this.correction, all);
        } else {
            this.correction = SamplingCorrection.perGenre(table, config.popularityExponent(), config.negativesPerPositive());
        }
        for (RouterKind k : RouterKind.values()) {
            scorers.put(k, scorer(router(k)));
        }
    }

    /** Dense indices 0 … n − 1: the candidates of a model over the whole catalog. */
    public static int[] allMovies(int n) {
        int[] all = new int[n];
        for (int i = 0; i < n; i++) {
            all[i] = i;
        }
        return all;
    }

    /** The shared, always-on expert, or null when the model has none ({@code train.sharedWeight} 0). */
    public GenreExpert sharedExpert() {
        return shared;
    }

    public CompiledExpert sharedCompiled() {
        return sharedCompiled;
    }

    /** The shared expert's sampling correction per movie (over the whole catalog), or null. */
    public double[] sharedCorrection() {
        return sharedCorrection == null ? null : sharedCorrection.clone();
    }

    /**
     * The same trained parts under another configuration that changes only how they are combined
     * ({@code train.sharedWeight}, which may drop the shared expert but not add one, {@code train.normaliseMixture}, {@code train.topK},
     * {@code train.gateLift}): for validation grids over the mixture without retraining.
     */
    public MoeModel withMixture(TrainingConfig mixture) {
        if (mixture.residualExperts() != config.residualExperts() || mixture.softExperts() != config.softExperts()) {
            throw new IllegalArgumentException("withMixture cannot change train.residualExperts or train.softExperts");
        }
        if (mixture.trainsSharedExpert() && shared == null) {
            throw new IllegalArgumentException("withMixture cannot add a shared expert the model was trained without");
        }
        boolean keep = mixture.trainsSharedExpert();
        return new MoeModel(table, experts, gate, eigenBasis, energyModel, balancedBias, neighbours, itemToItem, mixture,
                provenance, compiled, version, keep ? shared : null, keep ? sharedCompiled : null);
    }

    /**
     * The shared expert alone over the same first stage (no genre experts, so no routing: every router's
     * weight falls back to the shared expert, whose score then orders the candidates): the global model
     * of the same two-stage design, trained on the same candidate examples.
     */
    public MoeModel sharedOnly() {
        if (shared == null) {
            throw new IllegalStateException("the model has no shared expert");
        }
        return new MoeModel(table, new GenreExpert[Genre.COUNT], gate, eigenBasis, energyModel, balancedBias, neighbours, itemToItem,
                config, provenance, new CompiledExpert[Genre.COUNT], version, shared, sharedCompiled);
    }

    /** A fresh router of the given kind over this model's gate (balanced: from the calibrated bias). */
    public Router router(RouterKind kind) {
        return switch (kind) {
            case SOFTMAX -> config.gateLift() == 0 ? new SoftmaxRouter(gate, config.topK())
                    : new SoftmaxRouter(gate, config.topK(), liftShift(table, config.gateLift()));
            case BALANCED -> new BalancedRouter(gate, config.topK(), config.balancedRate(), balancedBias);
            case EIGEN -> new EigenRouter(eigenBasis, energyModel, config.topK());
            case DENSE -> new DenseRouter(gate);
        };
    }

    /**
     * −α·log p(g) with p(g) the genre's share of training interactions (a movie's count split evenly over
     * its genres, +1 smoothing): derived from the movie table, so bundles need no extra file.
     */
    static double[] liftShift(MovieTable table, double alpha) {
        double[] mass = new double[Genre.COUNT];
        double total = 0;
        for (int m = 0; m < table.size(); m++) {
            int bits = table.genreBits(m);
            int n = Integer.bitCount(bits);
            for (int g = 0; g < Genre.COUNT && n > 0; g++) {
                if (((bits >>> g) & 1) != 0) {
                    mass[g] += (double) table.interactions(m) / n;
                }
            }
        }
        for (int g = 0; g < Genre.COUNT; g++) {
            mass[g] += 1;
            total += mass[g];
        }
        double[] shift = new double[Genre.COUNT];
        for (int g = 0; g < Genre.COUNT; g++) {
            shift[g] = -alpha * Math.log(mass[g] / total);
        }
        return shift;
    }

    public MoeScorer scorer(RouterKind kind) {
        return scorers.get(kind);
    }

    /** A scorer with a router supplied by the caller (e.g. a balanced router updated online). */
    public MoeScorer scorer(Router router) {
        // A shared expert kept only as the residual experts' base (λ = 0) does not score on its own on the
        // single-stage path; on the two-stage path it takes the weight not routed to a movie's genres.
        boolean mixShared = config.sharedWeight() > 0 || candidates != null;
        // The two-stage experts read knn only when trained with it; without, the scorer skips computing it.
        ItemNeighbours knn = candidates == null || config.firstStage().knnSignal() ? neighbours : null;
        return new MoeScorer(table, compiled, correction, knn, router, mixShared ? sharedCompiled : null,
                mixShared ? sharedCorrection : null, config.sharedWeight(), config.normaliseMixture(), config.softExperts() > 0,
                candidates);
    }

    /** The bundle version ({@code moe-<content hash>}) or {@link #UNSAVED}: goes into every recommendation list. */
    public String version() {
        return version;
    }

    public MovieTable table() {
        return table;
    }

    /** The expert of a genre, or null. */
    public GenreExpert expert(int genre) {
        return experts[genre];
    }

    public CompiledExpert compiledExpert(int genre) {
        return compiled[genre];
    }

    /** The sampling correction of a genre's expert, per movie (see {@link SamplingCorrection}). */
    public double correction(int genre, int movie) {
        return correction[genre][movie];
    }

    public ItemNeighbours neighbours() {
        return neighbours;
    }

    /** The two-stage path's first stage, or null when the model scores on the single-stage path ({@code train.candidates} 0). */
    public CandidateGenerator candidateGenerator() {
        return candidates;
    }

    /** The sparse item-to-item model of the first stage, fitted on all training watches. */
    public ItemToItem itemToItem() {
        return itemToItem;
    }

    public GenreClassifier gate() {
        return gate;
    }

    public EigenBasis eigenBasis() {
        return eigenBasis;
    }

    public GenreClassifier energyModel() {
        return energyModel;
    }

    public double[] balancedBias() {
        return balancedBias.clone();
    }

    public TrainingConfig config() {
        return config;
    }

    public TrainingProvenance provenance() {
        return provenance;
    }
}
