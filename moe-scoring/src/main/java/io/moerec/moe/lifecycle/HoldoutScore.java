package io.moerec.moe.lifecycle;

import io.moerec.ingest.domain.Movie;
import io.moerec.ingest.domain.ViewingEvent;
import io.moerec.moe.MoeModel;
import io.moerec.moe.MoeScorer;
import io.moerec.moe.eval.MeanWithError;
import io.moerec.moe.eval.RankingMetrics;
import io.moerec.moe.model.MovieTable;
import io.moerec.moe.routing.RouterKind;
import io.moerec.moe.train.TrainingData;
import io.moerec.moe.train.TrainingData.Interaction;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A model's prequential score on held-out events: every first interaction of a user with a movie at
 * or after {@code from} is predicted from the user's features just before it (the one feature logic,
 * replayed over the whole window by {@link TrainingData}), excluding the movies the user watched
 * earlier in the window, and scored with {@link RankingMetrics} against that one movie: HR@k and
 * NDCG@k, each a mean with its standard error over the interactions. A movie the model's table does
 * not know is a miss, as it would be when serving.
 *
 * @param ndcg         NDCG@k
 * @param hr           HR@k
 * @param interactions the held-out first interactions scored
 */
public record HoldoutScore(MeanWithError ndcg, MeanWithError hr, int interactions) {

    /** Scores {@code model} with {@code router} over the held-out first interactions of {@code events}. */
    public static HoldoutScore of(MoeModel model, RouterKind router, Collection<Movie> catalog, List<ViewingEvent> events,
                                  long from, int k) {
        TrainingData data = TrainingData.prepare(catalog, events, model.config().features());
        MovieTable own = data.table();
        MovieTable served = model.table();
        MoeScorer scorer = model.scorer(router);
        List<ViewingEvent> sorted = new ArrayList<>(events);
        sorted.sort(TrainingData.REPLAY_ORDER);
        List<Interaction> its = data.interactions();
        Map<String, Set<Long>> watched = new HashMap<>();
        Set<String> pairs = new HashSet<>();
        List<Double> ndcg = new ArrayList<>();
        List<Double> hr = new ArrayList<>();
        int next = 0;
        for (ViewingEvent e : sorted) {
            if (!TrainingData.isWatch(e)) {
                continue;
            }
            Set<Long> mine = watched.computeIfAbsent(e.userId(), u -> new HashSet<>());
            // TrainingData makes an interaction of exactly these events (first watch of a catalog movie by a
            // user with features), in this order: walking both together pairs each with its event.
            boolean first = own.indexOf(e.movieId()) >= 0 && pairs.add(e.userId() + '\u0000' + e.movieId());
            if (first && next < its.size() && matches(its.get(next), e, own)) {
                Interaction it = its.get(next++);
                if (e.eventTime() >= from) {
                    long[] recs = scorer.recommend(it.user(), translate(it.recent(), own, served), mine::contains, k).stream()
                            .mapToLong(r -> r.movieId()).toArray();
                    RankingMetrics m = RankingMetrics.of(recs, Set.of(e.movieId()), k);
                    ndcg.add(m.ndcg());
                    hr.add(m.hr());
                }
            }
            mine.add(e.movieId());
        }
        return new HoldoutScore(MeanWithError.of(unbox(ndcg)), MeanWithError.of(unbox(hr)), ndcg.size());
    }

    private static boolean matches(Interaction it, ViewingEvent e, MovieTable table) {
        return it.userId().equals(e.userId()) && it.eventTime() == e.eventTime() && table.movieId(it.movie()) == e.movieId();
    }

    /** Recent watches as indices of the data's table, turned into indices of the model's table (−1: unknown). */
    private static int[] translate(int[] recent, MovieTable from, MovieTable to) {
        int[] out = new int[recent.length];
        for (int i = 0; i < recent.length; i++) {
            out[i] = recent[i] < 0 ? -1 : to.indexOf(from.movieId(recent[i]));
        }
        return out;
    }

    private static double[] unbox(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).toArray();
    }
}
