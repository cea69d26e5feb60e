package io.moerec.moe.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.moerec.ingest.domain.Genre;
import io.moerec.ingest.domain.Movie;
import io.moerec.moe.TestCatalogs;
import io.moerec.moe.math.MoeMath;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The compiled scorers must reproduce Tribuo's predict: every expert kind and the multinomial
 * classifier, on thousands of random inputs, including movies and features the model never saw.
 */
class CompiledEqualsTribuoTest {

    private static final double TOL = 1e-6;

    private final List<Movie> catalog = TestCatalogs.catalog(400, 11);
    private final MovieTable table = TestCatalogs.table(catalog, 12);

    private List<ExpertExample> examples(int n, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        List<ExpertExample> out = new ArrayList<>(n);
        // Train on the first 300 movies only: the last 100 have identity features Tribuo never saw.
        for (int i = 0; i < n; i++) {
            double[] u = TestCatalogs.randomUser(rng);
            int m = rng.nextInt(300);
            boolean pos = (table.genreBits(m) & (1 << argmax(u))) != 0 || rng.nextInt(4) == 0;
            // The pair signals (knn and the first stage's) are informative too, so that their weights are learned and checked.
            out.add(new ExpertExample(u, m, pair(rng, pos ? 1.0 : 0.3), pos));
        }
        return out;
    }

    private static double[] pair(SplittableRandom rng, double scale) {
        double[] p = new double[ExpertFeatures.PAIR_SIZE];
        for (int k = 0; k < p.length; k++) {
            p[k] = rng.nextInt(4) == 0 ? 0.0 : scale * rng.nextDouble();
        }
        return p;
    }

    private static int argmax(double[] u) {
        int best = 0;
        for (int g = 1; g < Genre.COUNT; g++) {
            if (u[g] > u[best]) {
                best = g;
            }
        }
        return best;
    }

    private void assertExpertMatches(ExpertKind kind) {
        ExpertHyperParameters hp = ExpertHyperParameters.DEFAULT.withKind(kind);
        GenreExpert expert = GenreExpert.train("test-" + kind, hp, examples(3000, 5), table, 42);
        CompiledExpert compiled = expert.compile(table);
        SplittableRandom rng = new SplittableRandom(99);
        double[] ctx = new double[compiled.contextSize()];
        double maxDiff = 0;
        double minP = 1;
        double maxP = 0;
        for (int i = 0; i < 3000; i++) {
            double[] u = TestCatalogs.randomUser(rng);
            int m = rng.nextInt(table.size());
            double[] pair = pair(rng, 1.0);
            compiled.prepareUser(u, ctx);
            double c = MoeMath.sigmoid(compiled.logit(ctx, m, pair));
            double t = expert.tribuoProbability(u, table, m, pair);
            maxDiff = Math.max(maxDiff, Math.abs(c - t));
            minP = Math.min(minP, t);
            maxP = Math.max(maxP, t);
        }
        assertTrue(maxDiff < TOL, kind + ": max |compiled - tribuo| = " + maxDiff);
        // Guard against a vacuous pass: the model must actually discriminate.
        assertTrue(maxP - minP > 0.2, kind + ": predictions span only [" + minP + ", " + maxP + "]");
    }

    @Test
    void linearExpertEqualsTribuo() {
        assertExpertMatches(ExpertKind.LINEAR);
    }

    @Test
    void fmExpertEqualsTribuo() {
        assertExpertMatches(ExpertKind.FM);
    }

    @Test
    void genreClassifierEqualsTribuoIncludingUnseenGenres() {
        SplittableRandom rng = new SplittableRandom(3);
        List<GenreClassifier.Row> rows = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            double[] u = TestCatalogs.randomUser(rng);
            int g = argmax(u);
            // Genres 16 and 17 never appear as labels: their outputs do not exist in Tribuo.
            if (g < 16) {
                rows.add(new GenreClassifier.Row(u, g, 1f));
            }
        }
        GenreClassifier gate = GenreClassifier.train("gate", io.moerec.moe.model.UserVector.featureNames(), rows, 3, 0.5, 7);
        double[] p = new double[Genre.COUNT];
        double maxDiff = 0;
        int agree = 0;
        for (int i = 0; i < 3000; i++) {
            double[] u = TestCatalogs.randomUser(rng);
            gate.probabilities(u, p);
            double[] t = gate.tribuoProbabilities(u);
            double sum = 0;
            for (int g = 0; g < Genre.COUNT; g++) {
                maxDiff = Math.max(maxDiff, Math.abs(p[g] - t[g]));
                sum += p[g];
            }
            assertEquals(1.0, sum, 1e-9);
            assertEquals(0.0, p[16]);
            if (argmax(p) == argmax(u)) {
                agree++;
            }
        }
        assertTrue(maxDiff < TOL, "max |compiled - tribuo| = " + maxDiff);
        assertTrue(agree > 1500, "gate learned nothing: " + agree + "/3000 argmax agreements");
    }
}
