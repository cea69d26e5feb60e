package io.moerec.moe.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.moerec.ingest.domain.ViewingEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RankingMetricsTest {

    private static double log2(double x) {
        return Math.log(x) / Math.log(2);
    }

    @Test
    void handComputedList() {
        // Hits at ranks 2 and 4 of 4; three relevant items, so the ideal list has hits at ranks 1..3.
        RankingMetrics m = RankingMetrics.of(new long[] {5, 3, 9, 1}, Set.of(3L, 1L, 7L), 4);
        double dcg = 1 / log2(3) + 1 / log2(5);
        double idcg = 1 + 1 / log2(3) + 1 / log2(4);
        assertEquals(1.0, m.hr());
        assertEquals(dcg / idcg, m.ndcg(), 1e-12);
        assertEquals(2.0 / 3, m.recall(), 1e-12);
        assertEquals(0.5, m.mrr(), 0);
    }

    @Test
    void onlyTheFirstKCountAndMissesScoreZero() {
        RankingMetrics m = RankingMetrics.of(new long[] {5, 9, 3}, Set.of(3L), 2);
        assertEquals(0.0, m.hr());
        assertEquals(0.0, m.ndcg());
        assertEquals(0.0, m.recall());
        assertEquals(0.0, m.mrr());
        RankingMetrics top = RankingMetrics.of(new long[] {3}, Set.of(3L), 10);
        assertEquals(1.0, top.ndcg(), 1e-12);
        assertEquals(1.0, top.mrr());
    }

    @Test
    void meanAndStandardError() {
        // mean 2, sample variance 1, n 3 ⇒ SE = √(1/3).
        MeanWithError m = MeanWithError.of(new double[] {1, 2, 3});
        assertEquals(2.0, m.mean(), 1e-12);
        assertEquals(Math.sqrt(1.0 / 3), m.standardError(), 1e-12);
    }

    @Test
    void pearsonOfHandVectors() {
        assertEquals(1.0, Evaluation.pearson(new double[] {1, 2, 3}, new double[] {2, 4, 6}), 1e-12);
        assertEquals(-1.0, Evaluation.pearson(new double[] {1, 2, 3}, new double[] {3, 2, 1}), 1e-12);
        assertEquals(0.0, Evaluation.meanPairwiseCorrelation(List.of(new double[] {1, 2, 3}, new double[] {2, 4, 6},
                new double[] {3, 2, 1})) * 3 + 1.0, 1e-12); // (1 − 1 − 1) / 3 = −1/3
    }

    @Test
    void userTimeSplitHoldsOutTheLastFifthAndDropsUnseenOrRepeatedItems() {
        List<ViewingEvent> es = new ArrayList<>();
        // u1: 12 events ⇒ round(2.4) = 2 test events: the last two by (time, movie id).
        for (int i = 0; i < 10; i++) {
            es.add(ViewingEvent.complete("a" + i, "u1", 100 + i, 1000 + i));
        }
        es.add(ViewingEvent.complete("a10", "u1", 201, 5000)); // same time as the next one, lower id first
        es.add(ViewingEvent.complete("a11", "u1", 101, 5000)); // u1 already watched 101 in training ⇒ dropped
        // u2: 9 events ⇒ trains only; its movie 201 makes 201 a seen item.
        for (int i = 0; i < 9; i++) {
            es.add(ViewingEvent.complete("b" + i, "u2", i == 0 ? 201 : 300 + i, 2000 + i));
        }
        // u3: 10 events ⇒ 2 test; the last is movie 999 that nobody watched in training ⇒ dropped.
        for (int i = 0; i < 10; i++) {
            es.add(ViewingEvent.complete("c" + i, "u3", i == 9 ? 999 : 100 + i, 3000 + i));
        }
        EvalSplit s = EvalSplit.userTime(es, 10, 0.2);
        assertEquals(Map.of("u1", Set.of(201L), "u3", Set.of(108L)), s.test());
        assertEquals(2, s.droppedItems());
        assertEquals(es.size() - 4, s.train().size());
    }

    @Test
    void globalTimeSplitCutsAtTheQuantileAndNeedsFiveTrainingEvents() {
        List<ViewingEvent> es = new ArrayList<>();
        // 10 events at times 0..9: the 0.8 quantile cut is time 8; events at 8 and 9 are the test part.
        for (int i = 0; i < 6; i++) {
            es.add(ViewingEvent.complete("a" + i, "u1", 100 + i, i));
        }
        es.add(ViewingEvent.complete("b0", "u2", 100, 6));
        es.add(ViewingEvent.complete("b1", "u2", 101, 7));
        es.add(ViewingEvent.complete("a6", "u1", 101, 8)); // u1 has 6 training events, but watched 101 already ⇒ dropped
        es.add(ViewingEvent.complete("b2", "u2", 102, 9)); // u2 has only 2 training events ⇒ not a test user
        EvalSplit s = EvalSplit.globalTime(es, 0.8, 5);
        assertEquals(8, s.train().size());
        assertEquals(Map.of(), s.test());
        assertEquals(1, s.droppedItems());
        es.add(ViewingEvent.complete("a7", "u1", 102, 9)); // 102 unseen in training ⇒ dropped too
        es.add(ViewingEvent.skip("a8", "u1", 100, 9));     // a skip is not a watch
        es.add(ViewingEvent.complete("c0", "u3", 200, 0));
        es.add(ViewingEvent.complete("a9", "u1", 200, 9)); // seen in training (by u3) ⇒ kept
        EvalSplit t = EvalSplit.globalTime(es, 0.8, 5);
        assertEquals(Map.of("u1", Set.of(200L)), t.test());
    }

    @Test
    void aTestItemTheUserSkippedInTrainingIsDroppedAsServingWouldNeverRecommendIt() {
        List<ViewingEvent> es = new ArrayList<>();
        // Ten events, the 0.8 quantile cut at time 8: eight train, two test.
        for (int i = 0; i < 5; i++) {
            es.add(ViewingEvent.complete("a" + i, "u1", 100 + i, i));
        }
        es.add(ViewingEvent.skip("s", "u1", 300, 5));         // u1 skipped 300 in training
        es.add(ViewingEvent.complete("b0", "u2", 300, 6));    // 300 is a training watch (of u2)
        es.add(ViewingEvent.complete("b1", "u2", 301, 7));
        es.add(ViewingEvent.complete("a6", "u1", 300, 8));    // u1 then watches 300: unreachable for serving ⇒ dropped
        es.add(ViewingEvent.complete("a7", "u1", 301, 9));    // kept
        EvalSplit s = EvalSplit.globalTime(es, 0.8, 5);
        assertEquals(Map.of("u1", Set.of(301L)), s.test());
        assertEquals(1, s.droppedItems());
    }
}
