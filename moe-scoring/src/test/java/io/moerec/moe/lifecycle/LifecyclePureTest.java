package io.moerec.moe.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.moerec.ingest.domain.ViewingEvent;
import io.moerec.moe.eval.MeanWithError;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The training window, the cadence, the hold-out cut and the bless decision, without a model. */
class LifecyclePureTest {

    private static ViewingEvent play(int i) {
        return ViewingEvent.play("e" + i, "u" + (i % 3), 100 + i, 1_000L * i);
    }

    @Test
    void theWindowKeepsTheLastEventsAndWhereToRereadThemFrom() {
        TrainingWindow w = new TrainingWindow(3);
        assertFalse(w.isFull());
        w.add(play(1), 0, 10);
        w.add(play(2), 1, 5);
        w.add(play(3), 0, 11);
        assertTrue(w.isFull());
        w.add(play(4), 1, 6);
        assertEquals(3, w.size());
        assertEquals(List.of("e2", "e3", "e4"), w.events().stream().map(ViewingEvent::eventId).toList());
        // Partition 0's oldest kept event is offset 11, partition 1's is 5; partition 2 has none and keeps its position.
        assertEquals(Map.of(0, 11L, 1, 5L, 2, 40L), w.startPositions(Map.of(0, 12L, 1, 7L, 2, 40L)));
        w.add(play(5), 1, 7);
        w.add(play(6), 1, 8);
        assertEquals(Map.of(0, 12L, 1, 6L), w.startPositions(Map.of(0, 12L, 1, 9L)));
        assertThrows(IllegalArgumentException.class, () -> new TrainingWindow(0));
    }

    @Test
    void theCadenceBootstrapsOnAFullWindowThenCountsEventsOrTime() {
        RetrainCadence byEvents = new RetrainCadence(100, 0);
        assertFalse(byEvents.due(false, false, 5_000, 1_000_000), "no first model before the window is full");
        assertTrue(byEvents.due(false, true, 0, 0), "the first full window bootstraps");
        assertFalse(byEvents.due(true, true, 99, 1_000_000));
        assertTrue(byEvents.due(true, true, 100, 0));

        RetrainCadence byTime = new RetrainCadence(0, 60_000);
        assertFalse(byTime.due(true, true, 1_000_000, 59_999));
        assertTrue(byTime.due(true, true, 1, 60_000));
        assertFalse(byTime.due(true, true, 0, 600_000), "nothing new, nothing to retrain");

        RetrainCadence both = new RetrainCadence(100, 60_000);
        assertTrue(both.due(true, true, 100, 0));
        assertTrue(both.due(true, true, 1, 60_000));
        assertThrows(IllegalArgumentException.class, () -> new RetrainCadence(0, 0));
        assertThrows(IllegalArgumentException.class, () -> new RetrainCadence(-1, 10));
    }

    @Test
    void theHoldoutIsTheNewestShareByEventTime() {
        List<ViewingEvent> window = new java.util.ArrayList<>();
        for (int i = 10; i >= 1; i--) {
            window.add(play(i)); // arrival order need not be event-time order
        }
        HoldoutSplit s = HoldoutSplit.of(window, 0.2);
        assertEquals(9_000L, s.cut());
        assertEquals(8, s.train().size());
        assertTrue(s.train().stream().allMatch(e -> e.eventTime() < 9_000L));
        assertEquals(10, s.all().size());
        assertThrows(IllegalArgumentException.class, () -> HoldoutSplit.of(window, 0));
        assertThrows(IllegalArgumentException.class, () -> HoldoutSplit.of(List.of(), 0.2));
    }

    private static HoldoutScore score(double ndcg, int n) {
        return new HoldoutScore(new MeanWithError(ndcg, 0.01, n), new MeanWithError(ndcg * 2, 0.01, n), n);
    }

    @Test
    void aCandidateIsAnnouncedOnlyIfItIsNoWorseThanServingMinusEpsilon() {
        BlessPolicy p = new BlessPolicy(0.01, 20);
        BlessPolicy.Decision boot = p.decide(score(0.0, 0), null);
        assertTrue(boot.announce());
        assertTrue(boot.reason().startsWith("bootstrap"), boot.reason());

        assertTrue(p.decide(score(0.10, 50), score(0.10, 50)).announce());
        assertTrue(p.decide(score(0.095, 50), score(0.10, 50)).announce(), "within epsilon");
        BlessPolicy.Decision worse = p.decide(score(0.05, 50), score(0.10, 50));
        assertFalse(worse.announce());
        assertEquals("NDCG@10 0.0500 < serving 0.1000 - epsilon 0.0100", worse.reason());
        BlessPolicy.Decision few = p.decide(score(0.9, 5), score(0.1, 5));
        assertFalse(few.announce());
        assertTrue(few.reason().contains("too few"), few.reason());
        assertThrows(IllegalArgumentException.class, () -> new BlessPolicy(-0.1, 1));
        assertThrows(IllegalArgumentException.class, () -> new BlessPolicy(Double.NaN, 1));
    }
}
