package io.moerec.moe.model;

import io.moerec.ingest.domain.Genre;
import io.moerec.ingest.domain.Movie;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Objects;

/**
 * The catalog as the model sees it: a dense index per movie (ascending movie id), its genre mask,
 * and the movie features that experts read: popularity, release year and mean rating, all measured on
 * the training data only. Also the per-genre movie lists that give each expert its candidates.
 * Immutable and safe to share between threads; it is part of a model bundle because the movie
 * features are learned quantities (a movie's popularity at serving time is the one seen in training).
 */
public final class MovieTable {

    /** Prior strength (in ratings) of the shrunk mean rating; keeps one 5-star rating from dominating. */
    static final double RATING_PRIOR_COUNT = 5.0;
    static final double RATING_PRIOR_MEAN = 3.5;

    private final long[] movieIds;
    private final int[] genreBits;
    private final long[] interactions;
    private final double[] popularity;
    private final double[] year;
    private final double[] rating;
    private final int[][] byGenre;

    private MovieTable(long[] movieIds, int[] genreBits, long[] interactions, double[] year, double[] rating) {
        this.movieIds = movieIds;
        this.genreBits = genreBits;
        this.interactions = interactions;
        this.year = year;
        this.rating = rating;
        long max = 0;
        for (long c : interactions) {
            max = Math.max(max, c);
        }
        double denom = Math.log1p(Math.max(1, max));
        this.popularity = new double[movieIds.length];
        for (int i = 0; i < movieIds.length; i++) {
            popularity[i] = Math.log1p(interactions[i]) / denom;
        }
        this.byGenre = new int[Genre.COUNT][];
        for (int g = 0; g < Genre.COUNT; g++) {
            int n = 0;
            for (int bits : genreBits) {
                n += (bits >>> g) & 1;
            }
            int[] list = new int[n];
            int k = 0;
            for (int i = 0; i < genreBits.length; i++) {
                if (((genreBits[i] >>> g) & 1) != 0) {
                    list[k++] = i;
                }
            }
            byGenre[g] = list;
        }
    }

    /**
     * Builds the table from raw arrays, as a bundle stores them. {@code movieIds} must be strictly
     * ascending; {@code yearFeature} and {@code ratingFeature} are the already-transformed features.
     */
    public static MovieTable of(long[] movieIds, int[] genreBits, long[] interactions, double[] yearFeature,
                                double[] ratingFeature) {
        int n = movieIds.length;
        if (genreBits.length != n || interactions.length != n || yearFeature.length != n || ratingFeature.length != n) {
            throw new IllegalArgumentException("movie table arrays differ in length");
        }
        for (int i = 1; i < n; i++) {
            if (movieIds[i] <= movieIds[i - 1]) {
                throw new IllegalArgumentException("movie ids must be strictly ascending at index " + i);
            }
        }
        return new MovieTable(movieIds.clone(), genreBits.clone(), interactions.clone(), yearFeature.clone(),
                ratingFeature.clone());
    }

    /** Starts a table over a catalog; interactions are then observed from training events. */
    public static Builder builder(Collection<Movie> catalog) {
        return new Builder(catalog);
    }

    public int size() {
        return movieIds.length;
    }

    /** Dense index of a movie id, or -1 if the movie is not in the table. */
    public int indexOf(long movieId) {
        int i = Arrays.binarySearch(movieIds, movieId);
        return i >= 0 ? i : -1;
    }

    public long movieId(int index) {
        return movieIds[index];
    }

    public int genreBits(int index) {
        return genreBits[index];
    }

    /** Training interactions of the movie (positives of any genre). */
    public long interactions(int index) {
        return interactions[index];
    }

    /** log1p(interactions) / log1p(max interactions), in [0, 1]. */
    public double popularity(int index) {
        return popularity[index];
    }

    /** (year − 1990) / 30, or 0 when the year is unknown. */
    public double yearFeature(int index) {
        return year[index];
    }

    /** Shrunk mean rating minus the prior mean, 0 for unrated movies. */
    public double ratingFeature(int index) {
        return rating[index];
    }

    /** Movie indices of a genre, ascending. The caller must not modify the array. */
    public int[] moviesOfGenre(int genre) {
        return byGenre[genre];
    }

    /** Accumulates per-movie interaction counts and ratings, then freezes them into a table. */
    public static final class Builder {
        private final long[] ids;
        private final int[] bits;
        private final Integer[] years;
        private final long[] counts;
        private final double[] ratingSum;
        private final long[] ratingCount;

        private Builder(Collection<Movie> catalog) {
            List<Movie> sorted = new ArrayList<>(catalog);
            sorted.sort((a, b) -> Long.compare(a.movieId(), b.movieId()));
            int n = sorted.size();
            ids = new long[n];
            bits = new int[n];
            years = new Integer[n];
            for (int i = 0; i < n; i++) {
                Movie m = sorted.get(i);
                if (i > 0 && ids[i - 1] == m.movieId()) {
                    throw new IllegalArgumentException("duplicate movie id " + m.movieId());
                }
                ids[i] = m.movieId();
                bits[i] = Objects.requireNonNull(m.genres()).bits();
                years[i] = m.year();
            }
            counts = new long[n];
            ratingSum = new double[n];
            ratingCount = new long[n];
        }

        /** Dense index of a movie id in the table being built, or -1. */
        public int indexOf(long movieId) {
            int i = Arrays.binarySearch(ids, movieId);
            return i >= 0 ? i : -1;
        }

        /** Counts one positive interaction with a movie. */
        public Builder interaction(int index) {
            counts[index]++;
            return this;
        }

        /** Records one explicit rating of a movie. */
        public Builder rating(int index, double stars) {
            ratingSum[index] += stars;
            ratingCount[index]++;
            return this;
        }

        public MovieTable build() {
            int n = ids.length;
            double[] y = new double[n];
            double[] r = new double[n];
            for (int i = 0; i < n; i++) {
                y[i] = years[i] == null ? 0.0 : (years[i] - 1990) / 30.0;
                r[i] = ratingCount[i] == 0 ? 0.0
                        : (ratingSum[i] + RATING_PRIOR_COUNT * RATING_PRIOR_MEAN) / (ratingCount[i] + RATING_PRIOR_COUNT)
                        - RATING_PRIOR_MEAN;
            }
            return new MovieTable(ids.clone(), bits.clone(), counts.clone(), y, r);
        }
    }
}
