package io.moerec.moe;

import io.moerec.ingest.domain.Genre;
import io.moerec.ingest.domain.RecommendationList.ExpertWeight;
import io.moerec.ingest.domain.RecommendationList.RecommendedItem;
import io.moerec.ingest.domain.UserPreferenceFeatures;
import io.moerec.moe.math.MoeMath;
import io.moerec.moe.math.TopN;
import io.moerec.moe.model.CandidateGenerator;
import io.moerec.moe.model.CandidateGenerator.Candidates;
import io.moerec.moe.model.ExpertFeatures;
import io.moerec.moe.model.CompiledExpert;
import io.moerec.moe.model.ContextSignals;
import io.moerec.moe.model.ItemNeighbours;
import io.moerec.moe.model.MovieTable;
import io.moerec.moe.model.SamplingCorrection;
import io.moerec.moe.model.UserVector;
import io.moerec.moe.routing.Router;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.LongPredicate;

/**
 * Scores a user with the MoE on the compiled path: the router picks experts and weights, then
 * {@code s(u, m) = Σ over chosen experts e with m in genre e of weight_e · expert_e(u, m)}, the expert
 * output being its probability or, with a {@link SamplingCorrection}, an estimate of P(m | u, e), over the
 * chosen genres' movies minus the excluded ones, and the top N come back best first, each with the
 * experts that contributed and their weights. Two extensions, both off by default: a shared, always-on
 * expert adds λ·P_shared(m | u) to every catalog movie (which then are all candidates; an item reached
 * through the shared expert alone lists no genre experts), and the routed part may be normalised per
 * movie by the summed weight of its chosen experts. Ties rank the lower movie id first. With a
 * {@link CandidateGenerator} (the two-stage path, the default model's) only the user's first-stage
 * candidates are scored, by the formula given at the full constructor, and each item names the recent
 * watch behind it ({@link RecommendedItem#because}). A chosen genre
 * without a trained expert is dropped and its weight is not handed to the others. Immutable and
 * thread-safe after construction; a request allocates only small per-request arrays (the catalog-size
 * buffers are per thread).
 */
public final class MoeScorer {

    private final MovieTable table;
    private final CompiledExpert[] experts;
    private final Router router;
    /** Per genre, per movie: the {@link SamplingCorrection}; null scores with the raw probabilities. */
    private final double[][] correction;

    private final ItemNeighbours neighbours;
    /** The shared, always-on expert (null: none), its per-movie correction over the whole catalog and its weight λ. */
    private final CompiledExpert shared;
    private final double[] sharedCorrection;
    private final double sharedWeight;
    private final boolean normalise;
    /** Soft experts: every chosen expert scores every catalog movie (not only its genre's). */
    private final boolean wholeCatalog;
    /** The first stage of the two-stage path, or null for the single-stage path. */
    private final CandidateGenerator candidates;
    /** Per thread, the request buffers. */
    private final ThreadLocal<Scratch> scratch;

    /**
     * A thread's request buffers: catalog-size ones, all zero between requests (a request clears what it
     * wrote), so that a request neither allocates nor fills them.
     */
    private static final class Scratch {
        /** Single stage (null on the two-stage path): knn of every movie. */
        final double[] knn;
        /** Two stage (null on the single-stage path): 1 + the candidate position of each candidate movie, 0 elsewhere. */
        final int[] slot;
        /** Two stage: knn of each candidate, by position. */
        double[] candidateKnn = new double[0];

        Scratch(int movies, boolean twoStage) {
            knn = twoStage ? null : new double[movies];
            slot = twoStage ? new int[movies] : null;
        }
    }

    /** Scores with the experts' raw probabilities (no sampling correction) and no item-history signal. */
    public MoeScorer(MovieTable table, CompiledExpert[] experts, Router router) {
        this(table, experts, null, null, router);
    }

    /**
     * @param experts    compiled expert per genre ordinal; null for a genre without a trained expert
     * @param correction per genre, per movie, the {@link SamplingCorrection} added to the expert's
     *                   logit (expert output exp(logit + correction)); null for raw probabilities
     * @param neighbours the item neighbourhoods behind the experts' knn signal; null gives knn = 0
     */
    public MoeScorer(MovieTable table, CompiledExpert[] experts, double[][] correction, ItemNeighbours neighbours,
                     Router router) {
        this(table, experts, correction, neighbours, router, null, null, 0, false, false, null);
    }

