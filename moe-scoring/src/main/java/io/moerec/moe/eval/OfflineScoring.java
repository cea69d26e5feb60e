package io.moerec.moe.eval;

import io.moerec.features.FeatureConfig;
import io.moerec.features.PreferenceFeatureLogic;
import io.moerec.ingest.domain.Movie;
import io.moerec.ingest.domain.RecommendationList.RecommendedItem;
import io.moerec.ingest.domain.UserPreferenceFeatures;
import io.moerec.ingest.domain.ViewingEvent;
import io.moerec.moe.Exclusion;
import io.moerec.moe.MoeScorer;
import io.moerec.moe.model.ItemNeighbours;
import io.moerec.moe.model.UserVector;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongPredicate;

/**
 * How the offline evaluation scores a user with the MoE, from events and a model: the features the
 * features logic folds from the user's events ({@link PreferenceFeatureLogic#latest}, the logic the
 * Flink job applies event by event), their user vector and recent watches, and {@link Exclusion}'s rule.
 * For the same events in the same order, the scoring app's list is this list (catalog permitting:
 * serving also drops movies missing from the catalog and scores catalog movies the model never saw).
 */
public final class OfflineScoring {

    private OfflineScoring() {
    }

    /** Each user's features after {@code events}, in arrival order, applied with {@code catalog} complete. */
    public static Map<String, UserPreferenceFeatures> latestFeatures(Iterable<ViewingEvent> events, Collection<Movie> catalog,
                                                                     FeatureConfig config) {
        Map<Long, Movie> byId = new HashMap<>();
        for (Movie m : catalog) {
            byId.put(m.movieId(), m);
        }
        return new PreferenceFeatureLogic(config).latest(events, byId::get);
    }

    /** The best {@code n} for features {@code f}, best first. */
    public static List<RecommendedItem> recommend(MoeScorer scorer, UserPreferenceFeatures f, int n) {
        return recommend(scorer, UserVector.of(f), ItemNeighbours.indices(f.recentWatches(), scorer.table()), Exclusion.of(f), n);
    }

    /**
     * The same from the parts of the features: the {@link UserVector}, the recent watches as dense
     * indices of the scorer's table, and the {@link Exclusion} of the watched set.
     */
    public static List<RecommendedItem> recommend(MoeScorer scorer, double[] user, int[] recent, LongPredicate excluded, int n) {
        return scorer.recommend(user, recent, excluded, n);
    }

    /** The same with the routing decided by the caller (expert capacity): {@link MoeScorer}'s routed form. */
    public static List<RecommendedItem> recommend(MoeScorer scorer, double[] user, int[] recent, LongPredicate excluded, int n,
                                                  int[] experts, double[] weights, int count) {
        return scorer.recommend(user, recent, excluded, n, experts, weights, count);
    }
}
