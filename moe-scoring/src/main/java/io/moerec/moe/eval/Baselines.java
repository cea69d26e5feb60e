package io.moerec.moe.eval;

import io.moerec.moe.MoeScorer;
import io.moerec.moe.math.TopN;
import io.moerec.moe.model.CompiledExpert;
import io.moerec.moe.model.EaseModel;
import io.moerec.moe.model.ItemNeighbours;
import io.moerec.moe.model.ItemToItem;
import io.moerec.moe.model.MovieTable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongPredicate;

/**
 * The reference methods of the evaluation: the MoE itself, most-popular, item-kNN, a single global model,
 * and the item-to-item peers (EASE and sparse item-to-item models over recency-weighted histories).
 */
public final class Baselines {

    private Baselines() {
    }

    /** The MoE with one router; {@code recent} gives each user's recent watches (dense indices). */
    public static RankingMethod moe(String name, MoeScorer scorer, Map<String, int[]> recent) {
        return new RankingMethod() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public long[] recommend(String userId, double[] user, LongPredicate excluded, int k) {
                return OfflineScoring.recommend(scorer, user, recent.getOrDefault(userId, new int[0]), excluded, k).stream()
                        .mapToLong(it -> it.movieId()).toArray();
            }
        };
    }

    /** Most training interactions first, ties by lower movie id. */
    public static RankingMethod mostPopular(MovieTable table) {
        Integer[] order = new Integer[table.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> a.equals(b) ? 0
                : table.interactions(a) != table.interactions(b) ? Long.compare(table.interactions(b), table.interactions(a))
                : Long.compare(table.movieId(a), table.movieId(b)));
        long[] ranked = Arrays.stream(order).mapToLong(table::movieId).toArray();
        return new RankingMethod() {
            @Override
            public String name() {
                return "most-popular";
            }

            @Override
            public long[] recommend(String userId, double[] user, LongPredicate excluded, int k) {
                long[] out = new long[k];
                int n = 0;
                for (int i = 0; i < ranked.length && n < k; i++) {
                    if (!excluded.test(ranked[i])) {
                        out[n++] = ranked[i];
                    }
                }
                return Arrays.copyOf(out, n);
            }
        };
    }

    /**
     * The single-stage global model (one expert over all genres) scoring the whole table, with the same sampling
     * correction as the experts ({@code correction[m]}, see {@code SamplingCorrection}).
     */
    public static RankingMethod globalModel(CompiledExpert global, double[] correction, ItemNeighbours neighbours,
                                            Map<String, int[]> recent, MovieTable table) {
        return new RankingMethod() {
            @Override
            public String name() {
                return Evaluation.GLOBAL;
            }

            @Override
            public long[] recommend(String userId, double[] user, LongPredicate excluded, int k) {
                double[] ctx = new double[global.contextSize()];
                global.prepareUser(user, ctx);
                double[] knn = new double[table.size()];
                neighbours.knn(recent.getOrDefault(userId, new int[0]), knn);
                TopN top = new TopN(k);
                for (int m = 0; m < table.size(); m++) {
                    if (!excluded.test(table.movieId(m))) {
                        top.offer(global.logit(ctx, m, knn[m]) + correction[m], m);
                    }
                }
                return drain(top, table);
            }
        };
    }

    /**
     * Item-kNN: score(i) = Σ over the user's training items j of cos(i, j), with cos the co-watch count
     * over √(|users of i| · |users of j|): cosine similarity of the items' binary user vectors.
     */
    public static RankingMethod itemKnn(Map<String, ? extends Collection<Long>> trainWatches, MovieTable table) {
        int n = table.size();
        List<List<Integer>> usersOf = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            usersOf.add(new ArrayList<>());
        }
        List<int[]> itemsOf = new ArrayList<>();
        Map<String, Integer> userIndex = new HashMap<>();
        for (Map.Entry<String, ? extends Collection<Long>> e : trainWatches.entrySet()) {
            int[] items = e.getValue().stream().mapToInt(table::indexOf).filter(i -> i >= 0).distinct().toArray();
            int u = itemsOf.size();
            userIndex.put(e.getKey(), u);
            itemsOf.add(items);
            for (int i : items) {
                usersOf.get(i).add(u);
            }
        }
        return new RankingMethod() {
            @Override
            public String name() {
                return "item-knn";
            }

            @Override
            public long[] recommend(String userId, double[] user, LongPredicate excluded, int k) {
                Integer u = userIndex.get(userId);
                double[] score = new double[n];
                if (u != null) {
                    int[] co = new int[n];
                    int[] touched = new int[n];
                    for (int j : itemsOf.get(u)) {
                        int t = 0;
                        for (int v : usersOf.get(j)) {
                            for (int i : itemsOf.get(v)) {
                                if (co[i]++ == 0) {
                                    touched[t++] = i;
                                }
                            }
                        }
                        double nj = usersOf.get(j).size();
                        for (int x = 0; x < t; x++) {
                            int i = touched[x];
                            score[i] += co[i] / Math.sqrt(nj * usersOf.get(i).size());
                            co[i] = 0;
                        }
                    }
                }
                TopN top = new TopN(k);
                for (int m = 0; m < n; m++) {
                    if (!excluded.test(table.movieId(m))) {
                        top.offer(score[m], m);
                    }
                }
                return drain(top, table);
            }
        };
    }

    /**
     * EASE over the user's training watches ({@code history}: dense indices, oldest first), each
     * weighted 0.5^(age/h) ({@code halfLife} infinite: every watch 1), scored exactly over the table.
     */
    public static RankingMethod ease(String name, EaseModel model, Map<String, int[]> history, double halfLife, MovieTable table) {
        return weightedHistory(name, model::score, history, halfLife, table);
    }

    /**
     * A sparse item-to-item model (cosine neighbours, or EASE kept to its top M weights per item) over
     * the user's training watches weighted as in {@link #ease}.
     */
    public static RankingMethod itemToItem(String name, ItemToItem model, Map<String, int[]> history, double halfLife,
                                           MovieTable table) {
        return weightedHistory(name, model::score, history, halfLife, table);
    }

    /** Scores every item from a user's watches and their weights into {@code out}. */
    private interface HistoryScorer {
        void score(int[] profile, double[] weights, double[] out);
    }

    private static RankingMethod weightedHistory(String name, HistoryScorer scorer, Map<String, int[]> history, double halfLife,
                                                 MovieTable table) {
        return new RankingMethod() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public long[] recommend(String userId, double[] user, LongPredicate excluded, int k) {
                int[] p = history.getOrDefault(userId, new int[0]);
                double[] score = new double[table.size()];
                scorer.score(p, ItemToItem.recencyWeights(p.length, halfLife), score);
                return Peers.top(score, m -> excluded.test(table.movieId(m)), table, k);
            }
        };
    }

    private static long[] drain(TopN top, MovieTable table) {
        int[] items = new int[top.size()];
        double[] scores = new double[top.size()];
        int c = top.drainBestFirst(items, scores);
        long[] out = new long[c];
        for (int i = 0; i < c; i++) {
            out[i] = table.movieId(items[i]);
        }
        return out;
    }
}
