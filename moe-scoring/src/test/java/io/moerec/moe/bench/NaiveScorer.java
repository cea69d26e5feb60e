package io.moerec.moe.bench;

import io.moerec.ingest.domain.Genre;
import io.moerec.moe.MoeModel;
import io.moerec.moe.math.TopN;
import io.moerec.moe.model.CandidateGenerator;
import io.moerec.moe.model.ContextSignals;
import io.moerec.moe.model.ExpertFeatures;
import io.moerec.moe.model.GenreExpert;
import io.moerec.moe.model.MovieTable;
import io.moerec.moe.model.SamplingCorrection;
import io.moerec.moe.routing.Router;
import java.util.function.LongPredicate;

/**
 * The MoE scored the naive way: same routing, candidates (on the two-stage path, the same first stage)
 * and mixture (shared expert, normalisation, soft experts) as {@code MoeScorer}, but every (user, movie, expert) through Tribuo's per-example
 * {@code predict} (a residual expert's predict calls the shared expert's for its offset). The benchmark's reference path.
 */
public final class NaiveScorer {

    private final MoeModel model;
    private final Router router;

    public NaiveScorer(MoeModel model, Router router) {
        this.model = model;
        this.router = router;
    }

    public long[] recommend(double[] user, int[] recent, LongPredicate excluded, int n) {
        MovieTable table = model.table();
        double[] knn = new double[table.size()];
        model.neighbours().knn(recent, knn);
        if (model.candidateGenerator() != null) {
            return twoStage(user, recent, knn, excluded, n);
        }
        int[] chosen = new int[router.maxExperts()];
        double[] w = new double[router.maxExperts()];
        int c = router.route(user, chosen, w);
        int mask = 0;
        for (int i = 0; i < c; i++) {
            if (model.expert(chosen[i]) != null) {
                mask |= 1 << chosen[i];
            }
        }
        TopN top = new TopN(n);
        var config = model.config();
        boolean shared = config.sharedWeight() > 0;
        double[] sharedCorrection = shared ? model.sharedCorrection() : null;
        boolean soft = config.softExperts() > 0;
        for (int m = 0; m < table.size(); m++) {
            int bits = soft ? -1 : table.genreBits(m);
            if ((!shared && (bits & mask) == 0) || excluded.test(table.movieId(m))) {
                continue;
            }
            double s = 0;
            double weight = 0;
            for (int i = 0; i < c; i++) {
                GenreExpert e = model.expert(chosen[i]);
                if (e != null && ((bits >>> chosen[i]) & 1) != 0) {
                    s += w[i] * SamplingCorrection.applyToProbability(e.tribuoProbability(user, table, m, knn[m]),
                            model.correction(chosen[i], m));
                    weight += w[i];
                }
            }
            if (config.normaliseMixture() && weight > 0) {
                s /= weight;
            }
            if (shared) {
                s += config.sharedWeight() * SamplingCorrection.applyToProbability(
                        model.sharedExpert().tribuoProbability(user, table, m, knn[m]), sharedCorrection[m]);
            }
            top.offer(s, m);
        }
        int[] items = new int[top.size()];
        double[] scores = new double[top.size()];
        int k = top.drainBestFirst(items, scores);
        long[] out = new long[k];
        for (int i = 0; i < k; i++) {
            out[i] = table.movieId(items[i]);
        }
        return out;
    }

    /** The two-stage path: the same first stage, the candidates re-ranked through Tribuo's predict. */
    private long[] twoStage(double[] user, int[] recent, double[] knn, LongPredicate excluded, int n) {
        MovieTable table = model.table();
        int[] oldestFirst = new int[recent.length];
        for (int i = 0; i < recent.length; i++) {
            oldestFirst[i] = recent[recent.length - 1 - i];
        }
        CandidateGenerator.Candidates cands = model.candidateGenerator().candidates(oldestFirst, i -> excluded.test(table.movieId(i)));
        int[] chosen = new int[router.maxExperts()];
        double[] w = new double[router.maxExperts()];
        int c = router.route(user, chosen, w);
        var config = model.config();
        boolean soft = config.softExperts() > 0;
        TopN top = new TopN(n);
        for (int x = 0; x < cands.size(); x++) {
            int m = cands.items()[x];
            double[] pair = new double[ExpertFeatures.PAIR_SIZE];
            pair[0] = knn[m];
            System.arraycopy(cands.signals()[x], 0, pair, 1, CandidateGenerator.SIGNALS);
            System.arraycopy(cands.context()[x], 0, pair, ExpertFeatures.PAIR_CONTEXT, ContextSignals.COUNT);
            int bits = soft ? -1 : table.genreBits(m);
            double routed = 0;
            double weight = 0;
            for (int i = 0; i < c; i++) {
                GenreExpert e = model.expert(chosen[i]);
                if (e != null && ((bits >>> chosen[i]) & 1) != 0) {
                    routed += w[i] * e.tribuoProbability(user, table, m, pair);
                    weight += w[i];
                }
            }
            if (config.normaliseMixture() && weight > 0) {
                routed /= weight;
                weight = 1;
            }
            double p = model.sharedExpert() == null ? 0 : model.sharedExpert().tribuoProbability(user, table, m, pair);
            top.offer((config.sharedWeight() + Math.max(0, 1 - weight)) * p + routed, x);
        }
        int[] order = new int[top.size()];
        int k = top.drainBestFirst(order, new double[order.length]);
        long[] out = new long[k];
        for (int i = 0; i < k; i++) {
            out[i] = table.movieId(cands.items()[order[i]]);
        }
        return out;
    }

    static int genres() {
        return Genre.COUNT;
    }
}
