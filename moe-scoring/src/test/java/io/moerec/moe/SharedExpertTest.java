package io.moerec.moe;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.moerec.ingest.domain.Genre;
import io.moerec.ingest.domain.RecommendationList.RecommendedItem;
import io.moerec.moe.bundle.InvalidBundleException;
import io.moerec.moe.bundle.ModelBundle;
import io.moerec.moe.model.CompiledExpert;
import io.moerec.moe.model.CompiledLinearExpert;
import io.moerec.moe.model.GenreExpert;
import io.moerec.moe.model.MovieTable;
import io.moerec.moe.model.SamplingCorrection;
import io.moerec.moe.routing.Router;
import io.moerec.moe.routing.RouterKind;
import io.moerec.moe.train.MoeTrainer;
import io.moerec.moe.train.TrainingData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shared, always-on expert (train.sharedWeight λ > 0) and the normalised routed part: the scores
 * are exactly λ·shared + routed, the shared expert changes the rankings, compiles to Tribuo's predict,
 * and survives a bundle round trip.
 */
class SharedExpertTest {

    private static MoeModel model;

    @TempDir
    Path tmp;

    @BeforeAll
    static void train() {
        Fixtures.routeJulToSlf4j();
        model = Fixtures.model(Fixtures.PLAIN.withShared(1.0, false));
    }

    /** s(u, m) recomputed from the compiled parts, by the formula. */
    private static double bruteForce(MoeModel m, RouterKind kind, double[] u, int movie) {
        TrainingConfig c = m.config();
        double s = 0;
        if (c.sharedWeight() > 0) {
            CompiledExpert sh = m.sharedCompiled();
            double[] ctx = new double[sh.contextSize()];
            sh.prepareUser(u, ctx);
            s = c.sharedWeight() * SamplingCorrection.apply(sh.logit(ctx, movie, 0), m.sharedCorrection()[movie]);
        }
        Router r = m.router(kind);
        int[] e = new int[r.maxExperts()];
        double[] w = new double[r.maxExperts()];
        int n = r.route(u, e, w);
        double routed = 0;
        double weight = 0;
        for (int i = 0; i < n; i++) {
            CompiledExpert ex = m.compiledExpert(e[i]);
            if (ex != null && (c.softExperts() > 0 || ((m.table().genreBits(movie) >>> e[i]) & 1) != 0)) {
                double[] ctx = new double[ex.contextSize()];
                ex.prepareUser(u, ctx);
                routed += w[i] * SamplingCorrection.apply(ex.logit(ctx, movie, 0), m.correction(e[i], movie));
                weight += w[i];
            }
        }
        return s + (c.normaliseMixture() && weight > 0 ? routed / weight : routed);
    }

    @Test
    void scoresAreTheSharedTermPlusTheRoutedSumAndTheSharedExpertChangesRankings() {
        assertNotNull(model.sharedExpert());
        MoeModel plain = model.withMixture(model.config().withShared(0, false));
        MoeModel normalised = model.withMixture(model.config().withShared(1.0, true));
        MoeModel sharedHeavy = model.withMixture(model.config().withShared(50.0, false));
        assertNull(plain.sharedExpert());
        SplittableRandom rng = new SplittableRandom(5);
        int changed = 0;
        int outsideChosenGenres = 0;
        for (int t = 0; t < 100; t++) {
            double[] u = TestCatalogs.randomUser(rng);
            for (RouterKind k : List.of(RouterKind.SOFTMAX, RouterKind.DENSE)) {
                for (MoeModel m : List.of(model, plain, normalised, sharedHeavy)) {
                    for (RecommendedItem it : m.scorer(k).recommend(u, id -> false, 10)) {
                        int movie = m.table().indexOf(it.movieId());
                        assertEquals(bruteForce(m, k, u, movie), it.score(), 1e-12 * Math.max(1, it.score()), m.config() + " " + k);
                        if (it.experts().isEmpty()) {
                            outsideChosenGenres++;
                        }
                    }
                }
                if (!model.scorer(k).recommend(u, id -> false, 10).equals(plain.scorer(k).recommend(u, id -> false, 10))) {
                    changed++;
                }
            }
        }
        assertTrue(changed > 50, "the shared expert changed only " + changed + " of 200 top-10 lists");
        // With a shared expert every catalog movie is a candidate; movies outside the chosen genres carry no experts.
        assertTrue(outsideChosenGenres > 0, "no recommendation came from the shared expert alone");
    }

    @Test
    void theSharedExpertIsTheGlobalBaselineBitForBit() {
        // Evaluation reuses the shared expert as the global model instead of training it twice.
        TrainingData data = TrainingData.prepare(Fixtures.world().catalog, Fixtures.world().events, model.config().features());
        CompiledLinearExpert global = (CompiledLinearExpert) MoeTrainer.trainGlobal(data, model.neighbours(), model.config())
                .compile(model.table());
        CompiledLinearExpert shared = (CompiledLinearExpert) model.sharedCompiled();
        assertEquals(shared.bias(), global.bias());
        assertArrayEquals(shared.weights(), global.weights());
    }

    @Test
    void sharedExpertCompilesToTribuoPredict() {
        CompiledExpert c = model.sharedCompiled();
        SplittableRandom rng = new SplittableRandom(17);
        double[] ctx = new double[c.contextSize()];
        double maxDiff = 0;
        double lo = 1;
        double hi = 0;
        for (int i = 0; i < 3000; i++) {
            double[] u = TestCatalogs.randomUser(rng);
            int m = rng.nextInt(model.table().size());
            double knn = rng.nextInt(4) == 0 ? 0 : rng.nextDouble();
            c.prepareUser(u, ctx);
            double p = model.sharedExpert().tribuoProbability(u, model.table(), m, knn);
            maxDiff = Math.max(maxDiff, Math.abs(c.score(ctx, m, knn) - p));
            lo = Math.min(lo, p);
            hi = Math.max(hi, p);
        }
        assertTrue(maxDiff < 1e-6, "max |compiled − tribuo| = " + maxDiff);
        assertTrue(hi - lo > 0.2, "the shared expert does not discriminate: [" + lo + ", " + hi + "]");
    }