    /**
     * The full form: {@code s(u, m) = λ · shared(u, m) + routed(u, m)}, the shared expert's output being
     * exp(logit + sharedCorrection[m]) ≈ P(m | u) (or its probability without a correction), and
     * {@code routed} the sum over chosen experts with m in their genre of weight · output, or,
     * with {@code normalise}, that sum divided by the summed weight of those experts. With a shared
     * expert every catalog movie (minus the excluded) is a candidate, since the shared expert scores
     * them all; without one, only the chosen genres' movies are.
     *
     * @param shared           the shared expert, or null for none (then λ and its correction are ignored)
     * @param sharedCorrection per movie, the shared expert's sampling correction; null for raw probabilities
     * @param sharedWeight     λ ≥ 0
     * @param normalise        weighted mean instead of weighted sum over a movie's chosen experts
     * @param wholeCatalog     every chosen expert scores every catalog movie (soft experts, {@code train.softExperts})
     *                         instead of its genre's movies only
     * @param candidates       the two-stage path's first stage (null: the single-stage path): only the user's
     *                         candidates are scored, with the raw expert probabilities P (the experts were trained
     *                         against the candidates, not against sampled negatives, so no sampling correction
     *                         applies) and the first stage's pair signals, as
     *                         {@code s(u, m) = λ·P_shared + Σ_e w_e·P_e + (1 − Σ_e w_e)·P_shared} over the chosen
     *                         experts e with m in their genre (every chosen expert for soft experts; with
     *                         {@code normalise} the routed part is their weighted mean and takes the whole weight):
     *                         the weight not routed to the movie's genres goes to the shared expert, which then
     *                         scores even with λ = 0
     */
    public MoeScorer(MovieTable table, CompiledExpert[] experts, double[][] correction, ItemNeighbours neighbours,
                     Router router, CompiledExpert shared, double[] sharedCorrection, double sharedWeight, boolean normalise,
                     boolean wholeCatalog, CandidateGenerator candidates) {
        this.wholeCatalog = wholeCatalog;
        this.candidates = candidates;
        if (sharedWeight < 0 || Double.isNaN(sharedWeight)) {
            throw new IllegalArgumentException("sharedWeight must be ≥ 0, got " + sharedWeight);
        }
        if (sharedCorrection != null && sharedCorrection.length != table.size()) {
            throw new IllegalArgumentException("the shared correction covers " + sharedCorrection.length + " movies, the table "
                    + table.size());
        }
        this.shared = shared;
        this.sharedCorrection = sharedCorrection == null ? null : sharedCorrection.clone();
        this.sharedWeight = sharedWeight;
        this.normalise = normalise;
        this.neighbours = neighbours;
        this.table = Objects.requireNonNull(table, "table");
        if (experts.length != Genre.COUNT) {
            throw new IllegalArgumentException("need one expert slot per genre (" + Genre.COUNT + "), got " + experts.length);
        }
        this.experts = experts.clone();
        this.router = Objects.requireNonNull(router, "router");
        if (correction != null && correction.length != Genre.COUNT) {
            throw new IllegalArgumentException("need one correction per genre");
        }
        this.correction = correction == null ? null : correction.clone();
        this.scratch = ThreadLocal.withInitial(() -> new Scratch(table.size(), candidates != null));
    }

    /** The output of expert {@code g} for a movie: corrected as configured. */
    private double expertOutput(int g, double[] ctx, int m, double[] pair) {
        CompiledExpert e = experts[g];
        return correction == null ? MoeMath.sigmoid(e.logit(ctx, m, pair)) : SamplingCorrection.apply(e.logit(ctx, m, pair),
                correction[g][m]);
    }

    public Router router() {
        return router;
    }

    public MovieTable table() {
        return table;
    }

    /** Recommends for a feature update, excluding what serving excludes ({@link Exclusion}: the complete watched set). */
    public List<RecommendedItem> recommend(UserPreferenceFeatures features, int n) {
        return recommend(UserVector.of(features), ItemNeighbours.indices(features.recentWatches(), table),
                Exclusion.of(features), n);
    }

    /** Recommends for a user vector without item history, skipping movies for which {@code excluded} is true. */
    public List<RecommendedItem> recommend(double[] user, LongPredicate excluded, int n) {
        return recommend(user, new int[0], excluded, n);
    }

    /**
     * Recommends for a user vector and recent watches (dense table indices, most recent first, −1 for
     * unknown movies), skipping movies for which {@code excluded} is true. On the two-stage path the
     * items are the best of the user's candidates, each with the recent watch behind it
     * ({@link RecommendedItem#because}); otherwise none has one.
     */
    public List<RecommendedItem> recommend(double[] user, int[] recent, LongPredicate excluded, int n) {
        int[] chosen = new int[router.maxExperts()];
        double[] weights = new double[router.maxExperts()];
        int c = router.route(user, chosen, weights);
        return recommend(user, recent, excluded, n, chosen, weights, c);
    }

