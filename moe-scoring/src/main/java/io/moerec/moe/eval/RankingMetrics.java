package io.moerec.moe.eval;

import java.util.Set;

/**
 * Per-user top-K ranking metrics for implicit feedback against a set of held-out relevant items:
 * HR@K (1 if any hit), NDCG@K (binary gain, DCG = Σ 1/log2(rank + 1), ideal DCG over
 * min(|relevant|, K) hits), Recall@K (hits / |relevant|) and MRR@K (1 / rank of the first hit, 0 if
 * none). Pure functions, tested against hand-computed examples.
 */
public record RankingMetrics(double hr, double ndcg, double recall, double mrr) {

    /** Metrics of one user's ranked list; only the first {@code k} entries count. */
    public static RankingMetrics of(long[] ranked, Set<Long> relevant, int k) {
        if (relevant.isEmpty()) {
            throw new IllegalArgumentException("a test user needs at least one relevant item");
        }
        int n = Math.min(k, ranked.length);
        int hits = 0;
        double dcg = 0;
        double mrr = 0;
        for (int i = 0; i < n; i++) {
            if (relevant.contains(ranked[i])) {
                hits++;
                dcg += 1.0 / log2(i + 2);
                if (mrr == 0) {
                    mrr = 1.0 / (i + 1);
                }
            }
        }
        double idcg = 0;
        for (int i = 0; i < Math.min(k, relevant.size()); i++) {
            idcg += 1.0 / log2(i + 2);
        }
        return new RankingMetrics(hits > 0 ? 1 : 0, dcg / idcg, (double) hits / relevant.size(), mrr);
    }

    private static double log2(double x) {
        return Math.log(x) / Math.log(2);
    }
}
