package io.moerec.moe.lifecycle;

import io.moerec.ingest.domain.ViewingEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A deliberately worse training log: the movies of the events are permuted among them (users, times
 * and types stay), so that what a user watched no longer follows their taste.
 */
public final class ShuffledInteractions {

    private ShuffledInteractions() {
    }

    public static List<ViewingEvent> of(List<ViewingEvent> events, long seed) {
        long[] movies = events.stream().mapToLong(ViewingEvent::movieId).toArray();
        SplittableRandom rng = new SplittableRandom(seed);
        for (int i = movies.length - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            long t = movies[i];
            movies[i] = movies[j];
            movies[j] = t;
        }
        List<ViewingEvent> out = new ArrayList<>(events.size());
        for (int i = 0; i < movies.length; i++) {
            ViewingEvent e = events.get(i);
            out.add(new ViewingEvent(e.eventId(), e.userId(), movies[i], e.type(), e.eventTime(), e.watchedSeconds(),
                    e.durationSeconds(), e.rating()));
        }
        return out;
    }
}
