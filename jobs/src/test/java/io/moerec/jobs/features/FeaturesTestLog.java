package io.moerec.jobs.features;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.moerec.features.PreferenceFeatureLogic;
import io.moerec.features.UserPreferenceState;
import io.moerec.ingest.domain.Genre;
import io.moerec.ingest.domain.GenreSet;
import io.moerec.ingest.domain.Movie;
import io.moerec.ingest.domain.UserPreferenceFeatures;
import io.moerec.ingest.domain.ViewingEvent;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A small deterministic catalog and viewing log for the features job's tests, and the check that
 * the job's final features per user equal the pure logic's (exact where the logic is exactly
 * order-independent, to 1e-9 where only up to rounding: buffered unknown-movie events are applied
 * later than they arrived).
 */
final class FeaturesTestLog {

    static final long T = 1_700_000_000_000L;
    static final long DAY = 24L * 3600 * 1000;

    final Map<Long, Movie> catalog = new LinkedHashMap<>();
    final List<ViewingEvent> events = new ArrayList<>();

    /** Movie ids go up to {@code movies + 2}; the last two are never in the catalog. */
    FeaturesTestLog(int movies, int users, int events, long spanMs, long seed) {
        Random r = new Random(seed);
        for (long id = 1; id <= movies; id++) {
            int bits = (1 << r.nextInt(Genre.COUNT)) | (r.nextInt(3) == 0 ? 1 << r.nextInt(Genre.COUNT) : 0);
            catalog.put(id, new Movie(id, "movie " + id, 2000, new GenreSet(bits)));
        }
        for (int i = 0; i < events; i++) {
            String user = "user-" + r.nextInt(users);
            long t = T + spanMs * i / events + r.nextInt(60_000);
            long movie = 1 + r.nextInt(movies + 2);
            String id = "ev-" + seed + "-" + i;
            this.events.add(switch (r.nextInt(5)) {
                case 0 -> ViewingEvent.play(id, user, movie, t);
                case 1 -> ViewingEvent.progress(id, user, movie, t, r.nextInt(5400), 1 + r.nextInt(5400));
                case 2 -> ViewingEvent.complete(id, user, movie, t);
                case 3 -> ViewingEvent.rate(id, user, movie, t, 0.5 * (1 + r.nextInt(10)));
                default -> ViewingEvent.skip(id, user, movie, t);
            });
        }
    }

    /** Asserts that each user's last update equals the pure logic's final features over {@code log}. */
    static void assertFinalFeaturesMatch(PreferenceFeatureLogic logic, List<ViewingEvent> log, Map<Long, Movie> catalog,
                                         Map<String, UserPreferenceFeatures> last) {
        Map<String, UserPreferenceState> expected = logic.replay(log, catalog::get, f -> { });
        assertEquals(expected.keySet(), last.keySet());
        for (Map.Entry<String, UserPreferenceState> e : expected.entrySet()) {
            UserPreferenceFeatures want = logic.features(e.getValue(), e.getKey(), "-", 0);
            UserPreferenceFeatures got = last.get(e.getKey());
            String user = e.getKey();
            assertEquals(want.asOf(), got.asOf(), user);
            assertEquals(want.firstEventTime(), got.firstEventTime(), user);
            assertArrayEquals(want.eventCounts(), got.eventCounts(), user);
            assertArrayEquals(want.recentWatches(), got.recentWatches(), user);
            assertArrayEquals(want.genreAffinity(), got.genreAffinity(), 1e-9, user);
            assertEquals(want.activity(), got.activity(), 1e-9, user);
        }
    }
}
