package io.moerec.moe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.moerec.ingest.domain.Genre;
import io.moerec.ingest.domain.Movie;
import io.moerec.ingest.domain.RecommendationList.RecommendedItem;
import io.moerec.moe.model.CompiledLinearExpert;
import io.moerec.moe.model.ExpertFeatures;
import io.moerec.moe.model.MovieTable;
import io.moerec.moe.model.UserVector;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** New-movie scoring: the compiled linear logit minus the terms a new movie lacks, mixed as the scorer mixes. */
class ColdStartScorerTest {

    @Test
    void theLogitIsTheCompiledOneWithoutIdentityPopularityRatingAndHistory() {
        List<Movie> catalog = TestCatalogs.catalog(200, 3);
        MovieTable table = TestCatalogs.table(catalog, 4);
        SplittableRandom rng = new SplittableRandom(5);
        for (int trial = 0; trial < 50; trial++) {
            double[] d = new double[ExpertFeatures.size(table.size())];
            for (int i = 0; i < d.length; i++) {
                d[i] = rng.nextGaussian();
            }
            double b = rng.nextGaussian();
            CompiledLinearExpert e = CompiledLinearExpert.of(b, d, table);
            double[] u = TestCatalogs.randomUser(rng);
            int m = rng.nextInt(table.size());
            double knn = rng.nextDouble();
            double compiled = e.logit(prepared(e, u), m, knn);
            double lacking = d[ExpertFeatures.MOVIE_BASE + m] + d[ExpertFeatures.RATING] * table.ratingFeature(m)
                    + (d[ExpertFeatures.POP] + d[ExpertFeatures.ACT_POP] * u[UserVector.ACTIVITY]) * table.popularity(m)
                    + d[ExpertFeatures.KNN] * knn;
            assertEquals(compiled - lacking, ColdStartScorer.logit(b, d, u, table.genreBits(m), table.yearFeature(m)), 1e-9);
        }
    }

    private static double[] prepared(CompiledLinearExpert e, double[] u) {
        double[] ctx = new double[e.contextSize()];
        e.prepareUser(u, ctx);
        return ctx;
    }

    @Test
    void recommendsScorableNewMoviesBestFirstAndSkipsExcludedOnes() {
        // The plain mixture: no shared expert, genre experts (whatever the defaults are).
        MoeModel model = Fixtures.model(Fixtures.PLAIN);
        ColdStartScorer cold = new ColdStartScorer(model);
        int g = -1;
        for (int i = 0; i < Genre.COUNT && g < 0; i++) {
            g = cold.scores(i) ? i : -1;
        }
        assertTrue(g >= 0, "some linear expert");
        int other = (g + 1) % Genre.COUNT;
        List<ColdStartScorer.NewMovie> movies = List.of(new ColdStartScorer.NewMovie(9_000_001L, 1 << g, 0.5),
                new ColdStartScorer.NewMovie(9_000_002L, 1 << g, -0.5), new ColdStartScorer.NewMovie(9_000_003L, 1 << g, 0.0),
                new ColdStartScorer.NewMovie(9_000_004L, 1 << other, 0.0));
        double[] u = new double[UserVector.DIM];
        u[g] = 1.0;
        List<RecommendedItem> items = cold.recommend(u, new int[] {g}, new double[] {1.0}, 1, movies, id -> id == 9_000_003L, 10);
        assertEquals(2, items.size()); // the excluded one and the one outside the routed genre are gone
        assertTrue(items.get(0).score() >= items.get(1).score() && items.get(1).score() > 0);
        assertEquals(Genre.ofIndex(g), items.get(0).experts().get(0).genre());
    }

    @Test
    void aSharedExpertScoresNewMoviesOutsideTheRoutedGenresToo() {
        MoeModel model = Fixtures.model(Fixtures.PLAIN.withShared(2.0, false));
        ColdStartScorer cold = new ColdStartScorer(model);
        int g = 0;
        while (!cold.scores(g)) {
            g++;
        }
        int other = (g + 1) % Genre.COUNT;
        double[] u = new double[UserVector.DIM];
        u[g] = 1.0;
        List<RecommendedItem> items = cold.recommend(u, new int[] {g}, new double[] {1.0}, 1,
                List.of(new ColdStartScorer.NewMovie(9_000_004L, 1 << other, 0.0)), id -> false, 10);
        assertEquals(1, items.size());
        assertTrue(items.get(0).experts().isEmpty(), "no routed expert holds the movie");
        CompiledLinearExpert shared = (CompiledLinearExpert) model.sharedCompiled();
        double z = 0;
        for (int m = 0; m < model.table().size(); m++) {
            z += Math.pow(model.table().interactions(m) + 1.0, model.config().popularityExponent());
        }
        double expected = 2.0 * Math.exp(ColdStartScorer.logit(shared.bias(), shared.weights(), u, 1 << other, 0.0)
                + Math.log(model.config().negativesPerPositive()) - Math.log(z));
        assertEquals(expected, items.get(0).score(), 1e-12 * expected);
    }
}
