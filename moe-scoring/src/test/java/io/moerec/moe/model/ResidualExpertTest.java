package io.moerec.moe.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.moerec.ingest.domain.Genre;
import io.moerec.ingest.domain.Movie;
import io.moerec.moe.TestCatalogs;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * A residual expert (train.residualExperts) on a task that its base gets partly wrong: it must reach
 * a lower log loss than the base alone, use the base's logit, and compile (with the base folded into
 * its weights) to exactly Tribuo's predict.
 */
class ResidualExpertTest {

    private final List<Movie> catalog = TestCatalogs.catalog(400, 11);
    private final MovieTable table = TestCatalogs.table(catalog, 12);

    private static int argmax(double[] u) {
        int best = 0;
        for (int g = 1; g < Genre.COUNT; g++) {
            if (u[g] > u[best]) {
                best = g;
            }
        }
        return best;
    }

    /** Positive iff the movie has the user's favourite genre, or (with {@code twist}) the genre after it. */
    private List<ExpertExample> examples(int n, long seed, boolean twist, GenreExpert base) {
        SplittableRandom rng = new SplittableRandom(seed);
        CompiledExpert compiledBase = base == null ? null : base.compile(table);
        List<ExpertExample> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            double[] u = TestCatalogs.randomUser(rng);
            int m = rng.nextInt(table.size());
            int want = twist ? (argmax(u) + 1) % Genre.COUNT : argmax(u);
            boolean pos = (table.genreBits(m) & (1 << argmax(u))) != 0 || (table.genreBits(m) & (1 << want)) != 0;
            double knn = rng.nextDouble() * 0.2;
            out.add(new ExpertExample(u, m, ExpertFeatures.knnOnly(knn), pos,
                    compiledBase == null ? Double.NaN : logit(compiledBase, u, m, knn)));
        }
        return out;
    }

    private static double logit(CompiledExpert e, double[] u, int m, double knn) {
        double[] ctx = new double[e.contextSize()];
        e.prepareUser(u, ctx);
        return e.logit(ctx, m, knn);
    }

    private static double logLoss(CompiledExpert e, List<ExpertExample> xs) {
        double loss = 0;
        for (ExpertExample x : xs) {
            double p = e.scoreOnce(x.user(), x.movie(), x.pair()[0]);
            loss -= x.positive() ? Math.log(p) : Math.log(1 - p);
        }
        return loss / xs.size();
    }

    @Test
    void residualTrainingReducesTheLossOfItsBaseAndCompilesToTribuo() {
        ExpertHyperParameters hp = ExpertHyperParameters.DEFAULT;
        GenreExpert base = GenreExpert.train("base", hp, examples(3000, 5, false, null), table, 42);
        List<ExpertExample> task = examples(3000, 6, true, base);
        GenreExpert residual = GenreExpert.train("residual", hp, task, table, 43, base);
        CompiledExpert compiled = residual.compile(table);
        double baseLoss = logLoss(base.compile(table), task);
        double residualLoss = logLoss(compiled, task);
        assertTrue(residualLoss < 0.9 * baseLoss, "residual log loss " + residualLoss + " vs base " + baseLoss);
        assertTrue(residual.offsetWeight() > 0.1, "the residual ignores its base: offset weight " + residual.offsetWeight());
        SplittableRandom rng = new SplittableRandom(77);
        double maxDiff = 0;
        for (int i = 0; i < 3000; i++) {
            double[] u = TestCatalogs.randomUser(rng);
            int m = rng.nextInt(table.size());
            double knn = rng.nextInt(4) == 0 ? 0 : rng.nextDouble();
            maxDiff = Math.max(maxDiff, Math.abs(compiled.scoreOnce(u, m, knn) - residual.tribuoProbability(u, table, m, knn)));
        }
        assertTrue(maxDiff < 1e-6, "max |compiled − tribuo| = " + maxDiff);
        assertEquals(0.0, base.offsetWeight());
        // A residual needs its offsets, and an FM cannot be folded.
        assertThrows(IllegalArgumentException.class, () -> GenreExpert.train("r", hp, examples(50, 1, true, null), table, 1, base));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new GenreExpert("r", ExpertKind.FM, base.model(), base));
        assertTrue(e.getMessage().contains("residual"), e.getMessage());
    }
}
