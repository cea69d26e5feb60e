package io.moerec.moe.eval;

import io.moerec.ingest.domain.Genre;
import io.moerec.ingest.domain.Movie;
import io.moerec.moe.Exclusion;
import io.moerec.moe.MoeModel;
import io.moerec.moe.model.CompiledExpert;
import io.moerec.moe.model.GenreExpert;
import io.moerec.moe.model.SamplingCorrection;
import io.moerec.moe.routing.BalancedRouter;
import io.moerec.moe.routing.ExpertCapacity;
import io.moerec.moe.routing.Router;
import io.moerec.moe.routing.RouterKind;
import io.moerec.moe.train.MoeTrainer;
import io.moerec.moe.TrainingConfig;
import io.moerec.moe.train.TrainingData;
import io.moerec.moe.train.TrainingData.Interaction;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the offline evaluation: trains the MoE and the global baseline on the split's training part,
 * chooses the item-to-item peers' hyper-parameters on a validation cut of it ({@link Peers}), then
 * ranks for every test user with every router and baseline, excluding every movie of the user's
 * training events ({@link Exclusion}, as serving does; the MoE through {@link OfflineScoring}),
 * and reports the metrics with standard errors, paired differences against the global models and
 * against the best peer, the routers' load statistics and expert specialisation. The balanced router starts from its trained bias and keeps updating it from the
 * load of each batch of test users, as serving would.
 */
public final class Evaluation {

    private static final Logger LOG = LoggerFactory.getLogger(Evaluation.class);

    /**
     * @param k          cut-off (10)
     * @param balancedBatch test users per online bias update of the balanced router
     * @param probeUsers users (and 20 random movies each) in the specialisation probe set
     * @param dumpRecs   if not null, every test user's top-K of {@code dumpMethod} as user TAB item TAB rank
     * @param dumpMethod the method whose lists are dumped
     * @param routers    the MoE routers evaluated (all four by default), in their declared order
     * @param peers      the validation grid of the item-to-item peers ({@link Peers}); null leaves them out
     * @param capacityFactor expert capacity factor cf over windows of {@code balancedBatch} test users
     *                   ({@link ExpertCapacity}); 0 routes without capacity
     */
    public record Options(int k, int balancedBatch, int probeUsers, Path dumpRecs, String dumpMethod, Set<RouterKind> routers,
                          Peers.Grid peers, double capacityFactor) {
        public Options {
            if (capacityFactor < 0 || Double.isNaN(capacityFactor) || Double.isInfinite(capacityFactor)) {
                throw new IllegalArgumentException("capacity factor must be 0 (off) or > 0, got " + capacityFactor);
            }
            if (routers.isEmpty()) {
                throw new IllegalArgumentException("routers: at least one router is needed");
            }
            routers = Collections.unmodifiableSet(EnumSet.copyOf(routers));
        }

        public static Options defaults() {
            return new Options(10, 256, 200, null, "moe-softmax", EnumSet.allOf(RouterKind.class), Peers.Grid.defaults(), 0);
        }

        public Options withDump(Path file, String method) {
            return new Options(k, balancedBatch, probeUsers, file, method, routers, peers, capacityFactor);
        }

        public Options withRouters(Set<RouterKind> kinds) {
            return new Options(k, balancedBatch, probeUsers, dumpRecs, dumpMethod, kinds, peers, capacityFactor);
        }

        /** The peers' validation grid, or null to leave the peers out (grids over the MoE alone). */
        public Options withPeers(Peers.Grid grid) {
            return new Options(k, balancedBatch, probeUsers, dumpRecs, dumpMethod, routers, grid, capacityFactor);
        }

        /** Expert capacity factor cf ({@link ExpertCapacity}); 0 turns capacity off. */
        public Options withCapacity(double factor) {
            return new Options(k, balancedBatch, probeUsers, dumpRecs, dumpMethod, routers, peers, factor);
        }
    }

    private Evaluation() {
    }

    /** The name of the global baseline in reports; paired differences are taken against it. */
    public static final String GLOBAL = "global-single-stage";
    /**
     * The global model of the two-stage design (the shared expert alone re-ranking the same candidates, see
     * {@link MoeModel#sharedOnly}); on the two-stage path the MoE is also compared with it, paired.
     */
    public static final String GLOBAL_TWO_STAGE = "global-two-stage";