    /**
     * The same with the routing decided by the caller: the first {@code count} of {@code routedExperts} and
     * {@code routedWeights}, as {@link Router#route} writes them (or {@link io.moerec.moe.routing.ExpertCapacity}
     * past full experts). The arrays are not modified.
     */
    public List<RecommendedItem> recommend(double[] user, int[] recent, LongPredicate excluded, int n, int[] routedExperts,
                                           double[] routedWeights, int count) {
        int[] chosen = Arrays.copyOf(routedExperts, count);
        double[] weights = Arrays.copyOf(routedWeights, count);
        int c = compact(chosen, weights, count);
        if (candidates != null) {
            return twoStage(user, recent, excluded, n, chosen, weights, c);
        }
        double[] knn = scratch.get().knn;
        boolean wrote = neighbours != null && recent.length > 0;
        if (wrote) {
            neighbours.knn(recent, knn);
        }
        try {
            return singleStage(user, knn, excluded, n, chosen, weights, c);
        } finally {
            if (wrote) {
                neighbours.clearKnn(recent, knn);
            }
        }
    }

    private List<RecommendedItem> singleStage(double[] user, double[] knn, LongPredicate excluded, int n, int[] chosen,
                                              double[] weights, int c) {
        double[][] ctx = new double[c][];
        for (int i = 0; i < c; i++) {
            CompiledExpert e = experts[chosen[i]];
            ctx[i] = new double[e.contextSize()];
            e.prepareUser(user, ctx[i]);
        }
        TopN top = new TopN(n);
        // Single-stage: the first stage's pair signals stay zero, only knn is set per movie.
        double[] pair = new double[ExpertFeatures.PAIR_SIZE];
        if (shared != null || wholeCatalog) {
            double[] sctx = shared == null ? null : new double[shared.contextSize()];
            if (shared != null) {
                shared.prepareUser(user, sctx);
            }
            int mask = 0;
            for (int i = 0; i < c; i++) {
                mask |= 1 << chosen[i];
            }
            for (int m = 0; m < table.size(); m++) {
                if (excluded.test(table.movieId(m))) {
                    continue;
                }
                double s = 0;
                pair[0] = knn[m];
                if (shared != null) {
                    double logit = shared.logit(sctx, m, pair);
                    s = sharedWeight * (sharedCorrection == null ? MoeMath.sigmoid(logit)
                            : SamplingCorrection.apply(logit, sharedCorrection[m]));
                }
                int bits = wholeCatalog ? -1 : table.genreBits(m);
                if ((bits & mask) != 0) {
                    s += routed(bits, chosen, weights, c, 0, ctx, m, pair);
                }
                top.offer(s, m);
            }
        } else {
            int earlier = 0;
            for (int i = 0; i < c; i++) {
                int g = chosen[i];
                for (int m : table.moviesOfGenre(g)) {
                    int bits = table.genreBits(m);
                    // Movies of an earlier chosen genre were already scored with every chosen expert.
                    if ((bits & earlier) != 0 || excluded.test(table.movieId(m))) {
                        continue;
                    }
                    pair[0] = knn[m];
                    top.offer(routed(bits, chosen, weights, c, i, ctx, m, pair), m);
                }
                earlier |= 1 << g;
            }
        }
        int[] items = new int[top.size()];
        double[] scores = new double[top.size()];
        int k = top.drainBestFirst(items, scores);
        List<RecommendedItem> out = new ArrayList<>(k);
        for (int r = 0; r < k; r++) {
            int bits = wholeCatalog ? -1 : table.genreBits(items[r]);
            List<ExpertWeight> contributors = new ArrayList<>(2);
            for (int j = 0; j < c; j++) {
                if (((bits >>> chosen[j]) & 1) != 0) {
                    contributors.add(new ExpertWeight(Genre.ofIndex(chosen[j]), weights[j]));
                }
            }
            out.add(new RecommendedItem(table.movieId(items[r]), scores[r], contributors));
        }
        return out;
    }

    /** Whether this scorer takes the two-stage path. */
    public boolean twoStage() {
        return candidates != null;
    }