    @Test
    void sharedExpertRoundTripsThroughABundleAndItsFilesAreChecked() throws IOException {
        Path dir = tmp.resolve("shared");
        ModelBundle.save(model, dir);
        assertTrue(Files.isRegularFile(dir.resolve("tribuo/shared.tribuo")));
        MoeModel loaded = ModelBundle.load(dir);
        assertNotNull(loaded.sharedExpert());
        SplittableRandom rng = new SplittableRandom(8);
        for (int t = 0; t < 50; t++) {
            double[] u = TestCatalogs.randomUser(rng);
            for (RouterKind k : RouterKind.values()) {
                assertEquals(model.scorer(k).recommend(u, id -> false, 10), loaded.scorer(k).recommend(u, id -> false, 10));
            }
        }
        // Corrupt the compiled shared weights: the checksum names the file.
        Path bin = dir.resolve("compiled/shared.bin");
        byte[] b = Files.readAllBytes(bin);
        b[b.length - 1] ^= 1;
        Files.write(bin, b);
        InvalidBundleException e = assertThrows(InvalidBundleException.class, () -> ModelBundle.load(dir));
        assertTrue(e.getMessage().contains("compiled/shared.bin"), e.getMessage());
    }

    @Test
    void residualExpertsFoldTheSharedExpertAndUseIt() {
        TrainingConfig config = Fixtures.PLAIN.withResidualExperts(true);
        MoeModel r = Fixtures.model(config);
        assertNotNull(r.sharedExpert());
        MovieTable table = r.table();
        SplittableRandom rng = new SplittableRandom(23);
        int usingOffset = 0;
        int experts = 0;
        for (int g = 0; g < Genre.COUNT; g++) {
            GenreExpert e = r.expert(g);
            if (e == null) {
                continue;
            }
            experts++;
            assertSame(r.sharedExpert(), e.base());
            usingOffset += e.offsetWeight() > 0.1 ? 1 : 0;
            // The folded compiled expert equals Tribuo's predict with the shared expert's logit as its offset.
            CompiledExpert c = r.compiledExpert(g);
            for (int i = 0; i < 300; i++) {
                double[] u = TestCatalogs.randomUser(rng);
                int m = rng.nextInt(table.size());
                double knn = rng.nextInt(3) == 0 ? 0 : rng.nextDouble();
                assertEquals(e.tribuoProbability(u, table, m, knn), c.scoreOnce(u, m, knn), 1e-6, e.name());
            }
        }
        assertTrue(usingOffset > experts / 2, "only " + usingOffset + " of " + experts + " residual experts use the shared logit");
        // λ = 0: the shared expert is only the residuals' base and does not score on its own.
        assertEquals(0.0, r.config().sharedWeight());
        double[] u = TestCatalogs.randomUser(rng);
        for (RecommendedItem it : r.scorer(RouterKind.DENSE).recommend(u, id -> false, 10)) {
            assertEquals(bruteForce(r, RouterKind.DENSE, u, table.indexOf(it.movieId())), it.score(), 1e-12);
        }
    }

    @Test
    void softExpertsScoreTheWholeCatalogWithEveryChosenExpert() {
        MoeModel soft = Fixtures.model(Fixtures.PLAIN.withSoftExperts(2));
        SplittableRandom rng = new SplittableRandom(31);
        int outsideChosen = 0;
        for (int t = 0; t < 50; t++) {
            double[] u = TestCatalogs.randomUser(rng);
            Router router = soft.router(RouterKind.SOFTMAX);
            int[] e = new int[router.maxExperts()];
            int n = router.route(u, e, new double[router.maxExperts()]);
            int mask = 0;
            for (int i = 0; i < n; i++) {
                mask |= soft.compiledExpert(e[i]) == null ? 0 : 1 << e[i];
            }
            for (RecommendedItem it : soft.scorer(RouterKind.SOFTMAX).recommend(u, id -> false, 10)) {
                int movie = soft.table().indexOf(it.movieId());
                assertEquals(bruteForce(soft, RouterKind.SOFTMAX, u, movie), it.score(), 1e-12 * Math.max(1, it.score()));
                assertEquals(Integer.bitCount(mask), it.experts().size(), "every chosen expert contributes to every movie");
                outsideChosen += (soft.table().genreBits(movie) & mask) == 0 ? 1 : 0;
            }
        }
        assertTrue(outsideChosen > 0, "soft experts never recommended a movie outside the chosen genres");
    }

    @Test
    void sharedWeightNeedsASharedExpertAndBadValuesNameTheirKey() {
        MoeModel plain = Fixtures.model(Fixtures.PLAIN);
        assertThrows(IllegalArgumentException.class, () -> plain.withMixture(plain.config().withShared(1, false)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TrainingConfig.fromMap(Map.of("train.sharedWeight", "-1")));
        assertTrue(e.getMessage().contains("train.sharedWeight"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> TrainingConfig.fromMap(Map.of("train.normaliseMixture", "yes")));
        assertTrue(e.getMessage().contains("train.normaliseMixture"), e.getMessage());
        assertEquals(TrainingConfig.defaults().withShared(2.5, true),
                TrainingConfig.fromMap(Map.of("train.sharedWeight", "2.5", "train.normaliseMixture", "true")));
    }
}
