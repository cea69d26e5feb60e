package io.moerec.jobs.bench;

import io.moerec.ingest.domain.Genre;
import io.moerec.ingest.domain.GenreSet;
import io.moerec.ingest.domain.Movie;
import io.moerec.ingest.domain.ViewingEvent;
import java.util.SplittableRandom;

/**
 * A deterministic synthetic viewing log for benchmarks: record {@code i} depends only on the seed
 * and {@code i}, so any subtask can produce any slice without coordination and every run sees the
 * same log. Users are drawn uniformly, movies with a skew towards low ids (popular titles), event
 * types in fixed proportions; event time advances evenly over {@code spanMs}. This is a load
 * generator only; the project's data-set generator lives in ingest.
 */
final class SyntheticViewingLog implements IndexedViewingLog {

    private static final long serialVersionUID = 1L;
    static final long START = 1_700_000_000_000L;

    final long events;
    final int users;
    final int movies;
    final long spanMs;
    final long seed;

    SyntheticViewingLog(long events, int users, int movies, long spanMs, long seed) {
        this.events = events;
        this.users = users;
        this.movies = movies;
        this.spanMs = spanMs;
        this.seed = seed;
    }

    @Override
    public ViewingEvent event(long i) {
        SplittableRandom r = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + i);
        String user = "u" + r.nextInt(users);
        double u = r.nextDouble();
        long movie = 1 + (long) (movies * u * u); // skewed: low ids are popular
        long t = START + (long) ((double) spanMs * i / events) + r.nextInt(1000);
        String id = "e" + i;
        int kind = r.nextInt(100);
        if (kind < 35) {
            return ViewingEvent.play(id, user, movie, t);
        } else if (kind < 65) {
            int duration = 1200 + r.nextInt(6000);
            return ViewingEvent.progress(id, user, movie, t, r.nextInt(duration + 1), duration);
        } else if (kind < 85) {
            return ViewingEvent.complete(id, user, movie, t);
        } else if (kind < 93) {
            return ViewingEvent.rate(id, user, movie, t, 0.5 * (1 + r.nextInt(10)));
        }
        return ViewingEvent.skip(id, user, movie, t);
    }

    @Override
    public Movie movie(long id) {
        SplittableRandom r = new SplittableRandom(seed ^ (id * 0xC2B2AE3D27D4EB4FL));
        int bits = (1 << r.nextInt(Genre.COUNT)) | (r.nextInt(2) == 0 ? 1 << r.nextInt(Genre.COUNT) : 0);
        return new Movie(id, "movie " + id, 1950 + r.nextInt(75), new GenreSet(bits));
    }
}
