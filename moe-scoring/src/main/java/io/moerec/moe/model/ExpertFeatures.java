package io.moerec.moe.model;

import io.moerec.ingest.domain.Genre;
import java.util.Arrays;
import org.tribuo.Output;
import org.tribuo.classification.Label;
import org.tribuo.impl.ArrayExample;

/**
 * The feature space of a (user, movie) pair that genre experts read, with one fixed index per
 * feature and one Tribuo feature name per index. Layout: the {@link UserVector} entries; the movie's
 * genre indicators; its popularity, release year and rating features; for {@link ExpertKind#LINEAR}
 * the user-affinity × movie-genre crosses, the summed affinity over the movie's genres and
 * activity × popularity (an FM learns such interactions itself, so it gets none); the pair signals
 * ({@link #PAIR_SIZE} of them: {@code knn}, the mean similarity to the user's recent watches, then the
 * first stage's item-to-item scores and rank, see {@link CandidateGenerator}, then the candidate's
 * {@link ContextSignals}); and a one-hot movie
 * identity so that an expert can learn per-movie effects. Training examples and the equality test go
 * through {@link #toExample}; compiled scorers read weights by the same names, so both paths see the
 * same numbers.
 */
public final class ExpertFeatures {

    public static final int U_BASE = 0;
    public static final int G_BASE = UserVector.DIM;
    public static final int POP = G_BASE + Genre.COUNT;
    public static final int YEAR = POP + 1;
    public static final int RATING = POP + 2;
    public static final int X_BASE = POP + 3;
    public static final int MATCH = X_BASE + Genre.COUNT * Genre.COUNT;
    public static final int ACT_POP = MATCH + 1;
    /** The item-history signal: mean similarity of the movie to the user's recent watches ({@link ItemNeighbours}). */
    public static final int KNN = ACT_POP + 1;
    /**
     * The pair signals of a (user, movie) pair start at {@link #KNN}: index 0 is knn, the next
     * {@link CandidateGenerator#SIGNALS} are the first stage's, then {@link ContextSignals#COUNT} context
     * signals (zero off the two-stage path, and without context signals).
     */
    public static final int PAIR_SIZE = 1 + CandidateGenerator.SIGNALS + ContextSignals.COUNT;
    /** Index in the pair signals of the first context signal. */
    public static final int PAIR_CONTEXT = 1 + CandidateGenerator.SIGNALS;
    /**
     * Tribuo name of the residual experts' offset feature: the shared expert's logit of the pair. It has
     * no index: a compiled residual expert folds it into its weights ({@link GenreExpert#compile}).
     */
    public static final String OFFSET = "x.sharedLogit";
    /** Index of the identity feature of the movie with dense index 0. */
    public static final int MOVIE_BASE = KNN + PAIR_SIZE;

    private ExpertFeatures() {
    }

    /** Total number of indices for a table of {@code movies} movies. */
    public static int size(int movies) {
        return MOVIE_BASE + movies;
    }

    /** Tribuo name of a feature index. */
    public static String name(int index, MovieTable table) {
        if (index < G_BASE) {
            return UserVector.name(index);
        }
        if (index < POP) {
            return "m.genre." + Genre.ofIndex(index - G_BASE).wireName();
        }
        if (index == POP) {
            return "m.pop";
        }
        if (index == YEAR) {
            return "m.year";
        }
        if (index == RATING) {
            return "m.rating";
        }
        if (index < MATCH) {
            int k = index - X_BASE;
            return "x." + Genre.ofIndex(k / Genre.COUNT).wireName() + "." + Genre.ofIndex(k % Genre.COUNT).wireName();
        }
        if (index == MATCH) {
            return "x.match";
        }
        if (index == ACT_POP) {
            return "x.activityPop";
        }
        if (index == KNN) {
            return "x.knn";
        }
        if (index < KNN + PAIR_CONTEXT) {
            return "x.i2i." + CandidateGenerator.signalName(index - KNN - 1);
        }
        if (index < MOVIE_BASE) {
            return "x.ctx." + ContextSignals.name(index - KNN - PAIR_CONTEXT);
        }
        return "m.id." + table.movieId(index - MOVIE_BASE);
    }

