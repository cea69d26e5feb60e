package io.moerec.features.flink;

import io.moerec.ingest.domain.Genre;
import io.moerec.ingest.domain.GenreSet;
import io.moerec.ingest.domain.Movie;
import io.moerec.ingest.domain.ViewingEvent;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** Small deterministic catalogs and viewing logs for pipeline tests. */
final class TestLogs {

    static final long T = 1_700_000_000_000L;

    private TestLogs() {
    }

    static Map<Long, Movie> catalog(int movies, long seed) {
        Random r = new Random(seed);
        Map<Long, Movie> m = new LinkedHashMap<>();
        for (long id = 1; id <= movies; id++) {
            int bits = (1 << r.nextInt(Genre.COUNT)) | (r.nextInt(3) == 0 ? 1 << r.nextInt(Genre.COUNT) : 0);
            m.put(id, new Movie(id, "movie " + id, 1990 + r.nextInt(30), new GenreSet(bits)));
        }
        return m;
    }

    /**
     * Users' events interleaved in roughly increasing time, every type; movie ids up to
     * {@code movies + 2} (the last two are not in a catalog of {@code movies}).
     */
    static List<ViewingEvent> events(int users, int perUser, int movies, long spanMs, long seed) {
        Random r = new Random(seed);
        List<ViewingEvent> out = new ArrayList<>();
        int n = users * perUser;
        for (int i = 0; i < n; i++) {
            String user = "user-" + r.nextInt(users);
            long t = T + spanMs * i / n + r.nextInt(60_000);
            long movie = 1 + r.nextInt(movies + 2);
            String id = "ev-" + i;
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
}