    public static EvaluationReport run(List<Movie> catalog, EvalSplit split, TrainingConfig config, Options opt) {
        long t0 = System.nanoTime();
        TrainingData data = TrainingData.prepare(catalog, split.train(), config.features());
        MoeModel model = MoeTrainer.train("evaluation (" + split.kind() + " split)", data, config);
        double trainSeconds = (System.nanoTime() - t0) / 1e9;
        GenreExpert global;
        double baselineSeconds;
        if (model.sharedExpert() != null && !config.firstStage().enabled()) {
            // The shared expert is the global model: trained by the same code on the same examples with the
            // same seed stream and settings. Reusing it saves a second, bit-identical training run.
            global = model.sharedExpert();
            baselineSeconds = model.provenance().metrics().getOrDefault("expert.shared.millis", Double.NaN) / 1000;
        } else {
            long t1 = System.nanoTime();
            global = MoeTrainer.trainGlobal(data, model.neighbours(), config);
            baselineSeconds = (System.nanoTime() - t1) / 1e9;
        }
        return evaluateTrained(data, split, model, global, trainSeconds, baselineSeconds, opt);
    }

    /**
     * Evaluates an already trained MoE and global model on a split whose training part {@code data}
     * was prepared from (for grids over how the trained parts are combined, see
     * {@link MoeModel#withMixture}).
     */
    public static EvaluationReport evaluateTrained(TrainingData data, EvalSplit split, MoeModel model, GenreExpert global,
                                                   double trainSeconds, double baselineSeconds, Options opt) {
        TrainingConfig config = model.config();
        CompiledExpert globalCompiled = global.compile(data.table());

        Map<String, Set<Long>> watched = new HashMap<>(); // the item-kNN baseline's histories: watches, not skips
        for (var e : split.train()) {
            if (TrainingData.isWatch(e)) {
                watched.computeIfAbsent(e.userId(), u -> new HashSet<>()).add(e.movieId());
            }
        }
        // What every method must not recommend: serving's rule, every movie of any training event of the user.
        Map<String, long[]> excluded = Exclusion.watchedSets(split.train());
        List<String> users = new ArrayList<>();
        int skipped = 0;
        for (String u : split.test().keySet()) {
            if (data.latestUserVectors().containsKey(u)) {
                users.add(u);
            } else {
                skipped++;
            }
        }
        List<RankingMethod> methods = new ArrayList<>();
        methods.add(Baselines.mostPopular(data.table()));
        methods.add(Baselines.itemKnn(watched, data.table()));
        Peers.Tuned peers = opt.peers() == null ? null : Peers.tune(split, data.table(), opt.peers(), opt.k());
        if (peers != null) {
            methods.addAll(peers.methods());
        }
        methods.add(Baselines.globalModel(globalCompiled, SamplingCorrection.logCorrection(MoeModel.allMovies(data.table().size()),
                data.table(), config.popularityExponent(), config.negativesPerPositive()), model.neighbours(),
                data.latestRecentWatches(), data.table()));
        boolean twoStageGlobal = config.firstStage().enabled() && model.sharedExpert() != null;
        if (twoStageGlobal) {
            methods.add(Baselines.moe(GLOBAL_TWO_STAGE, model.sharedOnly().scorer(RouterKind.SOFTMAX), data.latestRecentWatches()));
        }
        Map<String, RoutingStats> routing = new LinkedHashMap<>();
        List<EvaluationReport.MethodResult> results = new ArrayList<>();
        Map<String, double[]> perUserNdcg = new LinkedHashMap<>();
        BufferedWriter dump = null;
        try {
            if (opt.dumpRecs() != null) {
                dump = Files.newBufferedWriter(opt.dumpRecs(), StandardCharsets.UTF_8);
            }
            for (RankingMethod m : methods) {
                results.add(evaluate(m, users, data, excluded, split, opt, dump, perUserNdcg));
            }
            for (RouterKind kind : opt.routers()) {
                long[] load = new long[Genre.COUNT];
                ExpertCapacity capacity = opt.capacityFactor() > 0 ? new ExpertCapacity(opt.capacityFactor(), opt.balancedBatch()) : null;
                RankingMethod m = routedMethod(model, kind, opt, load, data.latestRecentWatches(), capacity);
                results.add(evaluate(m, users, data, excluded, split, opt, dump, perUserNdcg));
                routing.put(kind.configName(), RoutingStats.of(load, capacity == null ? 0 : capacity.overflowRate()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the recommendation dump " + opt.dumpRecs() + ": " + e, e);
        } finally {
            if (dump != null) {
                try {
                    dump.close();
                } catch (IOException e) {
                    LOG.warn("closing {}: {}", opt.dumpRecs(), e.toString());
                }
            }
        }
        double spec = specialisation(model, data, opt.probeUsers(), config.seed());
        EvaluationReport report = new EvaluationReport(split.kind(), split.train().size(), users.size(), skipped, split.droppedItems(),
                data.table().size(), opt.k(), results, paired(perUserNdcg, GLOBAL), routing, spec, trainSeconds, baselineSeconds,
                peers == null ? List.of() : peers.choices(), peers == null ? null : peers.best(),
                peers == null ? List.of() : paired(perUserNdcg, peers.best()),
                twoStageGlobal ? paired(perUserNdcg, GLOBAL_TWO_STAGE) : List.of());
        LOG.info("evaluation done:\n{}", report.toMarkdown());
        return report;
    }

    /**
     * Paired differences of per-user NDCG against {@code reference}: for every other method the mean
     * of NDCG(method, u) − NDCG(reference, u) over the same users, with the standard error of that
     * mean. Both methods are measured on the same users, so their per-user noise largely cancels; this
     * is the SE that decides whether a method beats the reference by two standard errors.
     */
    static List<EvaluationReport.PairedDelta> paired(Map<String, double[]> perUser, String reference) {
        double[] ref = perUser.get(reference);
        List<EvaluationReport.PairedDelta> out = new ArrayList<>();
        if (ref == null) {
            return out;
        }
        for (Map.Entry<String, double[]> e : perUser.entrySet()) {
            if (e.getKey().equals(reference)) {
                continue;
            }
            double[] d = new double[ref.length];
            for (int i = 0; i < d.length; i++) {
                d[i] = e.getValue()[i] - ref[i];
            }
            out.add(new EvaluationReport.PairedDelta(e.getKey(), reference, MeanWithError.of(d)));
        }
        return out;
    }

    /**
     * The MoE with one router as a ranking method that also counts expert load. The balanced router's
     * bias moves after every batch of users, starting from the trained bias.
     */
    private static RankingMethod routedMethod(MoeModel model, RouterKind kind, Options opt, long[] load,
                                              Map<String, int[]> recent, ExpertCapacity capacity) {
        String name = "moe-" + kind.configName();
        return new RankingMethod() {
            Router router = model.router(kind);
            final long[] batchLoad = new long[Genre.COUNT];
            int inBatch;

            @Override
            public String name() {
                return name;
            }

            @Override
            public long[] recommend(String userId, double[] user, java.util.function.LongPredicate excluded, int k) {
                int[] e = new int[router.maxExperts()];
                double[] w = new double[router.maxExperts()];
                int n = capacity == null ? router.route(user, e, w) : capacity.route(router, user, e, w);
                for (int i = 0; i < n; i++) {
                    load[e[i]]++;
                    batchLoad[e[i]]++;
                }
                long[] out = OfflineScoring.recommend(model.scorer(router), user, recent.getOrDefault(userId, new int[0]), excluded, k, e, w, n)
                        .stream().mapToLong(it -> it.movieId()).toArray();
                if (router instanceof BalancedRouter b && ++inBatch == opt.balancedBatch()) {
                    router = b.withLoad(batchLoad);
                    java.util.Arrays.fill(batchLoad, 0);
                    inBatch = 0;
                }
                return out;
            }
        };
    }

    private static EvaluationReport.MethodResult evaluate(RankingMethod m, List<String> users, TrainingData data,
                                                          Map<String, long[]> excluded, EvalSplit split, Options opt,
                                                          BufferedWriter dump, Map<String, double[]> perUserNdcg)
            throws IOException {
        long t0 = System.nanoTime();
        int n = users.size();
        double[] hr = new double[n];
        double[] ndcg = new double[n];
        double[] recall = new double[n];
        double[] mrr = new double[n];
        Set<Long> recommended = new HashSet<>();
        for (int i = 0; i < n; i++) {
            String u = users.get(i);
            long[] recs = m.recommend(u, data.latestUserVectors().get(u), Exclusion.watched(excluded.getOrDefault(u, new long[0])),
                    opt.k());
            RankingMetrics r = RankingMetrics.of(recs, split.test().get(u), opt.k());
            hr[i] = r.hr();
            ndcg[i] = r.ndcg();
            recall[i] = r.recall();
            mrr[i] = r.mrr();
            for (int j = 0; j < recs.length; j++) {
                recommended.add(recs[j]);
                if (dump != null && m.name().equals(opt.dumpMethod())) {
                    dump.write(u + "\t" + recs[j] + "\t" + (j + 1) + "\n");
                }
            }
        }
        LOG.info("{}: {} users in {} ms", m.name(), n, (System.nanoTime() - t0) / 1_000_000);
        perUserNdcg.put(m.name(), ndcg);
        return new EvaluationReport.MethodResult(m.name(), MeanWithError.of(hr), MeanWithError.of(ndcg), MeanWithError.of(recall),
                MeanWithError.of(mrr), (double) recommended.size() / data.table().size());
    }

    /**
     * Mean pairwise Pearson correlation of the trained experts' scores over a probe set of (user, movie)
     * pairs: users sampled from the training interactions, 20 random movies each, item-history signal
     * held at zero so that only what the experts learned about users and movies is compared.
     */
    static double specialisation(MoeModel model, TrainingData data, int probeUsers, long seed) {
        SplittableRandom rng = new SplittableRandom(seed + 404);
        List<Interaction> its = data.interactions();
        if (its.isEmpty()) {
            return Double.NaN;
        }
        List<double[]> userSample = new ArrayList<>();
        for (int i = 0; i < probeUsers; i++) {
            userSample.add(its.get(rng.nextInt(its.size())).user());
        }
        List<int[]> pairs = new ArrayList<>();
        for (int i = 0; i < userSample.size(); i++) {
            for (int j = 0; j < 20; j++) {
                pairs.add(new int[] {i, rng.nextInt(data.table().size())});
            }
        }
        List<double[]> scores = new ArrayList<>();
        for (int g = 0; g < Genre.COUNT; g++) {
            CompiledExpert e = model.compiledExpert(g);
            if (e == null) {
                continue;
            }
            double[] s = new double[pairs.size()];
            double[] ctx = new double[e.contextSize()];
            int last = -1;
            for (int p = 0; p < pairs.size(); p++) {
                int[] pr = pairs.get(p);
                if (pr[0] != last) {
                    e.prepareUser(userSample.get(pr[0]), ctx);
                    last = pr[0];
                }
                s[p] = e.score(ctx, pr[1], 0.0);
            }
            scores.add(s);
        }
        return meanPairwiseCorrelation(scores);
    }

    /** Mean Pearson correlation over all pairs of score vectors (constant vectors are skipped). */
    static double meanPairwiseCorrelation(List<double[]> scores) {
        double sum = 0;
        int count = 0;
        for (int a = 0; a < scores.size(); a++) {
            for (int b = a + 1; b < scores.size(); b++) {
                double r = pearson(scores.get(a), scores.get(b));
                if (!Double.isNaN(r)) {
                    sum += r;
                    count++;
                }
            }
        }
        return count == 0 ? Double.NaN : sum / count;
    }

    static double pearson(double[] x, double[] y) {
        int n = x.length;
        double mx = 0;
        double my = 0;
        for (int i = 0; i < n; i++) {
            mx += x[i] / n;
            my += y[i] / n;
        }
        double sxy = 0;
        double sxx = 0;
        double syy = 0;
        for (int i = 0; i < n; i++) {
            sxy += (x[i] - mx) * (y[i] - my);
            sxx += (x[i] - mx) * (x[i] - mx);
            syy += (y[i] - my) * (y[i] - my);
        }
        return sxx == 0 || syy == 0 ? Double.NaN : sxy / Math.sqrt(sxx * syy);
    }
}
