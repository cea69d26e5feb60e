package io.moerec.moe.train;

import io.moerec.ingest.domain.Genre;
import io.moerec.moe.TrainingConfig;
import io.moerec.moe.model.CandidateGenerator;
import io.moerec.moe.model.CandidateGenerator.Candidates;
import io.moerec.moe.model.CompiledExpert;
import io.moerec.moe.model.ContextSignals;
import io.moerec.moe.model.ExpertExample;
import io.moerec.moe.model.ExpertFeatures;
import io.moerec.moe.model.GenreExpert;
import io.moerec.moe.model.ItemNeighbours;
import io.moerec.moe.model.ItemToItem;
import io.moerec.moe.model.MovieTable;
import io.moerec.moe.train.TrainingData.Interaction;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The experts of the two-stage path, trained on the candidate distribution they re-rank at serving.
 * For a positive (a user's watch at time t) the profile is the user's recent watches before t; its
 * candidates come from {@link CandidateGenerator} over a first stage fitted on the other user folds
 * ({@code train.itemToItem.folds}), so a user's own co-occurrences never feed their features. A
 * positive outside its profile's candidates is not an example (the experts never score such a movie);
 * one inside gives the positive, {@code train.hardNegatives} negatives drawn uniformly from the
 * profile's candidates (the user's watched movies left out), and the rest of
 * {@code train.negativesPerPositive} sampled by popularity from the whole catalog. A genre expert's
 * positives are its genre's, but its negatives come from the same distribution as every other
 * expert's, so that each expert's probability estimates P(next watch = m) on the same footing and the
 * routed sum compares like with like. Every example
 * carries the pair signals serving computes: knn (the user's own co-watches removed, as on the
 * single-stage path) and the candidate's first-stage signals. The shared expert is trained first;
 * residual experts' examples then carry its logit as their offset.
 */
final class TwoStageExamples {

    private static final Logger LOG = LoggerFactory.getLogger(TwoStageExamples.class);
    /** Bit of the shared expert in an interaction's expert mask (genres take bits 0 … COUNT − 1). */
    static final int SHARED = Genre.COUNT;
    /** Interactions whose candidate lists are computed together (bounded memory: about 13 kB per list of 200). */
    private static final int CHUNK = 1024;

    private TwoStageExamples() {
    }

    /**
     * Trains the shared expert (returned; null when the configuration has none) and the genre experts with
     * {@code wanted[g]} into {@code experts}, the genre experts side by side on {@code pool} (each its own seed);
     * with {@code warm} (may be null) each starts from the earlier model's expert of its name.
     */
    static GenreExpert train(TrainingData data, ItemNeighbours neighbours, List<List<Interaction>> byGenre, boolean[] wanted,
                             TrainingConfig config, Map<String, Double> metrics, GenreExpert[] experts, ExecutorService pool,
                             WarmStart warm) {
        MovieTable table = data.table();
        List<List<ExpertExample>> examples = build(data, neighbours, byGenre, wanted, config, metrics, pool);
        GenreExpert shared = null;
        if (config.trainsSharedExpert()) {
            List<ExpertExample> ex = examples.get(SHARED);
            shared = MoeTrainer.fit("shared", positivesIn(ex), ex, table, config, 0, metrics, null, System.nanoTime(), warm);
        }
        GenreExpert base = config.residualExperts() ? shared : null;
        CompiledExpert baseCompiled = base == null ? null : base.compile(table);
        List<Callable<GenreExpert>> jobs = new ArrayList<>();
        List<Map<String, Double>> jobMetrics = new ArrayList<>();
        for (int g = 0; g < Genre.COUNT; g++) {
            Map<String, Double> m = new LinkedHashMap<>();
            jobMetrics.add(m);
            if (!wanted[g]) {
                jobs.add(() -> null);
                continue;
            }
            List<ExpertExample> ex = examples.get(g);
            String name = Genre.ofIndex(g).wireName();
            if (ex.isEmpty()) {
                LOG.info("expert {}: no positive among its candidates; no expert", name);
                jobs.add(() -> null);
                continue;
            }
            int stream = g + 1;
            jobs.add(() -> MoeTrainer.fit(name, positivesIn(ex), base == null ? ex : withOffsets(ex, baseCompiled), table, config,
                    stream, m, base, System.nanoTime(), warm));
        }
        List<GenreExpert> done = MoeTrainer.invokeAll(pool, jobs);
        for (int g = 0; g < Genre.COUNT; g++) {
            experts[g] = done.get(g);
            metrics.putAll(jobMetrics.get(g));
        }
        return shared;
    }

    /** The examples with the base expert's logit as their offset (a residual expert learns on top of it). */
    private static List<ExpertExample> withOffsets(List<ExpertExample> ex, CompiledExpert base) {
        double[] ctx = new double[base.contextSize()];
        List<ExpertExample> out = new ArrayList<>(ex.size());
        double[] lastUser = null;
        for (ExpertExample x : ex) {
            if (x.user() != lastUser) {
                base.prepareUser(x.user(), ctx);
                lastUser = x.user();
            }
            out.add(x.withOffset(base.logit(ctx, x.movie(), x.pair())));
        }
        return out;
    }

