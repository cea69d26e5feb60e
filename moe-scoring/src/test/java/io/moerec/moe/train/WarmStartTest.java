package io.moerec.moe.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.moerec.ingest.domain.Genre;
import io.moerec.ingest.domain.ViewingEvent;
import io.moerec.moe.Fixtures;
import io.moerec.moe.MoeModel;
import io.moerec.moe.PlantedTastes;
import io.moerec.moe.TrainingConfig;
import io.moerec.moe.lifecycle.HoldoutScore;
import io.moerec.moe.lifecycle.HoldoutSplit;
import io.moerec.moe.routing.RouterKind;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class WarmStartTest {

    /** How much hold-out NDCG@10 a warm-started retrain may lose against a fresh one on the planted world. */
    static final double TOLERANCE = 0.02;

    @Test
    void aWarmStartedRetrainScoresWithinToleranceOfAFreshOne() {
        Fixtures.routeJulToSlf4j();
        PlantedTastes w = Fixtures.world();
        List<ViewingEvent> sorted = new ArrayList<>(w.events);
        sorted.sort(TrainingData.REPLAY_ORDER);
        int n = sorted.size();
        // The previous cycle's window, then the window moved on by a fifth: the trainer's situation.
        List<ViewingEvent> previous = sorted.subList(0, n * 4 / 5);
        HoldoutSplit split = HoldoutSplit.of(sorted.subList(n / 5, n), 0.1);
        TrainingConfig config = TrainingConfig.defaults();
        MoeModel serving = MoeTrainer.train("previous window", w.catalog, previous, config);
        MoeModel fresh = MoeTrainer.train("fresh", w.catalog, split.train(), config);
        MoeModel warm = MoeTrainer.train("warm", w.catalog, split.train(), config, new WarmStart(serving, 1, 3));

        assertEquals(1.0, warm.provenance().metrics().get("train.warmStart"));
        assertEquals(0.0, fresh.provenance().metrics().get("train.warmStart"));
        // Not the fresh model under another name: the gate trained 3 epochs from the serving one differs.
        double[] u = TrainingData.prepare(w.catalog, split.train(), config.features()).latestUserVectors().values().iterator().next();
        double[] a = new double[Genre.COUNT];
        double[] b = new double[Genre.COUNT];
        fresh.gate().probabilities(u, a);
        warm.gate().probabilities(u, b);
        assertFalse(Arrays.equals(a, b));

        HoldoutScore f = HoldoutScore.of(fresh, RouterKind.SOFTMAX, w.catalog, split.all(), split.cut(), 10);
        HoldoutScore m = HoldoutScore.of(warm, RouterKind.SOFTMAX, w.catalog, split.all(), split.cut(), 10);
        System.out.printf("hold-out NDCG@10 fresh %.4f, warm %.4f (%d interactions)%n", f.ndcg().mean(), m.ndcg().mean(),
                f.interactions());
        assertTrue(f.interactions() >= 100, "held-out interactions: " + f.interactions());
        assertTrue(m.ndcg().mean() >= f.ndcg().mean() - TOLERANCE,
                "warm " + m.ndcg().mean() + " against fresh " + f.ndcg().mean());
    }

    @Test
    void epochsMustBePositive() {
        MoeModel any = Fixtures.model();
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> new WarmStart(any, 0, 3));
    }
}
