package io.moerec.moe;

import io.moerec.ingest.domain.Genre;
import io.moerec.ingest.domain.GenreSet;
import io.moerec.ingest.domain.Movie;
import io.moerec.moe.model.MovieTable;
import io.moerec.moe.model.UserVector;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** Seeded random catalogs and user vectors for model-level tests. */
public final class TestCatalogs {

    private TestCatalogs() {
    }

    /** {@code n} movies with ids 1..n (every 7th id skipped so ids are not dense), 1–3 genres each. */
    public static List<Movie> catalog(int n, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        List<Movie> out = new ArrayList<>(n);
        long id = 1;
        for (int i = 0; i < n; i++) {
            if (id % 7 == 0) {
                id++;
            }
            int k = 1 + rng.nextInt(3);
            List<Genre> gs = new ArrayList<>();
            for (int j = 0; j < k; j++) {
                gs.add(Genre.ofIndex(rng.nextInt(Genre.COUNT)));
            }
            Integer year = rng.nextInt(10) == 0 ? null : 1950 + rng.nextInt(70);
            out.add(new Movie(id, "Movie " + id, year, GenreSet.of(gs)));
            id++;
        }
        return out;
    }

    /** A table over the catalog with random popularity and ratings. */
    public static MovieTable table(List<Movie> catalog, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        MovieTable.Builder b = MovieTable.builder(catalog);
        for (Movie m : catalog) {
            int idx = b.indexOf(m.movieId());
            int c = rng.nextInt(20);
            for (int i = 0; i < c; i++) {
                b.interaction(idx);
                if (rng.nextBoolean()) {
                    b.rating(idx, 0.5 * (1 + rng.nextInt(10)));
                }
            }
        }
        return b.build();
    }

    /** A random user vector in the {@link UserVector} layout, affinity concentrated on a few genres. */
    public static double[] randomUser(SplittableRandom rng) {
        double[] u = new double[UserVector.DIM];
        double sum = 0;
        for (int g = 0; g < Genre.COUNT; g++) {
            double a = rng.nextInt(3) == 0 ? rng.nextDouble() : 0.0;
            u[g] = a;
            sum += a;
        }
        for (int g = 0; g < Genre.COUNT && sum > 0; g++) {
            u[g] /= sum;
        }
        u[UserVector.ACTIVITY] = Math.log1p(rng.nextDouble() * 50);
        u[UserVector.EVENTS] = Math.log1p(rng.nextInt(500));
        u[UserVector.SKIP_SHARE] = rng.nextDouble() * 0.3;
        u[UserVector.COMPLETE_SHARE] = rng.nextDouble() * 0.7;
        return u;
    }
}
