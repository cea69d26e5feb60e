package io.moerec.features;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

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
 * Small deterministic catalogs and viewing logs for the feature logic's tests, the Flink pipeline's
 * and the features job's (shared through this module's test-jar), and the check they all make: a
 * user's last update equals the pure logic's final features over the log. Same arguments, same data.
 */
public final class ViewingLogFixture {

    /** Event time of the first event. */
    public static final long T = 1_700_000_000_000L;
    public static final long DAY = 24L * 3600 * 1000;

    private ViewingLogFixture() {
    }

    /**
     * Movies {@code 1 … movies}: one genre each, a third of them a second one, and every tenth none at
     * all (MovieLens has such titles: the logic must count them without any genre affinity).
     */
    public static Map<Long, Movie> catalog(int movies, long seed) {
        Random r = new Random(seed);
        Map<Long, Movie> m = new LinkedHashMap<>();
        for (long id = 1; id <= movies; id++) {
            int bits = (1 << r.nextInt(Genre.COUNT)) | (r.nextInt(3) == 0 ? 1 << r.nextInt(Genre.COUNT) : 0);
            m.put(id, new Movie(id, "movie " + id, 1990 + r.nextInt(30), new GenreSet(id % 10 == 0 ? 0 : bits)));
        }
        return m;
    }

    /**
     * {@code count} events of users {@code user-0 … user-(users-1)} spread evenly over {@code spanMs}
     * with up to a minute's jitter (so roughly, not strictly, in time order), of all five types, on
     * movies {@code 1 … movies + 2}: the last two are in no {@link #catalog} of {@code movies}. Event
     * ids are {@code ev-<seed>-<i>}, so logs of different seeds can share a topic.
     */
    public static List<ViewingEvent> events(int users, int count, int movies, long spanMs, long seed) {
        Random r = new Random(seed);
        List<ViewingEvent> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            String user = "user-" + r.nextInt(users);
            long t = T + spanMs * i / count + r.nextInt(60_000);
            long movie = 1 + r.nextInt(movies + 2);
            String id = "ev-" + seed + "-" + i;
            out.add(switch (r.nextInt(5)) {
                case 0 -> ViewingEvent.play(id, user, movie, t);
                case 1 -> ViewingEvent.progress(id, user, movie, t, r.nextInt(5400), 1 + r.nextInt(5400));
                case 2 -> ViewingEvent.complete(id, user, movie, t);
                case 3 -> ViewingEvent.rate(id, user, movie, t, 0.5 * (1 + r.nextInt(10)));
                default -> ViewingEvent.skip(id, user, movie, t);
            });
        }
        return out;
    }

    /**
     * Asserts that each user's last update equals the pure logic's final features over {@code log}:
     * exactly where the logic is order-independent, to 1e-9 where only up to rounding (a parallel
     * source interleaves users' events, buffered unknown-movie events are applied later than they came).
     */
    public static void assertFinalFeaturesMatch(PreferenceFeatureLogic logic, List<ViewingEvent> log, Map<Long, Movie> catalog,
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
            assertArrayEquals(want.watched(), got.watched(), user);
            assertArrayEquals(want.genreAffinity(), got.genreAffinity(), 1e-9, user);
            assertEquals(want.activity(), got.activity(), 1e-9, user);
        }
    }
}
