package io.moerec.moe.train;

import io.moerec.moe.TrainingConfig;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.moerec.ingest.domain.Genre;
import io.moerec.ingest.domain.RecommendationList.RecommendedItem;
import io.moerec.moe.Fixtures;
import io.moerec.moe.MoeModel;
import io.moerec.moe.PlantedTastes;
import io.moerec.moe.math.MoeMath;
import io.moerec.moe.routing.RouterKind;
import io.moerec.moe.bundle.ModelBundle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MoeTrainerTest {

    static PlantedTastes world;
    static MoeModel model;

    @BeforeAll
    static void train() {
        world = Fixtures.world();
        model = Fixtures.model();
    }

    @Test
    void gatePutsThePlantedGenreInTheTopTwoForMostUsers() {
        int hits = 0;
        int users = 0;
        double[] p = new double[Genre.COUNT];
        int[] top = new int[2];
        for (Map.Entry<String, double[]> e : latestVectors().entrySet()) {
            int u = Integer.parseInt(e.getKey().substring(1));
            model.gate().probabilities(e.getValue(), p);
            MoeMath.topK(p, top);
            users++;
            if (top[0] == world.taste[u] || top[1] == world.taste[u]) {
                hits++;
            }
        }
        assertEquals(300, users);
        assertTrue(hits >= 0.8 * users, "planted genre in gate top 2 for " + hits + "/" + users);
    }

    private static Map<String, double[]> latestVectors() {
        return TrainingData.prepare(world.catalog, world.events, model.config().features()).latestUserVectors();
    }

    @Test
    void sameDataAndSeedGiveTheSameScores() {
        MoeModel again = MoeTrainer.train(world.asDataSet(), TrainingConfig.defaults());
        Map<String, double[]> users = latestVectors();
        int checked = 0;
        for (double[] u : users.values()) {
            for (RouterKind k : RouterKind.values()) {
                List<RecommendedItem> a = model.scorer(k).recommend(u, id -> false, 10);
                List<RecommendedItem> b = again.scorer(k).recommend(u, id -> false, 10);
                assertEquals(a, b, k.configName());
            }
            if (++checked == 50) {
                break;
            }
        }
        assertEquals(model.balancedBias()[3], again.balancedBias()[3], 0);
        // A different seed gives a different model (the test above would pass for a constant model too).
        MoeModel other = MoeTrainer.train(world.asDataSet(), TrainingConfig.defaults().withSeed(7));
        double[] u = users.values().iterator().next();
        assertTrue(!model.scorer(RouterKind.SOFTMAX).recommend(u, id -> false, 10)
                .equals(other.scorer(RouterKind.SOFTMAX).recommend(u, id -> false, 10)));
    }

    @Test
    void thePoolSizeDoesNotChangeTheTrainedBytes(@TempDir Path tmp) throws Exception {
        // Experts, gate and eigen router train side by side, each with its own seed: one thread or four
        // must give the same weights. The Tribuo files carry a training timestamp, so the compiled and
        // binary parts are compared byte for byte and the Tribuo-only gate and energy model by their outputs.
        TrainingData data = TrainingData.prepare(world.catalog, world.events, model.config().features());
        MoeModel one = trainWith(1, data);
        MoeModel four = trainWith(4, data);
        ModelBundle.save(one, tmp.resolve("one"));
        ModelBundle.save(four, tmp.resolve("four"));
        List<Path> files;
        try (Stream<Path> s = Files.walk(tmp.resolve("one"))) {
            files = s.filter(f -> f.toString().endsWith(".bin")).map(tmp.resolve("one")::relativize).sorted().toList();
        }
        assertTrue(files.size() >= 8, files.toString());
        assertTrue(files.stream().anyMatch(f -> f.toString().startsWith("compiled/expert-")), files.toString());
        for (Path f : files) {
            assertArrayEquals(Files.readAllBytes(tmp.resolve("one").resolve(f)), Files.readAllBytes(tmp.resolve("four").resolve(f)),
                    f.toString());
        }
        double[] a = new double[Genre.COUNT];
        double[] b = new double[Genre.COUNT];
        for (double[] u : data.latestUserVectors().values()) {
            one.gate().probabilities(u, a);
            four.gate().probabilities(u, b);
            assertArrayEquals(a, b, 0);
        }
    }

    private static MoeModel trainWith(int threads, TrainingData data) {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            return MoeTrainer.train("pool of " + threads, data, TrainingConfig.defaults(), pool);
        } finally {
            pool.shutdownNow();
        }
    }
}
