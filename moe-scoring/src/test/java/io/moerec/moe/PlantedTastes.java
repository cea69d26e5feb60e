package io.moerec.moe;

import io.moerec.ingest.domain.Genre;
import io.moerec.ingest.domain.GenreSet;
import io.moerec.ingest.domain.Movie;
import io.moerec.ingest.domain.ViewingEvent;
import io.moerec.ingest.source.DataSet;
import io.moerec.ingest.source.Parsed;
import io.moerec.ingest.source.RecordStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * A seeded generator of a small world with planted genre tastes, for tests until the shared
 * generator lands: 18 genres × {@code perGenre} movies (each with a primary genre, 30% with a second
 * one), Zipf-like popularity inside each genre, and users who each have one planted genre from
 * which {@code tasteShare} of their watches come. With {@code dominant} set, half of the users share
 * genre 0 as their taste.
 */
public final class PlantedTastes {

    public final List<Movie> catalog = new ArrayList<>();
    public final List<ViewingEvent> events = new ArrayList<>();
    /** Planted genre per user, users named "u0", "u1", .... */
    public final int[] taste;
    private final int[] primary;

    public PlantedTastes(int users, int perGenre, int minEvents, int maxEvents, double tasteShare, boolean dominant, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        int n = Genre.COUNT * perGenre;
        primary = new int[n];
        for (int i = 0; i < n; i++) {
            int g = i % Genre.COUNT;
            primary[i] = g;
            GenreSet gs = GenreSet.of(Genre.ofIndex(g));
            if (rng.nextInt(10) < 3) {
                gs = gs.with(Genre.ofIndex(rng.nextInt(Genre.COUNT)));
            }
            catalog.add(new Movie(i + 1, "Movie " + (i + 1), 1960 + rng.nextInt(60), gs));
        }
        taste = new int[users];
        long start = 1_600_000_000_000L;
        long hour = 3_600_000L;
        int eid = 0;
        for (int u = 0; u < users; u++) {
            taste[u] = dominant && rng.nextBoolean() ? 0 : rng.nextInt(Genre.COUNT);
            int k = minEvents + rng.nextInt(maxEvents - minEvents + 1);
            long t = start + rng.nextLong(30L * 24 * hour);
            Set<Integer> seen = new HashSet<>();
            for (int e = 0; e < k; e++) {
                int movie;
                do {
                    int g = rng.nextDouble() < tasteShare ? taste[u] : rng.nextInt(Genre.COUNT);
                    movie = zipfInGenre(rng, g, perGenre);
                } while (!seen.add(movie) && seen.size() < n);
                t += hour + rng.nextLong(12 * hour);
                String user = "u" + u;
                long id = movie + 1;
                if (primary[movie] == taste[u] && rng.nextInt(3) == 0) {
                    events.add(ViewingEvent.rate("e" + eid++, user, id, t, 4 + 0.5 * rng.nextInt(3)));
                } else if (primary[movie] != taste[u] && rng.nextInt(4) == 0) {
                    events.add(ViewingEvent.play("e" + eid++, user, id, t));
                } else {
                    events.add(ViewingEvent.complete("e" + eid++, user, id, t));
                }
            }
        }
    }

    /** A movie of genre g (primary), rank r drawn ∝ 1/(r+1). */
    private static int zipfInGenre(SplittableRandom rng, int g, int perGenre) {
        double h = 0;
        for (int r = 0; r < perGenre; r++) {
            h += 1.0 / (r + 1);
        }
        double x = rng.nextDouble() * h;
        int r = 0;
        for (; r < perGenre - 1; r++) {
            x -= 1.0 / (r + 1);
            if (x <= 0) {
                break;
            }
        }
        return r * Genre.COUNT + g;
    }

    /** The world as a {@link DataSet} (events in generation order, which is per user, not by time). */
    public DataSet asDataSet() {
        return new DataSet() {
            @Override
            public String description() {
                return "planted tastes (test generator)";
            }

            @Override
            public RecordStream<Movie> movies() {
                return stream(catalog, "movies");
            }

            @Override
            public RecordStream<ViewingEvent> events() {
                return stream(events, "events");
            }
        };
    }

    static <T> RecordStream<T> stream(List<T> list, String source) {
        Iterator<T> it = list.iterator();
        return new RecordStream<>() {
            long pos;

            @Override
            public boolean hasNext() {
                return it.hasNext();
            }

            @Override
            public Parsed<T> next() {
                return new Parsed.Ok<>(it.next(), source, ++pos);
            }

            @Override
            public void close() {
            }
        };
    }
}
