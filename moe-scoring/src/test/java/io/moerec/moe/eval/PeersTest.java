package io.moerec.moe.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.moerec.ingest.domain.ViewingEvent;
import io.moerec.moe.PlantedTastes;
import io.moerec.moe.model.EaseModel;
import io.moerec.moe.model.MovieTable;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The item-to-item peers: histories, the validation cut, and that the grid scores what the test ranks with. */
class PeersTest {

    private static final PlantedTastes WORLD = new PlantedTastes(120, 8, 15, 30, 0.8, false, 5);
    private static final MovieTable TABLE = MovieTable.builder(WORLD.catalog).build();

    @Test
    void historiesAreOldestFirstWithARepeatAtItsNewestPositionAndNoSkips() {
        List<ViewingEvent> events = List.of(
                ViewingEvent.complete("e1", "u", 3, 100),
                ViewingEvent.rate("e2", "u", 1, 200, 4.0),
                ViewingEvent.skip("e3", "u", 2, 300),
                ViewingEvent.complete("e4", "u", 3, 400),
                ViewingEvent.play("e5", "u", 5, 50),
                ViewingEvent.complete("e6", "u", 999_999, 500));
        int[] h = Peers.histories(events, TABLE).get("u");
        assertArrayEquals(new int[] {TABLE.indexOf(5), TABLE.indexOf(1), TABLE.indexOf(3)}, h);
    }

    @Test
    void theValidationCutUsesOnlyTheTrainingPart() {
        EvalSplit split = EvalSplit.userTime(WORLD.events, 10, 0.2);
        EvalSplit validation = Peers.validationCut(split);
        Set<ViewingEvent> train = new HashSet<>(split.train());
        assertTrue(train.containsAll(validation.train()));
        assertTrue(validation.train().size() < split.train().size());
        assertEquals("user-time", validation.kind());
    }

    @Test
    void theGridScoresWhatTheChosenMethodRanksWith() {
        EvalSplit split = EvalSplit.userTime(WORLD.events, 10, 0.2);
        Peers.Grid one = new Peers.Grid(List.of(30.0), List.of(4.0), List.of(20));
        Peers.Tuned tuned = Peers.tune(split, TABLE, one, 10);
        assertEquals(List.of(Peers.KNN_RECENCY, Peers.EASE, Peers.EASE_RECENCY), tuned.choices().stream().map(Peers.Choice::method).toList());
        assertEquals("λ=30, h=∞", tuned.choices().get(1).setting());
        assertEquals("λ=30, h=4", tuned.choices().get(2).setting());
        assertEquals("k=20, h=4", tuned.choices().get(0).setting());

        // Rank the validation cut with the ranking method itself: the same NDCG as the batched grid.
        EvalSplit validation = Peers.validationCut(split);
        Map<String, int[]> hist = Peers.histories(validation.train(), TABLE);
        EaseModel model = EaseModel.fit(hist.values(), TABLE.size(), 30.0);
        RankingMethod m = Baselines.ease("check", model, hist, 4.0, TABLE);
        double sum = 0;
        int n = 0;
        for (String u : validation.test().keySet()) {
            Set<Long> seen = new HashSet<>();
            for (int j : hist.get(u)) {
                seen.add(TABLE.movieId(j));
            }
            sum += RankingMetrics.of(m.recommend(u, null, seen::contains, 10), validation.test().get(u), 10).ndcg();
            n++;
        }
        assertEquals(n, tuned.validationUsers());
        assertEquals(sum / n, tuned.choices().get(2).validationNdcg(), 1e-12);
        double best = tuned.choices().stream().mapToDouble(Peers.Choice::validationNdcg).max().orElseThrow();
        assertEquals(best, tuned.choices().stream().filter(c -> c.method().equals(tuned.best())).findFirst().orElseThrow().validationNdcg());
        assertThrows(IllegalArgumentException.class, () -> new Peers.Grid(List.of(1.0), List.of(Double.POSITIVE_INFINITY), List.of(5)));
    }
}
