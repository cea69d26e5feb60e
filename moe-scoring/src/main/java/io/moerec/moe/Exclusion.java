package io.moerec.moe;

import io.moerec.features.PreferenceFeatureLogic;
import io.moerec.ingest.domain.UserPreferenceFeatures;
import io.moerec.ingest.domain.ViewingEvent;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongPredicate;

/**
 * The one rule of what a user is never recommended, for serving and offline evaluation alike: every
 * movie the user has had any event with before (plays, completions, ratings, skips and late events),
 * i.e. the features' {@link UserPreferenceFeatures#watched() watched set} as the features logic builds
 * it. The scoring app excludes it (and movies missing from the catalog) from every list; the offline
 * evaluation excludes the same set built from the training events, and drops a held-out movie the user
 * already had an event with, since serving could never recommend it.
 */
public final class Exclusion {

    private Exclusion() {
    }

    /** The movies of {@code f}'s watched set. */
    public static LongPredicate of(UserPreferenceFeatures f) {
        return watched(f.watched());
    }

    /** Membership in a watched set, ascending as {@link UserPreferenceFeatures#watched()} holds it. */
    public static LongPredicate watched(long[] ascending) {
        return id -> Arrays.binarySearch(ascending, id) >= 0;
    }

    /**
     * Each user's watched set after {@code events} (any order), built as the features logic builds it
     * ({@link PreferenceFeatureLogic#withWatched}, whose bound keeps the highest ids whatever the order),
     * by user id.
     */
    public static Map<String, long[]> watchedSets(Iterable<ViewingEvent> events) {
        Map<String, long[]> out = new TreeMap<>();
        for (ViewingEvent e : events) {
            out.merge(e.userId(), new long[] {e.movieId()}, (have, one) -> PreferenceFeatureLogic.withWatched(have, one[0]));
        }
        return out;
    }
}