    /** The two-stage path: the first stage's candidates, re-ranked by the routed experts (and the shared one). */
    private List<RecommendedItem> twoStage(double[] user, int[] recent, LongPredicate excluded, int n,
                                           int[] chosen, double[] weights, int c) {
        int[] oldestFirst = new int[recent.length];
        for (int i = 0; i < recent.length; i++) {
            oldestFirst[i] = recent[recent.length - 1 - i];
        }
        Candidates cands = candidates.candidates(oldestFirst, i -> excluded.test(table.movieId(i)));
        // knn of the candidates only: the experts never read it for another movie.
        Scratch buffers = scratch.get();
        if (buffers.candidateKnn.length < cands.size()) {
            buffers.candidateKnn = new double[cands.size()];
        }
        double[] knn = buffers.candidateKnn;
        if (neighbours != null) {
            neighbours.knn(recent, cands.items(), cands.size(), buffers.slot, knn);
        } else {
            Arrays.fill(knn, 0, cands.size(), 0.0);
        }
        double[][] ctx = new double[c][];
        for (int i = 0; i < c; i++) {
            ctx[i] = new double[experts[chosen[i]].contextSize()];
            experts[chosen[i]].prepareUser(user, ctx[i]);
        }
        double[] sctx = null;
        if (shared != null) {
            sctx = new double[shared.contextSize()];
            shared.prepareUser(user, sctx);
        }
        double[] pair = new double[ExpertFeatures.PAIR_SIZE];
        // Without context signals their rows are all zero, as the pair's slots already are.
        boolean withContext = candidates.contextSignals();
        TopN top = new TopN(n);
        for (int x = 0; x < cands.size(); x++) {
            int m = cands.items()[x];
            pair[0] = knn[x];
            System.arraycopy(cands.signals()[x], 0, pair, 1, CandidateGenerator.SIGNALS);
            if (withContext) {
                System.arraycopy(cands.context()[x], 0, pair, ExpertFeatures.PAIR_CONTEXT, ContextSignals.COUNT);
            }
            double pShared = shared == null ? 0 : MoeMath.sigmoid(shared.logit(sctx, m, pair));
            double s = sharedWeight * pShared;
            int bits = wholeCatalog ? -1 : table.genreBits(m);
            double routed = 0;
            double w = 0;
            for (int j = 0; j < c; j++) {
                if (((bits >>> chosen[j]) & 1) != 0) {
                    routed += weights[j] * MoeMath.sigmoid(experts[chosen[j]].logit(ctx[j], m, pair));
                    w += weights[j];
                }
            }
            if (normalise && w > 0) {
                routed /= w;
                w = 1;
            }
            // The weight not routed to the movie's genres goes to the shared expert: the chosen experts refine
            // the shared estimate for their genres' movies instead of adding a bonus to every one of them.
            s += routed + (shared == null ? 0 : Math.max(0, 1 - w) * pShared);
            // Ties go to the better first-stage rank.
            top.offer(s, x);
        }
        int[] order = new int[top.size()];
        double[] scores = new double[top.size()];
        int k = top.drainBestFirst(order, scores);
        List<RecommendedItem> out = new ArrayList<>(k);
        for (int r = 0; r < k; r++) {
            int x = order[r];
            int m = cands.items()[x];
            int bits = wholeCatalog ? -1 : table.genreBits(m);
            List<ExpertWeight> contributors = new ArrayList<>(2);
            for (int j = 0; j < c; j++) {
                if (((bits >>> chosen[j]) & 1) != 0) {
                    contributors.add(new ExpertWeight(Genre.ofIndex(chosen[j]), weights[j]));
                }
            }
            int because = cands.because()[x];
            out.add(new RecommendedItem(table.movieId(m), scores[r], contributors, because < 0 ? null : table.movieId(because)));
        }
        return out;
    }

    /**
     * The routed part of a movie's score: Σ over chosen experts j ≥ {@code from} with the movie in their
     * genre of weight_j · output_j, or that sum over Σ weight_j when normalising. (Experts before
     * {@code from} do not hold the movie: the caller skips movies of earlier genres.)
     */
    private double routed(int bits, int[] chosen, double[] weights, int c, int from, double[][] ctx, int m, double[] pair) {
        double s = 0;
        double w = 0;
        for (int j = from; j < c; j++) {
            if (((bits >>> chosen[j]) & 1) != 0) {
                s += weights[j] * expertOutput(chosen[j], ctx[j], m, pair);
                w += weights[j];
            }
        }
        return normalise && w > 0 ? s / w : s;
    }

    /** Drops chosen genres that have no expert, keeping order; returns the new count. */
    private int compact(int[] chosen, double[] weights, int c) {
        int k = 0;
        for (int i = 0; i < c; i++) {
            if (experts[chosen[i]] != null) {
                chosen[k] = chosen[i];
                weights[k++] = weights[i];
            }
        }
        return k;
    }
}