    /**
     * The pair as a Tribuo example. Zero-valued features are left out: they contribute nothing to a
     * linear model or an FM, and leaving them out keeps millions of examples small.
     */
    public static ArrayExample<Label> toExample(double[] u, MovieTable table, int movie, double knn, ExpertKind kind,
                                                Label label, float weight) {
        return toExample(u, table, movie, knnOnly(knn), Double.NaN, kind, label, weight);
    }

    /** Pair signals holding only {@code knn} (the first stage's are zero): the single-stage path. */
    public static double[] knnOnly(double knn) {
        double[] pair = new double[PAIR_SIZE];
        pair[0] = knn;
        return pair;
    }

    /**
     * The pair with its {@link #PAIR_SIZE} pair signals and the {@link #OFFSET} feature set to
     * {@code offset} (NaN: left out, a plain expert).
     */
    public static ArrayExample<Label> toExample(double[] u, MovieTable table, int movie, double[] pair, double offset,
                                                ExpertKind kind, Label label, float weight) {
        if (pair.length != PAIR_SIZE) {
            throw new IllegalArgumentException("expected " + PAIR_SIZE + " pair signals, got " + pair.length);
        }
        Features ex = new Features();
        for (int i = 0; i < UserVector.DIM; i++) {
            addNonZero(ex, UserVector.name(i), u[i]);
        }
        int bits = table.genreBits(movie);
        for (int g = 0; g < Genre.COUNT; g++) {
            if (((bits >>> g) & 1) != 0) {
                ex.add(name(G_BASE + g, table), 1.0);
            }
        }
        double pop = table.popularity(movie);
        addNonZero(ex, "m.pop", pop);
        addNonZero(ex, "m.year", table.yearFeature(movie));
        addNonZero(ex, "m.rating", table.ratingFeature(movie));
        if (kind == ExpertKind.LINEAR) {
            double match = 0;
            for (int j = 0; j < Genre.COUNT; j++) {
                if (((bits >>> j) & 1) != 0) {
                    match += u[j];
                    for (int i = 0; i < Genre.COUNT; i++) {
                        addNonZero(ex, name(X_BASE + i * Genre.COUNT + j, table), u[i]);
                    }
                }
            }
            addNonZero(ex, "x.match", match);
            addNonZero(ex, "x.activityPop", u[UserVector.ACTIVITY] * pop);
        }
        for (int k = 0; k < PAIR_SIZE; k++) {
            addNonZero(ex, name(KNN + k, table), pair[k]);
        }
        if (!Double.isNaN(offset)) {
            addNonZero(ex, OFFSET, offset);
        }
        ex.add(name(MOVIE_BASE + movie, table), 1.0);
        return ex.toExample(label, weight);
    }

    private static void addNonZero(Features ex, String name, double v) {
        if (v != 0.0) {
            ex.add(name, v);
        }
    }

    /**
     * An example's features gathered before the example is made: {@link ArrayExample#add(String, double)}
     * sorts the feature names on every call, the array constructor sorts them once (same example).
     */
    static final class Features {
        private String[] names = new String[64];
        private double[] values = new double[64];
        private int size;

        void add(String name, double value) {
            if (size == names.length) {
                names = Arrays.copyOf(names, size * 2);
                values = Arrays.copyOf(values, size * 2);
            }
            names[size] = name;
            values[size++] = value;
        }

        <T extends Output<T>> ArrayExample<T> toExample(T output, float weight) {
            ArrayExample<T> ex = new ArrayExample<>(output, Arrays.copyOf(names, size), Arrays.copyOf(values, size));
            ex.setWeight(weight);
            return ex;
        }
    }
}
