package io.moerec.moe;

import io.moerec.ingest.domain.Genre;
import io.moerec.ingest.domain.Movie;
import io.moerec.ingest.domain.RecommendationList.ExpertWeight;
import io.moerec.ingest.domain.RecommendationList.RecommendedItem;
import io.moerec.moe.model.CompiledExpert;
import io.moerec.moe.model.CompiledLinearExpert;
import io.moerec.moe.model.ExpertFeatures;
import io.moerec.moe.model.MovieTable;
import io.moerec.moe.model.UserVector;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.LongPredicate;

/**
 * Scores catalog movies that the model's {@link MovieTable} does not hold (added after training),
 * so a new movie is recommendable before the next bundle. Such a movie has no identity weight,
 * popularity 0, rating feature 0 and no item neighbours; its genres and release year are known. A
 * linear expert's logit is then its compiled logit without those terms, and the sampling correction
 * is that of a movie with no training interactions in the expert's genre. FM experts have no such
 * form and do not score new movies. The mixture is the scorer's: Σ over the routed experts e with the
 * movie in genre e of weight_e · exp(logit_e + correction_e). Immutable and thread-safe.
 */
public final class ColdStartScorer {

    /** A catalog movie unknown to the model, as the scorer needs it. */
    public record NewMovie(long movieId, int genreBits, double yearFeature) {
        public static NewMovie of(Movie m) {
            return new NewMovie(m.movieId(), m.genres().bits(), m.year() == null ? 0.0 : (m.year() - 1990) / 30.0);
        }
    }

    private final double[][] weights = new double[Genre.COUNT][];
    private final double[] bias = new double[Genre.COUNT];
    private final double[] correction = new double[Genre.COUNT];

    public ColdStartScorer(MoeModel model) {
        MovieTable table = model.table();
        double exponent = model.config().popularityExponent();
        for (int g = 0; g < Genre.COUNT; g++) {
            CompiledExpert e = model.compiledExpert(g);
            int[] movies = table.moviesOfGenre(g);
            if (e instanceof CompiledLinearExpert linear && movies.length > 0) {
                weights[g] = linear.weights();
                bias[g] = linear.bias();
                double z = 0;
                for (int m : movies) {
                    z += Math.pow(table.interactions(m) + 1.0, exponent);
                }
                // log r + exponent · log(0 + 1) − log z: SamplingCorrection for a movie never interacted with.
                correction[g] = Math.log(model.config().negativesPerPositive()) - Math.log(z);
            }
        }
    }

    /** Whether genre {@code g}'s expert can score new movies. */
    public boolean scores(int g) {
        return weights[g] != null;
    }

    /**
     * The logit of a linear expert (weights {@code d}, bias {@code b} as {@link CompiledLinearExpert}
     * holds them) for a movie with these genres and year feature, no identity, popularity, rating or
     * item-history signal.
     */
    public static double logit(double b, double[] d, double[] u, int genreBits, double yearFeature) {
        double z = b + d[ExpertFeatures.YEAR] * yearFeature;
        for (int i = 0; i < UserVector.DIM; i++) {
            z += d[ExpertFeatures.U_BASE + i] * u[i];
        }
        int bits = genreBits;
        while (bits != 0) {
            int j = Integer.numberOfTrailingZeros(bits);
            z += d[ExpertFeatures.G_BASE + j] + d[ExpertFeatures.MATCH] * u[j];
            for (int i = 0; i < Genre.COUNT; i++) {
                z += d[ExpertFeatures.X_BASE + i * Genre.COUNT + j] * u[i];
            }
            bits &= bits - 1;
        }
        return z;
    }

    /**
     * The best {@code n} of {@code movies} for a user routed to {@code chosen[0..c)} with
     * {@code routeWeights}, best first (ties to the lower id), skipping excluded movies and movies no
     * routed expert can score.
     */
    public List<RecommendedItem> recommend(double[] u, int[] chosen, double[] routeWeights, int c, List<NewMovie> movies,
                                           LongPredicate excluded, int n) {
        List<RecommendedItem> out = new ArrayList<>();
        for (NewMovie m : movies) {
            if (excluded.test(m.movieId())) {
                continue;
            }
            double s = 0;
            List<ExpertWeight> contributors = new ArrayList<>(2);
            for (int i = 0; i < c; i++) {
                int g = chosen[i];
                if (((m.genreBits() >>> g) & 1) != 0 && weights[g] != null) {
                    s += routeWeights[i] * Math.exp(logit(bias[g], weights[g], u, m.genreBits(), m.yearFeature()) + correction[g]);
                    contributors.add(new ExpertWeight(Genre.ofIndex(g), routeWeights[i]));
                }
            }
            if (!contributors.isEmpty()) {
                out.add(new RecommendedItem(m.movieId(), s, contributors));
            }
        }
        out.sort(Comparator.comparingDouble(RecommendedItem::score).reversed().thenComparingLong(RecommendedItem::movieId));
        return out.size() > n ? List.copyOf(out.subList(0, n)) : out;
    }
}
