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
 * movie in genre e (soft experts: every routed expert) of weight_e · exp(logit_e + correction_e),
 * normalised by Σ weight_e if the model normalises, plus λ · exp(shared logit + correction) when the
 * model has a linear shared expert in its mixture. On the two-stage path a new movie is scored as a
 * movie outside the user's candidates (first-stage scores 0, rank signal 1) with the raw probability
 * σ(logit), as the candidates are, and the shared expert takes the weight not routed to its genres.
 * Immutable and thread-safe.
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
    /** Soft experts score every movie; the routed part may be normalised; the shared term (linear only) is added. */
    private final boolean soft;
    private final boolean normalise;
    private final double sharedWeight;
    private final double sharedBias;
    private final double[] sharedWeights;
    private final double allCorrection;
    /** The model takes the two-stage path: raw probabilities, the movie outside the candidates. */
    private final boolean twoStage;
    /** Index of the first stage's rank signal among the expert features. */
    private static final int RANK = ExpertFeatures.KNN + io.moerec.moe.model.CandidateGenerator.SIGNALS;

    public ColdStartScorer(MoeModel model) {
        MovieTable table = model.table();
        double exponent = model.config().popularityExponent();
        double zAll = 0;
        for (int m = 0; m < table.size(); m++) {
            zAll += Math.pow(table.interactions(m) + 1.0, exponent);
        }
        allCorrection = Math.log(model.config().negativesPerPositive()) - Math.log(zAll);
        soft = model.config().softExperts() > 0;
        normalise = model.config().normaliseMixture();
        twoStage = model.config().firstStage().enabled();
        if ((model.config().sharedWeight() > 0 || twoStage) && model.sharedCompiled() instanceof CompiledLinearExpert linear) {
            sharedWeight = model.config().sharedWeight();
            sharedBias = linear.bias();
            sharedWeights = linear.weights();
        } else {
            sharedWeight = 0;
            sharedBias = 0;
            sharedWeights = null;
        }
        for (int g = 0; g < Genre.COUNT; g++) {
            CompiledExpert e = model.compiledExpert(g);
            int[] movies = soft ? MoeModel.allMovies(table.size()) : table.moviesOfGenre(g);
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

    /** An expert's output for a new movie: as the scorer computes it on its path. */
    private double output(double logit, double[] d, double correction) {
        return twoStage ? io.moerec.moe.math.MoeMath.sigmoid(logit + d[RANK]) : Math.exp(logit + correction);
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
            double w = 0;
            List<ExpertWeight> contributors = new ArrayList<>(2);
            for (int i = 0; i < c; i++) {
                int g = chosen[i];
                if ((soft || ((m.genreBits() >>> g) & 1) != 0) && weights[g] != null) {
                    s += routeWeights[i] * output(logit(bias[g], weights[g], u, m.genreBits(), m.yearFeature()), weights[g],
                            correction[g]);
                    w += routeWeights[i];
                    contributors.add(new ExpertWeight(Genre.ofIndex(g), routeWeights[i]));
                }
            }
            if (normalise && w > 0) {
                s /= w;
                w = 1;
            }
            if (sharedWeights != null) {
                double p = output(logit(sharedBias, sharedWeights, u, m.genreBits(), m.yearFeature()), sharedWeights, allCorrection);
                // On the two-stage path the weight not routed to the movie's genres goes to the shared expert, as in MoeScorer.
                s += (sharedWeight + (twoStage ? Math.max(0, 1 - w) : 0)) * p;
            }
            if (!contributors.isEmpty() || sharedWeights != null) {
                out.add(new RecommendedItem(m.movieId(), s, contributors));
            }
        }
        out.sort(Comparator.comparingDouble(RecommendedItem::score).reversed().thenComparingLong(RecommendedItem::movieId));
        return out.size() > n ? List.copyOf(out.subList(0, n)) : out;
    }
}
