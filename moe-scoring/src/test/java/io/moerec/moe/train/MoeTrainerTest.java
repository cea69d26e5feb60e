package io.moerec.moe.train;

import io.moerec.moe.TrainingConfig;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.moerec.ingest.domain.Genre;
import io.moerec.ingest.domain.RecommendationList.RecommendedItem;
import io.moerec.moe.Fixtures;
import io.moerec.moe.MoeModel;
import io.moerec.moe.PlantedTastes;
import io.moerec.moe.math.MoeMath;
import io.moerec.moe.routing.RouterKind;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

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
}
