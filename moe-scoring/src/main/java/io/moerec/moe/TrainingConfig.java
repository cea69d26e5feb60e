package io.moerec.moe;

import static io.moerec.ingest.config.ConfigValues.parseBoolean;
import static io.moerec.ingest.config.ConfigValues.parseDouble;
import static io.moerec.ingest.config.ConfigValues.parseInt;
import static io.moerec.ingest.config.ConfigValues.parseLong;
import static io.moerec.ingest.config.ConfigValues.require;
import static io.moerec.ingest.config.ConfigValues.requireAtLeast;
import static io.moerec.ingest.config.ConfigValues.requireInRange;
import static io.moerec.ingest.config.ConfigValues.requireNonNegative;

import io.moerec.features.FeatureConfig;
import io.moerec.moe.model.ExpertHyperParameters;
import io.moerec.moe.model.ExpertKind;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Everything that determines a trained MoE, validated when built (a bad value fails with its key in
 * the message). Defaults live in {@link #defaults()} and nowhere else; {@link #toMap()} is what the
 * bundle's provenance records.
 *
 * @param seed                   seeds negative sampling and every Tribuo trainer; same data + seed ⇒ same model
 * @param topK                   experts chosen per user by the sparse routers
 * @param negativesPerPositive   sampled negatives per observed interaction, per expert
 * @param popularityExponent     negatives are drawn ∝ (interactions + 1)^exponent within the genre
 *                               (0 = uniform, 1 = popularity; 0.75 as in word2vec)
 * @param expert                 expert family and SGD settings
 * @param gateEpochs             SGD epochs of the gate and of the eigen router's energy model
 * @param gateLearningRate       AdaGrad rate of those two models
 * @param eigenRank              r, the number of eigen directions of the eigen router
 * @param balancedRate           bias step of the balanced router per batch
 * @param balancedBatch          users per bias update while calibrating
 * @param balancedUpdates        bias updates performed while calibrating (passes over the users as needed)
 * @param minPositivesPerExpert  a genre with fewer training interactions gets no expert
 * @param maxPositivesPerExpert  cap on positives per expert (a seeded subsample beyond it), bounding training time
 * @param features               the feature-logic configuration the training features were computed with;
 *                               serving must use the same
 * @param gateLift               α of the softmax router: it chooses its top-k by log p(g|u) − α·log p(g), the
 *                               gate's preference relative to each genre's base rate (lift), and weighs the
 *                               chosen experts by p(g|u) as before; 0 (the default) is the plain gate
 * @param sharedWeight           λ of the shared, always-on expert (DeepSeekMoE-style): a model of the same family
 *                               trained on every genre's interactions, scoring every catalog movie, added to the
 *                               routed part as λ·P_shared(m | u); 0 trains no shared expert (the plain mixture of genre experts);
 *                               on the two-stage path the shared expert also takes the weight not routed to a movie's genres
 * @param normaliseMixture       the routed part of a movie is divided by the summed weight of its chosen genres
 *                               (a weighted mean of its experts' outputs) instead of summed over them, so that a
 *                               multi-genre movie is not favoured for belonging to several chosen genres
 * @param residualExperts        genre experts are trained as residuals on the shared expert: each example carries
 *                               the shared expert's logit as an offset feature, so an expert starts at the global
 *                               model and learns genre-conditional corrections (LINEAR only; trains the shared expert
 *                               even when {@code sharedWeight} is 0)
 * @param softExperts            0 (default): each expert learns from its genre's interactions and scores its genre's
 *                               movies (the genre-expert formula). c > 0: a classic mixture of experts over users instead;
 *                               every interaction goes to expert e with probability min(1, c·p(e | u)) under the
 *                               trained gate (its responsibility), negatives come from the whole catalog, and each
 *                               chosen expert scores every catalog movie
 * @param firstStage             the item-to-item first stage and the candidate distribution the experts learn on
 */
public record TrainingConfig(long seed, int topK, int negativesPerPositive, double popularityExponent,
                             ExpertHyperParameters expert, int gateEpochs, double gateLearningRate, int eigenRank,
                             double balancedRate, int balancedBatch, int balancedUpdates, int minPositivesPerExpert,
                             int maxPositivesPerExpert, FeatureConfig features, double gateLift, double sharedWeight,
                             boolean normaliseMixture, boolean residualExperts, double softExperts,
                             FirstStage firstStage) {

    /**
     * The two-stage path: an EASE item-to-item model fitted on the training watches and kept sparse
     * gives each user's candidates from their recent watches; the experts re-rank only those.
     *
     * @param lambda        EASE's regularisation λ ({@code train.itemToItem.lambda})
     * @param neighbours    weights kept per item, the largest positive ones ({@code train.itemToItem.neighbours})
     * @param folds         user folds for the training features: a user's examples read a first stage fitted
     *                      on the other folds' users, so their own co-occurrences do not leak into them
     *                      ({@code train.itemToItem.folds}, ≥ 2)
     * @param candidates    C, the candidates scored per user (popular movies fill up a short list);
     *                      0 turns the two-stage path off: the experts score the whole catalog (or their
     *                      genres) with sampled negatives, as before ({@code train.candidates})
     * @param hardNegatives of the {@code negativesPerPositive} negatives, how many are drawn uniformly from the
     *                      profile's candidates; the rest are sampled by popularity ({@code train.hardNegatives})
     * @param contextSignals whether the experts read each candidate's
     *                      {@link io.moerec.moe.model.ContextSignals} ({@code train.contextSignals})
     * @param knnSignal     whether the experts read the candidate's knn signal (its mean cosine similarity to the
     *                      recent watches, {@link io.moerec.moe.model.ItemNeighbours}) next to the first stage's
     *                      own scores; off, it is 0 in training and scoring and costs nothing ({@code train.knnSignal})
     */
    public record FirstStage(double lambda, int neighbours, int folds, int candidates, int hardNegatives,
                             boolean contextSignals, boolean knnSignal) {

        /** With the defaults for context signals and the knn signal. */
        public FirstStage(double lambda, int neighbours, int folds, int candidates, int hardNegatives) {
            this(lambda, neighbours, folds, candidates, hardNegatives, DEFAULT_CONTEXT_SIGNALS, DEFAULT_KNN_SIGNAL);
        }

        public FirstStage {
            require(lambda > 0, "train.itemToItem.lambda", "must be positive", lambda);
            requireAtLeast("train.itemToItem.neighbours", neighbours, 1);
            requireInRange("train.itemToItem.folds", folds, 2, 20);
            requireNonNegative("train.candidates", candidates);
            requireNonNegative("train.hardNegatives", hardNegatives);
        }

        /** Whether scoring and training take the two-stage path. */
        public boolean enabled() {
            return candidates > 0;
        }
    }

    public TrainingConfig {
        Objects.requireNonNull(expert, "expert");
        Objects.requireNonNull(firstStage, "firstStage");
        require(firstStage.hardNegatives() <= negativesPerPositive, "train.hardNegatives",
                "must not exceed train.negativesPerPositive " + negativesPerPositive, firstStage.hardNegatives());
        Objects.requireNonNull(features, "features");
        requireInRange("train.topK", topK, 1, io.moerec.ingest.domain.Genre.COUNT);
        requireAtLeast("train.negativesPerPositive", negativesPerPositive, 1);
        requireInRange("train.popularityExponent", popularityExponent, 0, 2);
        requireAtLeast("train.gateEpochs", gateEpochs, 1);
        require(gateLearningRate > 0, "train.gateLearningRate", "must be positive", gateLearningRate);
        requireInRange("train.eigenRank", eigenRank, 1, io.moerec.moe.model.UserVector.DIM);
        require(balancedRate > 0, "train.balancedRate", "must be positive", balancedRate);
        requireAtLeast("train.balancedBatch", balancedBatch, 1);
        requireNonNegative("train.balancedUpdates", balancedUpdates);
        requireAtLeast("train.minPositivesPerExpert", minPositivesPerExpert, 1);
        requireAtLeast("train.maxPositivesPerExpert", maxPositivesPerExpert, minPositivesPerExpert);
        requireInRange("train.gateLift", gateLift, 0, 2);
        requireInRange("train.sharedWeight", sharedWeight, 0, 100);
        requireInRange("train.softExperts", softExperts, 0, 18);
        require(!residualExperts || expert.kind() == ExpertKind.LINEAR, "train.residualExperts",
                "needs expert.kind LINEAR", "expert.kind " + expert.kind());
    }

    /**
     * Whether the defaults give the experts the candidates' context signals: off. On the validation cut they
     * moved every router by about +0.003 NDCG@10, within run-to-run noise, and they cost per-user scoring
     * work; the simpler model stays the default until a signal shows a clear gain.
     */
    static final boolean DEFAULT_CONTEXT_SIGNALS = false;

    /**
     * Whether the two-stage experts read the knn signal by default: no. On the validation cut the default
     * router scored the same without it (0.1489 both ways, with 50 weights per item), and computing it was
     * about a sixth of a request; the first stage's own scores at four half-lives carry the same history.
     */
    static final boolean DEFAULT_KNN_SIGNAL = false;

    /**
     * The defaults. The mixture (shared expert of weight 3, genre experts trained as residuals on it,
     * top-2 softmax routing, summed routed part) was chosen on the ml-latest-small validation cut, see
     * the module README.
     */
    public static TrainingConfig defaults() {
        return new TrainingConfig(42L, 2, 4, 0.0, ExpertHyperParameters.DEFAULT, 10, 0.5, 16, 0.02, 256, 300, 20,
                200_000, FeatureConfig.defaults(), 0.0, 3.0, false, true, 0.0,
                new FirstStage(400, 40, 3, 200, 3));
    }

    public TrainingConfig withSeed(long s) {
        return with(c -> c.seed = s);
    }

    public TrainingConfig withExpert(ExpertHyperParameters e) {
        return with(c -> c.expert = e);
    }

    public TrainingConfig withExpertKind(ExpertKind k) {
        return withExpert(expert.withKind(k));
    }

    public TrainingConfig withGate(int epochs, double learningRate) {
        return with(c -> {
            c.gateEpochs = epochs;
            c.gateLearningRate = learningRate;
        });
    }

    public TrainingConfig withEigenRank(int r) {
        return with(c -> c.eigenRank = r);
    }

    public TrainingConfig withPopularityExponent(double e) {
        return with(c -> c.popularityExponent = e);
    }

    public TrainingConfig withGateLift(double alpha) {
        return with(c -> c.gateLift = alpha);
    }

    public TrainingConfig withTopK(int k) {
        return with(c -> c.topK = k);
    }

    public TrainingConfig withMinPositivesPerExpert(int n) {
        return with(c -> {
            c.minPositivesPerExpert = n;
            c.maxPositivesPerExpert = Math.max(n, maxPositivesPerExpert);
        });
    }

    /**
     * Reads the keys of {@link #toMap()}; a missing key takes its default, an unknown {@code train.},
     * {@code expert.} or {@code features.} key or a malformed value fails with the key's name.
     */
    public static TrainingConfig fromMap(Map<String, String> settings) {
        Map<String, String> v = defaults().toMap();
        Map<String, String> feat = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : settings.entrySet()) {
            String k = e.getKey();
            if (k.startsWith("features.")) {
                feat.put(k, e.getValue());
            } else if (!v.containsKey(k)) {
                throw new IllegalArgumentException("unknown training setting " + k);
            } else {
                v.put(k, e.getValue());
            }
        }
        ExpertHyperParameters expert = new ExpertHyperParameters(expertKind(v.get("expert.kind")),
                parseInt(v, "expert.epochs"), parseDouble(v, "expert.learningRate"),
                parseInt(v, "expert.minibatch"), parseInt(v, "expert.factors"),
                parseDouble(v, "expert.factorVariance"));
        return new TrainingConfig(parseLong(v, "train.seed"), parseInt(v, "train.topK"),
                parseInt(v, "train.negativesPerPositive"), parseDouble(v, "train.popularityExponent"),
                expert, parseInt(v, "train.gateEpochs"), parseDouble(v, "train.gateLearningRate"),
                parseInt(v, "train.eigenRank"), parseDouble(v, "train.balancedRate"),
                parseInt(v, "train.balancedBatch"), parseInt(v, "train.balancedUpdates"),
                parseInt(v, "train.minPositivesPerExpert"), parseInt(v, "train.maxPositivesPerExpert"),
                FeatureConfig.fromMap(feat), parseDouble(v, "train.gateLift"), parseDouble(v, "train.sharedWeight"),
                parseBoolean(v, "train.normaliseMixture"), residual(settings, v),
                parseDouble(v, "train.softExperts"),
                new FirstStage(parseDouble(v, "train.itemToItem.lambda"), parseInt(v, "train.itemToItem.neighbours"),
                        parseInt(v, "train.itemToItem.folds"), parseInt(v, "train.candidates"),
                        parseInt(v, "train.hardNegatives"), parseBoolean(v, "train.contextSignals"),
                        parseBoolean(v, "train.knnSignal")));
    }

    // Each value is parsed on its own so that the message names the key at fault.

    /** With genre experts trained as residuals on the shared expert (or not). */
    public TrainingConfig withResidualExperts(boolean r) {
        return with(c -> c.residualExperts = r);
    }

    /** With soft, gate-responsibility experts over the whole catalog (c > 0; see the record) or genre experts (0). */
    public TrainingConfig withSoftExperts(double c) {
        return with(f -> f.softExperts = c);
    }

    /** With another first stage (e.g. {@code candidates} 0 for the single-stage path). */
    public TrainingConfig withFirstStage(FirstStage f) {
        return with(c -> c.firstStage = f);
    }

    /** The single-stage path: no candidates, experts score the whole catalog (or their genres) as before. */
    public TrainingConfig withSingleStage() {
        return withFirstStage(new FirstStage(firstStage.lambda(), firstStage.neighbours(), firstStage.folds(), 0, 0,
                firstStage.contextSignals(), firstStage.knnSignal()));
    }

    /** Whether training produces a shared expert: for the mixture (λ > 0) or as the residual experts' base. */
    public boolean trainsSharedExpert() {
        return sharedWeight > 0 || residualExperts;
    }

    /**
     * {@code train.residualExperts} as given; when not given it follows the expert family, since only
     * LINEAR experts can be residuals: the default for LINEAR, false for FM.
     */
    private static boolean residual(Map<String, String> given, Map<String, String> v) {
        if (!given.containsKey("train.residualExperts") && expertKind(v.get("expert.kind")) != ExpertKind.LINEAR) {
            return false;
        }
        return parseBoolean(v, "train.residualExperts");
    }

    /**
     * With a shared, always-on expert of weight {@code w} (0 = none) and the routed part normalised per
     * movie or summed.
     */
    public TrainingConfig withShared(double w, boolean normalise) {
        return with(c -> {
            c.sharedWeight = w;
            c.normaliseMixture = normalise;
        });
    }

    /** A copy with the fields {@code change} sets, validated as any other. */
    private TrainingConfig with(Consumer<Fields> change) {
        Fields f = new Fields(this);
        change.accept(f);
        return f.build();
    }

    /** The record's fields, mutable: the one place the {@code with...} methods' copies are built. */
    private static final class Fields {
        long seed;
        int topK;
        int negativesPerPositive;
        double popularityExponent;
        ExpertHyperParameters expert;
        int gateEpochs;
        double gateLearningRate;
        int eigenRank;
        double balancedRate;
        int balancedBatch;
        int balancedUpdates;
        int minPositivesPerExpert;
        int maxPositivesPerExpert;
        FeatureConfig features;
        double gateLift;
        double sharedWeight;
        boolean normaliseMixture;
        boolean residualExperts;
        double softExperts;
        FirstStage firstStage;

        Fields(TrainingConfig c) {
            seed = c.seed;
            topK = c.topK;
            negativesPerPositive = c.negativesPerPositive;
            popularityExponent = c.popularityExponent;
            expert = c.expert;
            gateEpochs = c.gateEpochs;
            gateLearningRate = c.gateLearningRate;
            eigenRank = c.eigenRank;
            balancedRate = c.balancedRate;
            balancedBatch = c.balancedBatch;
            balancedUpdates = c.balancedUpdates;
            minPositivesPerExpert = c.minPositivesPerExpert;
            maxPositivesPerExpert = c.maxPositivesPerExpert;
            features = c.features;
            gateLift = c.gateLift;
            sharedWeight = c.sharedWeight;
            normaliseMixture = c.normaliseMixture;
            residualExperts = c.residualExperts;
            softExperts = c.softExperts;
            firstStage = c.firstStage;
        }

        TrainingConfig build() {
            return new TrainingConfig(seed, topK, negativesPerPositive, popularityExponent, expert, gateEpochs,
                    gateLearningRate, eigenRank, balancedRate, balancedBatch, balancedUpdates, minPositivesPerExpert,
                    maxPositivesPerExpert, features, gateLift, sharedWeight, normaliseMixture, residualExperts, softExperts,
                    firstStage);
        }
    }


    private static ExpertKind expertKind(String name) {
        try {
            return ExpertKind.valueOf(name.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("expert.kind must be one of " + Arrays.toString(ExpertKind.values())
                    + ", got '" + name + "'", e);
        }
    }


    /** Flat key/value view for provenance. */
    public Map<String, String> toMap() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("train.seed", Long.toString(seed));
        m.put("train.topK", Integer.toString(topK));
        m.put("train.negativesPerPositive", Integer.toString(negativesPerPositive));
        m.put("train.popularityExponent", Double.toString(popularityExponent));
        m.put("expert.kind", expert.kind().name());
        m.put("expert.epochs", Integer.toString(expert.epochs()));
        m.put("expert.learningRate", Double.toString(expert.learningRate()));
        m.put("expert.minibatch", Integer.toString(expert.minibatch()));
        m.put("expert.factors", Integer.toString(expert.factors()));
        m.put("expert.factorVariance", Double.toString(expert.factorVariance()));
        m.put("train.gateEpochs", Integer.toString(gateEpochs));
        m.put("train.gateLearningRate", Double.toString(gateLearningRate));
        m.put("train.eigenRank", Integer.toString(eigenRank));
        m.put("train.balancedRate", Double.toString(balancedRate));
        m.put("train.balancedBatch", Integer.toString(balancedBatch));
        m.put("train.balancedUpdates", Integer.toString(balancedUpdates));
        m.put("train.minPositivesPerExpert", Integer.toString(minPositivesPerExpert));
        m.put("train.maxPositivesPerExpert", Integer.toString(maxPositivesPerExpert));
        m.put("train.gateLift", Double.toString(gateLift));
        m.put("train.sharedWeight", Double.toString(sharedWeight));
        m.put("train.normaliseMixture", Boolean.toString(normaliseMixture));
        m.put("train.residualExperts", Boolean.toString(residualExperts));
        m.put("train.softExperts", Double.toString(softExperts));
        m.put("train.itemToItem.lambda", Double.toString(firstStage.lambda()));
        m.put("train.itemToItem.neighbours", Integer.toString(firstStage.neighbours()));
        m.put("train.itemToItem.folds", Integer.toString(firstStage.folds()));
        m.put("train.candidates", Integer.toString(firstStage.candidates()));
        m.put("train.hardNegatives", Integer.toString(firstStage.hardNegatives()));
        m.put("train.contextSignals", Boolean.toString(firstStage.contextSignals()));
        m.put("train.knnSignal", Boolean.toString(firstStage.knnSignal()));
        m.putAll(features.toMap());
        return m;
    }
}
