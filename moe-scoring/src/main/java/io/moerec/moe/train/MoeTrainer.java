package io.moerec.moe.train;

import io.moerec.features.PreferenceFeatureLogic;
import io.moerec.ingest.domain.Genre;
import io.moerec.ingest.domain.Movie;
import io.moerec.ingest.domain.ViewingEvent;
import io.moerec.ingest.source.DataSet;
import io.moerec.ingest.source.Parsed;
import io.moerec.ingest.source.RecordStream;
import io.moerec.moe.MoeModel;
import io.moerec.moe.TrainingConfig;
import io.moerec.moe.TrainingProvenance;
import io.moerec.moe.math.MoeMath;
import io.moerec.moe.model.ExpertExample;
import io.moerec.moe.model.ExpertFeatures;
import io.moerec.moe.model.GenreClassifier;
import io.moerec.moe.model.GenreExpert;
import io.moerec.moe.model.ItemNeighbours;
import io.moerec.moe.model.ItemToItem;
import io.moerec.moe.model.MovieTable;
import io.moerec.moe.model.UserVector;
import io.moerec.moe.routing.BalancedRouter;
import io.moerec.moe.routing.EigenBasis;
import io.moerec.moe.train.TrainingData.Interaction;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trains the MoE: point-in-time interactions from {@link TrainingData}; per genre, a Tribuo expert
 * on the genre's interactions plus popularity-aware sampled negatives; the gate on the genre of each
 * next watch (a movie of g genres gives g rows of weight 1/g); the eigen router's basis and its
 * class-balanced energy model; the balanced router's bias calibrated on every user's latest vector.
 * Every random choice derives from {@link TrainingConfig#seed()}, so the same data and seed give the
 * same scores. Progress is logged through SLF4J.
 */
public final class MoeTrainer {

    private static final Logger LOG = LoggerFactory.getLogger(MoeTrainer.class);
    /** Eigen basis fitting needs the covariance only: this many users are plenty for 22 dimensions. */
    private static final int MAX_BASIS_USERS = 20_000;
    /** Neighbours kept per movie for the item-history signal. */
    public static final int NEIGHBOURS = 50;
    /** At most this many training threads: the parts are few and memory-bound beyond it. */
    static final int MAX_THREADS = 4;

    private MoeTrainer() {
    }

    /** Reads a data set (rejected records are counted and skipped) and trains on all of it. */
    public static MoeModel train(DataSet data, TrainingConfig config) {
        List<Movie> movies = new ArrayList<>();
        List<ViewingEvent> events = new ArrayList<>();
        long rejected = readAll(data, movies, events);
        if (rejected > 0) {
            LOG.warn("{}: {} rejected records skipped", data.description(), rejected);
        }
        return train(data.description(), movies, events, config);
    }

    /** Reads a data set's catalog and events; returns how many records were rejected. */
    public static long readAll(DataSet data, List<Movie> movies, List<ViewingEvent> events) {
        long rejected = 0;
        try (RecordStream<Movie> ms = data.movies()) {
            while (ms.hasNext()) {
                if (ms.next() instanceof Parsed.Ok<Movie> ok) {
                    movies.add(ok.value());
                } else {
                    rejected++;
                }
            }
        }
        return rejected + readEvents(data, events);
    }

    /** Reads a data set's events only (an outside test split has no catalog of its own); returns the rejected count. */
    public static long readEvents(DataSet data, List<ViewingEvent> events) {
        long rejected = 0;
        try (RecordStream<ViewingEvent> es = data.events()) {
            while (es.hasNext()) {
                if (es.next() instanceof Parsed.Ok<ViewingEvent> ok) {
                    events.add(ok.value());
                } else {
                    rejected++;
                }
            }
        }
        return rejected;
    }

    public static MoeModel train(String description, List<Movie> catalog, List<ViewingEvent> events, TrainingConfig config) {
        return train(description, catalog, events, config, null);
    }

    /** As above, warm-started from an earlier model when {@code warm} is not null (see {@link WarmStart}). */
    public static MoeModel train(String description, List<Movie> catalog, List<ViewingEvent> events, TrainingConfig config,
                                 WarmStart warm) {
        long t0 = System.nanoTime();
        TrainingData data = TrainingData.prepare(catalog, events, config.features());
        LOG.info("replayed {} events of {} users through feature logic v{}: {} interactions in {} ms", data.events(),
                data.latestUserVectors().size(), PreferenceFeatureLogic.FEATURE_VERSION, data.interactions().size(),
                (System.nanoTime() - t0) / 1_000_000);
        return train(description, data, config, warm);
    }

    public static MoeModel train(String description, TrainingData data, TrainingConfig config) {
        return train(description, data, config, (WarmStart) null);
    }

    /** As above, warm-started from an earlier model when {@code warm} is not null. */
    public static MoeModel train(String description, TrainingData data, TrainingConfig config, WarmStart warm) {
        ExecutorService pool = Executors.newFixedThreadPool(threads(), daemonThreads());
        try {
            return train(description, data, config, pool, warm);
        } finally {
            pool.shutdownNow();
        }
    }

    /** Worker threads for the independent parts of training: min(available processors, {@value #MAX_THREADS}). */
    static int threads() {
        return Math.max(1, Math.min(Runtime.getRuntime().availableProcessors(), MAX_THREADS));
    }

    private static ThreadFactory daemonThreads() {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, "moe-trainer-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /**
     * Trains the parts on {@code pool}: the gate, the eigen router and every expert are independent given
     * their inputs, each with its own seed, so the result does not depend on the pool size or on timing.
     * Each part records its metrics in a map of its own; they are merged in a fixed order.
     */
    static MoeModel train(String description, TrainingData data, TrainingConfig config, ExecutorService pool) {
        return train(description, data, config, pool, null);
    }

    static MoeModel train(String description, TrainingData data, TrainingConfig config, ExecutorService pool, WarmStart warm) {
        long t0 = System.nanoTime();
        MovieTable table = data.table();
        Map<String, Double> metrics = new LinkedHashMap<>();
        List<List<Interaction>> byGenre = new ArrayList<>();
        for (int g = 0; g < Genre.COUNT; g++) {
            byGenre.add(new ArrayList<>());
        }
        for (Interaction it : data.interactions()) {
            int bits = table.genreBits(it.movie());
            for (int g = 0; g < Genre.COUNT; g++) {
                if (((bits >>> g) & 1) != 0) {
                    byGenre.get(g).add(it);
                }
            }
        }
        Map<String, Double> gateMetrics = new LinkedHashMap<>();
        double[] i2iSeconds = new double[1];
        Future<GenreClassifier> gateJob = pool.submit(() -> trainGate(data, config, gateMetrics, warm));
        Future<EigenBasis> basisJob = pool.submit(() -> fitBasis(data, config));
        Future<GenreClassifier> energyJob = pool.submit(() -> trainEnergyModel(data, join(basisJob), config));
        TrainingConfig.FirstStage first = config.firstStage();
        Future<ItemToItem> itemToItemJob = pool.submit(() -> {
            long tI2i = System.nanoTime();
            ItemToItem fitted = ItemToItem.ease(data.userWatches().values(), table.size(), first.lambda(), first.neighbours());
            LOG.info("item-to-item: EASE λ {} on {} users, top {} per item, {} weights in {} ms", first.lambda(),
                    data.userWatches().size(), first.neighbours(), fitted.storedWeights(), (System.nanoTime() - tI2i) / 1_000_000);
            i2iSeconds[0] = (System.nanoTime() - tI2i) / 1e9;
            return fitted;
        });
        ItemNeighbours neighbours = ItemNeighbours.build(data.userWatches().values(), table.size(), NEIGHBOURS);
        if (config.softExperts() > 0) {
            byGenre = responsibilitySamples(data, join(gateJob), config);
        }
        boolean[] wanted = new boolean[Genre.COUNT];
        for (int g = 0; g < Genre.COUNT; g++) {
            int n = byGenre.get(g).size();
            wanted[g] = n >= config.minPositivesPerExpert() && table.moviesOfGenre(g).length > 0;
            if (!wanted[g]) {
                LOG.info("expert {}: {} interactions, below the minimum {}; no expert", Genre.ofIndex(g).wireName(), n,
                        config.minPositivesPerExpert());
            }
        }
        GenreExpert shared;
        GenreExpert[] experts = new GenreExpert[Genre.COUNT];
        if (first.enabled()) {
            shared = TwoStageExamples.train(data, neighbours, byGenre, wanted, config, metrics, experts, pool, warm);
        } else {
            // The shared, always-on expert: exactly the global model (same examples, seed stream and settings).
            shared = config.trainsSharedExpert() ? trainShared(data, neighbours, config, metrics) : null;
            GenreExpert base = config.residualExperts() ? shared : null;
            int[] everyMovie = MoeModel.allMovies(table.size());
            List<List<Interaction>> positives = byGenre;
            List<Callable<GenreExpert>> jobs = new ArrayList<>();
            List<Map<String, Double>> jobMetrics = new ArrayList<>();
            for (int g = 0; g < Genre.COUNT; g++) {
                Map<String, Double> m = new LinkedHashMap<>();
                jobMetrics.add(m);
                int genre = g;
                jobs.add(!wanted[g] ? () -> null : () -> trainExpert(Genre.ofIndex(genre).wireName(), positives.get(genre),
                        config.softExperts() > 0 ? everyMovie : table.moviesOfGenre(genre), data, neighbours, config,
                        genre + 1, m, base));
            }
            List<GenreExpert> done = invokeAll(pool, jobs);
            for (int g = 0; g < Genre.COUNT; g++) {
                experts[g] = done.get(g);
                metrics.putAll(jobMetrics.get(g));
            }
        }
        ItemToItem itemToItem = join(itemToItemJob);
        metrics.put("train.itemToItemSeconds", i2iSeconds[0]);
        int trained = 0;
        for (GenreExpert e : experts) {
            trained += e == null ? 0 : 1;
        }
        GenreClassifier gate = join(gateJob);
        metrics.putAll(gateMetrics);
        EigenBasis basis = join(basisJob);
        GenreClassifier energyModel = join(energyJob);
        double[] bias = calibrateBalanced(gate, data, config);
        double seconds = (System.nanoTime() - t0) / 1e9;
        metrics.put("train.experts", (double) trained);
        metrics.put("train.threads", (double) threads());
        metrics.put("train.warmStart", warm == null ? 0.0 : 1.0);
        metrics.put("train.seconds", seconds);
        // When training finished: the scoring app reports the serving model's age from it.
        metrics.put(TrainingProvenance.TRAINED_AT_METRIC, (double) System.currentTimeMillis());
        TrainingProvenance prov = new TrainingProvenance(description, data.firstEventTime(), data.lastEventTime(),
                data.events(), data.interactions().size(), data.latestUserVectors().size(), table.size(),
                PreferenceFeatureLogic.FEATURE_VERSION, UserVector.VERSION, Genre.VOCABULARY_VERSION, config.toMap(), metrics);
        LOG.info("trained {} experts, gate, eigen router (rank {}) and balanced bias in {} s ({} threads)", trained, basis.rank(),
                String.format(java.util.Locale.ROOT, "%.1f", seconds), threads());
        return new MoeModel(table, experts, gate, basis, energyModel, bias, neighbours, itemToItem, config, prov, null,
                MoeModel.UNSAVED, shared, null);
    }

    /** Runs {@code jobs} on {@code pool} and returns their results in order. */
    static <T> List<T> invokeAll(ExecutorService pool, List<Callable<T>> jobs) {
        List<Future<T>> futures = new ArrayList<>();
        for (Callable<T> j : jobs) {
            futures.add(pool.submit(j));
        }
        List<T> out = new ArrayList<>();
        for (Future<T> f : futures) {
            out.add(join(f));
        }
        return out;
    }

    /** A job's result; its failure rethrown unchecked. */
    static <T> T join(Future<T> f) {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while training", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    /**
     * The single global model of the same family trained on all genres' interactions (no experts):
     * the baseline the evaluation compares the MoE against.
     */
    public static GenreExpert trainGlobal(TrainingData data, ItemNeighbours neighbours, TrainingConfig config) {
        return trainExpert("global", data.interactions(), MoeModel.allMovies(data.table().size()), data, neighbours, config, 0,
                new LinkedHashMap<>(), null);
    }

    /**
     * The soft experts' training sets: every interaction goes to expert e with probability
     * min(1, c · p(e | u)) under the trained gate (seeded), so an expert learns from the users the gate
     * routes to it, over the whole catalog.
     */
    private static List<List<Interaction>> responsibilitySamples(TrainingData data, GenreClassifier gate, TrainingConfig config) {
        List<List<Interaction>> out = new ArrayList<>();
        for (int g = 0; g < Genre.COUNT; g++) {
            out.add(new ArrayList<>());
        }
        SplittableRandom rng = new SplittableRandom(config.seed() * 1_000_003L + 505);
        double[] p = new double[Genre.COUNT];
        for (Interaction it : data.interactions()) {
            gate.probabilities(it.user(), p);
            for (int g = 0; g < Genre.COUNT; g++) {
                if (rng.nextDouble() < config.softExperts() * p[g]) {
                    out.get(g).add(it);
                }
            }
        }
        return out;
    }

    private static GenreExpert trainShared(TrainingData data, ItemNeighbours neighbours, TrainingConfig config,
                                           Map<String, Double> metrics) {
        return trainExpert("shared", data.interactions(), MoeModel.allMovies(data.table().size()), data, neighbours, config, 0,
                metrics, null);
    }

    private static GenreExpert trainExpert(String name, List<Interaction> positives, int[] candidates, TrainingData data,
                                           ItemNeighbours neighbours, TrainingConfig config, int stream,
                                           Map<String, Double> metrics, GenreExpert base) {
        MovieTable table = data.table();
        io.moerec.moe.model.CompiledExpert baseCompiled = base == null ? null : base.compile(table);
        double[] baseCtx = base == null ? null : new double[baseCompiled.contextSize()];
        long t0 = System.nanoTime();
        SplittableRandom rng = new SplittableRandom(config.seed() * 1_000_003L + stream);
        List<Interaction> pos = positives;
        if (pos.size() > config.maxPositivesPerExpert()) {
            pos = new ArrayList<>(pos);
            Collections.shuffle(pos, new java.util.Random(rng.nextLong()));
            pos = pos.subList(0, config.maxPositivesPerExpert());
        }
        long[] counts = new long[table.size()];
        for (int m = 0; m < counts.length; m++) {
            counts[m] = table.interactions(m);
        }
        NegativeSampler sampler = new NegativeSampler(candidates, counts, config.popularityExponent());
        List<ExpertExample> examples = new ArrayList<>(pos.size() * (1 + config.negativesPerPositive()));
        double[] acc = new double[table.size()];
        boolean[] mark = new boolean[table.size()];
        int[] touched = new int[table.size()];
        for (Interaction it : pos) {
            // The knn signal from the point-in-time recent watches, leaving this user's own
            // co-watches out of the similarities (else a positive would predict itself).
            int t = neighbours.accumulate(it.recent(), data.userWatches().get(it.userId()), counts, acc, mark, touched);
            if (base != null) {
                baseCompiled.prepareUser(it.user(), baseCtx);
            }
            examples.add(new ExpertExample(it.user(), it.movie(), ExpertFeatures.knnOnly(acc[it.movie()]), true,
                    base == null ? Double.NaN : baseCompiled.logit(baseCtx, it.movie(), acc[it.movie()])));
            for (int n = 0; n < config.negativesPerPositive(); n++) {
                int neg = sampler.sample(rng, it.movie());
                examples.add(new ExpertExample(it.user(), neg, ExpertFeatures.knnOnly(acc[neg]), false,
                        base == null ? Double.NaN : baseCompiled.logit(baseCtx, neg, acc[neg])));
            }
            for (int x = 0; x < t; x++) {
                acc[touched[x]] = 0;
                mark[touched[x]] = false;
            }
        }
        return fit(name, pos.size(), examples, table, config, stream, metrics, base, t0);
    }

    /** Trains one expert on its examples with Tribuo and records its metrics; {@code t0} is when its work began. */
    static GenreExpert fit(String name, int positives, List<ExpertExample> examples, MovieTable table,
                                   TrainingConfig config, int stream, Map<String, Double> metrics, GenreExpert base, long t0) {
        return fit(name, positives, examples, table, config, stream, metrics, base, t0, null);
    }

    /** As above; with {@code warm} the expert starts from the earlier model's expert of the same name, if it has one. */
    static GenreExpert fit(String name, int positives, List<ExpertExample> examples, MovieTable table, TrainingConfig config,
                           int stream, Map<String, Double> metrics, GenreExpert base, long t0, WarmStart warm) {
        GenreExpert from = warm == null ? null : warm.expert(name);
        int epochs = from == null ? config.expert().epochs() : warm.expertEpochs();
        GenreExpert expert = GenreExpert.train(name, config.expert(), examples, table, config.seed() + stream, base, from, epochs);
        double ms = (System.nanoTime() - t0) / 1e6;
        double rate = examples.size() * epochs / Math.max(ms / 1000, 1e-9);
        LOG.info("expert {}: {} positives, {} examples × {} epochs{} in {} ms ({} examples/s)", name, positives, examples.size(),
                epochs, from == null ? "" : " (warm start)", Math.round(ms), Math.round(rate));
        metrics.put("expert." + name + ".positives", (double) positives);
        metrics.put("expert." + name + ".examples", (double) examples.size());
        metrics.put("expert." + name + ".millis", ms);
        return expert;
    }

    private static GenreClassifier trainGate(TrainingData data, TrainingConfig config, Map<String, Double> metrics, WarmStart warm) {
        long t0 = System.nanoTime();
        List<GenreClassifier.Row> rows = new ArrayList<>();
        for (Interaction it : data.interactions()) {
            addGenreRows(rows, it.user(), data.table().genreBits(it.movie()), 1.0);
        }
        GenreClassifier gate = warm == null
                ? GenreClassifier.train("gate", UserVector.featureNames(), rows, config.gateEpochs(), config.gateLearningRate(),
                        config.seed() + 101)
                : GenreClassifier.train("gate", UserVector.featureNames(), rows, warm.gateEpochs(), config.gateLearningRate(),
                        config.seed() + 101, warm.gate());
        // Training top-k hit rate: how often the next watch's genres include one of the gate's top k.
        double[] p = new double[Genre.COUNT];
        int[] top = new int[config.topK()];
        long hits = 0;
        for (Interaction it : data.interactions()) {
            gate.probabilities(it.user(), p);
            MoeMath.topK(p, top);
            int bits = data.table().genreBits(it.movie());
            for (int g : top) {
                if (((bits >>> g) & 1) != 0) {
                    hits++;
                    break;
                }
            }
        }
        double acc = data.interactions().isEmpty() ? 0 : (double) hits / data.interactions().size();
        metrics.put("gate.trainTopKHitRate", acc);
        LOG.info("gate: {} rows in {} ms, training top-{} hit rate {}", rows.size(), (System.nanoTime() - t0) / 1_000_000,
                config.topK(), String.format(java.util.Locale.ROOT, "%.3f", acc));
        return gate;
    }

    private static void addGenreRows(List<GenreClassifier.Row> rows, double[] x, int bits, double weight) {
        int n = Integer.bitCount(bits);
        for (int g = 0; g < Genre.COUNT; g++) {
            if (((bits >>> g) & 1) != 0) {
                rows.add(new GenreClassifier.Row(x, g, (float) (weight / n)));
            }
        }
    }

    private static EigenBasis fitBasis(TrainingData data, TrainingConfig config) {
        List<double[]> users = new ArrayList<>(data.latestUserVectors().values());
        for (Interaction it : data.interactions()) {
            users.add(it.user());
        }
        if (users.size() > MAX_BASIS_USERS) {
            Collections.shuffle(users, new java.util.Random(config.seed() + 202));
            users = users.subList(0, MAX_BASIS_USERS);
        }
        return EigenBasis.fit(users, config.eigenRank());
    }

    private static GenreClassifier trainEnergyModel(TrainingData data, EigenBasis basis, TrainingConfig config) {
        double[] genreMass = new double[Genre.COUNT];
        for (Interaction it : data.interactions()) {
            int bits = data.table().genreBits(it.movie());
            int n = Integer.bitCount(bits);
            for (int g = 0; g < Genre.COUNT; g++) {
                if (((bits >>> g) & 1) != 0) {
                    genreMass[g] += 1.0 / n;
                }
            }
        }
        double total = 0;
        int present = 0;
        for (double m : genreMass) {
            total += m;
            present += m > 0 ? 1 : 0;
        }
        List<GenreClassifier.Row> rows = new ArrayList<>();
        for (Interaction it : data.interactions()) {
            double[] e = new double[basis.rank()];
            basis.energies(it.user(), e);
            int bits = data.table().genreBits(it.movie());
            int n = Integer.bitCount(bits);
            for (int g = 0; g < Genre.COUNT; g++) {
                if (((bits >>> g) & 1) != 0) {
                    // Class-balanced weights: every genre carries the same total weight, so the
                    // energy model partitions users by the shape of their features, not by the prior.
                    double balance = total / (present * genreMass[g]);
                    rows.add(new GenreClassifier.Row(e, g, (float) (balance / n)));
                }
            }
        }
        return GenreClassifier.train("eigen energy model", EigenBasis.energyNames(basis.rank()), rows, config.gateEpochs(),
                config.gateLearningRate(), config.seed() + 303);
    }

    private static double[] calibrateBalanced(GenreClassifier gate, TrainingData data, TrainingConfig config) {
        List<double[]> users = new ArrayList<>(data.latestUserVectors().values());
        if (users.isEmpty() || config.balancedUpdates() == 0) {
            return new double[Genre.COUNT];
        }
        int batch = Math.min(config.balancedBatch(), users.size());
        int perPass = (users.size() + batch - 1) / batch;
        int passes = Math.max(1, (config.balancedUpdates() + perPass - 1) / perPass);
        return BalancedRouter.unbiased(gate, config.topK(), config.balancedRate()).calibrate(users, batch, passes).bias();
    }
}
