package io.moerec.moe;

import io.moerec.ingest.domain.Genre;
import io.moerec.ingest.domain.RecommendationList.ExpertWeight;
import io.moerec.ingest.domain.RecommendationList.RecommendedItem;
import io.moerec.ingest.domain.UserPreferenceFeatures;
import io.moerec.moe.math.TopN;
import io.moerec.moe.model.CompiledExpert;
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
 * experts that contributed and their weights. Ties rank the lower movie id first. A chosen genre
 * without a trained expert is dropped and its weight is not handed to the others. Immutable and
 * thread-safe after construction; a request allocates only per-request scratch arrays.
 */
public final class MoeScorer {

    private final MovieTable table;
    private final CompiledExpert[] experts;
    private final Router router;
    /** Per genre, per movie: the {@link SamplingCorrection}; null scores with the raw probabilities. */
    private final double[][] correction;

    private final ItemNeighbours neighbours;

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
    }

    /** The output of expert {@code g} for a movie: corrected as configured. */
    private double expertOutput(int g, double[] ctx, int m, double knn) {
        CompiledExpert e = experts[g];
        return correction == null ? e.score(ctx, m, knn) : SamplingCorrection.apply(e.logit(ctx, m, knn), correction[g][m]);
    }

    public Router router() {
        return router;
    }

    public MovieTable table() {
        return table;
    }

    /** Recommends for a feature update, excluding the user's recent watches. */
    public List<RecommendedItem> recommend(UserPreferenceFeatures features, int n) {
        long[] recent = features.recentWatches().clone();
        Arrays.sort(recent);
        return recommend(UserVector.of(features), ItemNeighbours.indices(features.recentWatches(), table),
                id -> Arrays.binarySearch(recent, id) >= 0, n);
    }

    /** Recommends for a user vector without item history, skipping movies for which {@code excluded} is true. */
    public List<RecommendedItem> recommend(double[] user, LongPredicate excluded, int n) {
        return recommend(user, new int[0], excluded, n);
    }

    /**
     * Recommends for a user vector and recent watches (dense table indices, most recent first, −1 for
     * unknown movies), skipping movies for which {@code excluded} is true.
     */
    public List<RecommendedItem> recommend(double[] user, int[] recent, LongPredicate excluded, int n) {
        double[] knn = new double[table.size()];
        if (neighbours != null && recent.length > 0) {
            neighbours.knn(recent, knn);
        }
        int[] chosen = new int[router.maxExperts()];
        double[] weights = new double[router.maxExperts()];
        int c = compact(chosen, weights, router.route(user, chosen, weights));
        double[][] ctx = new double[c][];
        for (int i = 0; i < c; i++) {
            CompiledExpert e = experts[chosen[i]];
            ctx[i] = new double[e.contextSize()];
            e.prepareUser(user, ctx[i]);
        }
        TopN top = new TopN(n);
        int earlier = 0;
        for (int i = 0; i < c; i++) {
            int g = chosen[i];
            for (int m : table.moviesOfGenre(g)) {
                int bits = table.genreBits(m);
                // Movies of an earlier chosen genre were already scored with every chosen expert.
                if ((bits & earlier) != 0 || excluded.test(table.movieId(m))) {
                    continue;
                }
                double s = 0;
                for (int j = i; j < c; j++) {
                    if (((bits >>> chosen[j]) & 1) != 0) {
                        s += weights[j] * expertOutput(chosen[j], ctx[j], m, knn[m]);
                    }
                }
                top.offer(s, m);
            }
            earlier |= 1 << g;
        }
        int[] items = new int[top.size()];
        double[] scores = new double[top.size()];
        int k = top.drainBestFirst(items, scores);
        List<RecommendedItem> out = new ArrayList<>(k);
        for (int r = 0; r < k; r++) {
            int bits = table.genreBits(items[r]);
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