    /**
     * The examples per expert: index g for genre g's expert, {@link #SHARED} for the shared expert (empty lists
     * for experts not trained), without offsets.
     */
    static List<List<ExpertExample>> build(TrainingData data, ItemNeighbours neighbours, List<List<Interaction>> byGenre,
                                           boolean[] wanted, TrainingConfig config, Map<String, Double> metrics) {
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            return build(data, neighbours, byGenre, wanted, config, metrics, pool);
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * The same, with the fold fits and the candidate lists computed on {@code pool}; the examples (and
     * every random draw) are still made in interaction order, so the pool size does not change them.
     */
    static List<List<ExpertExample>> build(TrainingData data, ItemNeighbours neighbours, List<List<Interaction>> byGenre,
                                           boolean[] wanted, TrainingConfig config, Map<String, Double> metrics,
                                           ExecutorService pool) {
        long t0 = System.nanoTime();
        MovieTable table = data.table();
        TrainingConfig.FirstStage first = config.firstStage();
        // Which experts each interaction is a positive of, after each expert's seeded cap.
        Map<Interaction, Integer> mask = new IdentityHashMap<>();
        SplittableRandom[] rng = new SplittableRandom[Genre.COUNT + 1];
        NegativeSampler[] sampler = new NegativeSampler[Genre.COUNT + 1];
        long[] counts = new long[table.size()];
        for (int m = 0; m < counts.length; m++) {
            counts[m] = table.interactions(m);
        }
        int[] positives = new int[Genre.COUNT + 1];
        for (int e = 0; e <= Genre.COUNT; e++) {
            boolean isShared = e == SHARED;
            if (isShared ? !config.trainsSharedExpert() : !wanted[e]) {
                continue;
            }
            rng[e] = new SplittableRandom(config.seed() * 1_000_003L + (isShared ? 0 : e + 1));
            List<Interaction> pos = isShared ? data.interactions() : byGenre.get(e);
            if (pos.size() > config.maxPositivesPerExpert()) {
                pos = new ArrayList<>(pos);
                Collections.shuffle(pos, new java.util.Random(rng[e].nextLong()));
                pos = pos.subList(0, config.maxPositivesPerExpert());
            }
            for (Interaction it : pos) {
                mask.merge(it, 1 << e, (a, b) -> a | b);
            }
            sampler[e] = new NegativeSampler(allMovies(table.size()), counts, config.popularityExponent());
        }
        CandidateGenerator[] generators = foldGenerators(data, first, table, config.seed(), pool);
        Map<String, Integer> foldOf = folds(data, first.folds(), config.seed());

        List<List<ExpertExample>> examples = new ArrayList<>();
        for (int e = 0; e <= Genre.COUNT; e++) {
            examples.add(new ArrayList<>());
        }
        double[] acc = new double[table.size()];
        boolean[] mark = new boolean[table.size()];
        int[] touched = new int[table.size()];
        int[] slots = new int[first.candidates()];
        long inside = 0;
        long seen = 0;
        List<Interaction> wantedInteractions = new ArrayList<>();
        for (Interaction it : data.interactions()) {
            if (mask.containsKey(it)) {
                wantedInteractions.add(it);
            }
        }
        List<Candidates> chunk = List.of();
        for (int i = 0; i < wantedInteractions.size(); i++) {
            if (i % CHUNK == 0) {
                // The candidate lists of the next chunk, computed side by side (they draw nothing at random).
                chunk = candidates(wantedInteractions.subList(i, Math.min(i + CHUNK, wantedInteractions.size())), generators, foldOf,
                        data, pool);
            }
            Interaction it = wantedInteractions.get(i);
            int bitsOfExperts = mask.get(it);
            seen++;
            int[] watched = data.userWatches().get(it.userId());
            int positive = it.movie();
            Candidates cands = chunk.get(i % CHUNK);
            int at = cands.indexOf(positive);
            if (at < 0) {
                continue;
            }
            inside++;
            // Without the knn signal acc stays all zero, as serving's knn then is.
            int t = first.knnSignal() ? neighbours.accumulate(it.recent(), watched, counts, acc, mark, touched) : 0;
            for (int e = 0; e <= Genre.COUNT; e++) {
                if (((bitsOfExperts >>> e) & 1) == 0) {
                    continue;
                }
                List<ExpertExample> out = examples.get(e);
                out.add(new ExpertExample(it.user(), positive, pair(cands, at, acc[positive]), true));
                int n = 0;
                for (int x = 0; x < cands.size(); x++) {
                    if (cands.items()[x] != positive) {
                        slots[n++] = x;
                    }
                }
                for (int k = 0; k < config.negativesPerPositive(); k++) {
                    if (k < first.hardNegatives() && n > 0) {
                        int x = slots[rng[e].nextInt(n)];
                        int m = cands.items()[x];
                        out.add(new ExpertExample(it.user(), m, pair(cands, x, acc[m]), false));
                    } else {
                        int m = sampler[e].sample(rng[e], positive);
                        out.add(new ExpertExample(it.user(), m, pair(cands, cands.indexOf(m), acc[m]), false));
                    }
                }
            }
            for (int x = 0; x < t; x++) {
                acc[touched[x]] = 0;
                mark[touched[x]] = false;
            }
        }
        double recall = seen == 0 ? 0 : (double) inside / seen;
        metrics.put("train.candidateRecall", recall);
        LOG.info("two-stage examples: {} of {} positives among their profile's top {} candidates ({}), {} folds, in {} ms",
                inside, seen, first.candidates(), String.format(java.util.Locale.ROOT, "%.3f", recall), first.folds(),
                (System.nanoTime() - t0) / 1_000_000);

        return examples;
    }

    /**
     * The pair signals of candidate {@code x} (−1: not a candidate, its first-stage scores and context signals 0
     * and its rank last).
     */
    static double[] pair(Candidates cands, int x, double knn) {
        double[] p = new double[ExpertFeatures.PAIR_SIZE];
        p[0] = knn;
        if (x >= 0) {
            System.arraycopy(cands.signals()[x], 0, p, 1, CandidateGenerator.SIGNALS);
            System.arraycopy(cands.context()[x], 0, p, ExpertFeatures.PAIR_CONTEXT, ContextSignals.COUNT);
        } else {
            p[CandidateGenerator.SIGNALS] = 1.0;
        }
        return p;
    }

    /** A most-recent-first watch list turned oldest first, as the first stage reads it. */
    static int[] oldestFirst(int[] recentFirst) {
        int[] out = new int[recentFirst.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = recentFirst[recentFirst.length - 1 - i];
        }
        return out;
    }

    private static int positivesIn(List<ExpertExample> ex) {
        int n = 0;
        for (ExpertExample x : ex) {
            n += x.positive() ? 1 : 0;
        }
        return n;
    }

    private static int[] allMovies(int n) {
        int[] all = new int[n];
        for (int i = 0; i < n; i++) {
            all[i] = i;
        }
        return all;
    }

    /** Each user's fold: users shuffled with the seed, then dealt round-robin. */
    static Map<String, Integer> folds(TrainingData data, int folds, long seed) {
        List<String> users = new ArrayList<>(data.userWatches().keySet());
        Collections.shuffle(users, new java.util.Random(seed + 404));
        Map<String, Integer> out = new HashMap<>();
        for (int i = 0; i < users.size(); i++) {
            out.put(users.get(i), i % folds);
        }
        return out;
    }

    /** Per fold, the candidate generator over a first stage fitted on every other fold's users. */
    private static CandidateGenerator[] foldGenerators(TrainingData data, TrainingConfig.FirstStage first, MovieTable table,
                                                      long seed, ExecutorService pool) {
        Map<String, Integer> foldOf = folds(data, first.folds(), seed);
        List<Callable<CandidateGenerator>> jobs = new ArrayList<>();
        for (int f = 0; f < first.folds(); f++) {
            List<int[]> others = new ArrayList<>();
            for (Map.Entry<String, int[]> e : data.userWatches().entrySet()) {
                if (foldOf.get(e.getKey()) != f) {
                    others.add(e.getValue());
                }
            }
            jobs.add(() -> new CandidateGenerator(ItemToItem.ease(others, table.size(), first.lambda(), first.neighbours()), table,
                    first.candidates(), first.contextSignals()));
        }
        return MoeTrainer.invokeAll(pool, jobs).toArray(new CandidateGenerator[0]);
    }

    /** Each interaction's candidates from its fold's first stage, the user's other watched movies left out. */
    private static List<Candidates> candidates(List<Interaction> interactions, CandidateGenerator[] generators,
                                               Map<String, Integer> foldOf, TrainingData data, ExecutorService pool) {
        int parts = MoeTrainer.threads();
        int per = (interactions.size() + parts - 1) / parts;
        List<Callable<List<Candidates>>> jobs = new ArrayList<>();
        for (int from = 0; from < interactions.size(); from += per) {
            List<Interaction> part = interactions.subList(from, Math.min(from + per, interactions.size()));
            jobs.add(() -> {
                List<Candidates> out = new ArrayList<>(part.size());
                for (Interaction it : part) {
                    int[] watched = data.userWatches().get(it.userId());
                    int positive = it.movie();
                    out.add(generators[foldOf.get(it.userId())].candidates(oldestFirst(it.recent()),
                            i -> i != positive && Arrays.binarySearch(watched, i) >= 0));
                }
                return out;
            });
        }
        List<Candidates> all = new ArrayList<>(interactions.size());
        for (List<Candidates> c : MoeTrainer.invokeAll(pool, jobs)) {
            all.addAll(c);
        }
        return all;
    }
}
