package io.moerec.moe.routing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.moerec.ingest.domain.Genre;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ExpertCapacityTest {

    /** The skewed fixture of {@link RoutersTest}: two thirds of the users lean to genre 0. */
    @BeforeAll
    static void gate() {
        RoutersTest.trainGate();
    }

    @Test
    void capacityIsCeilingOfFactorTimesSlotsOverExperts() {
        assertEquals(12, ExpertCapacity.capacity(1.0, 200, 18)); // 11.1 up
        assertEquals(17, ExpertCapacity.capacity(1.5, 200, 18)); // 16.7 up
        assertEquals(1, ExpertCapacity.capacity(1.0, 3, 18));
        assertThrows(IllegalArgumentException.class, () -> new ExpertCapacity(0, 10));
        assertThrows(IllegalArgumentException.class, () -> new ExpertCapacity(1, 0));
    }

    @Test
    void everyWindowHonoursTheCapacityExactlyAndKeepsEverySlot() {
        Router r = new SoftmaxRouter(RoutersTest.gate, 2);
        int window = 100;
        ExpertCapacity cap = new ExpertCapacity(1.0, window);
        long limit = ExpertCapacity.capacity(1.0, 2L * window, Genre.COUNT);
        int[] e = new int[2];
        double[] w = new double[2];
        long[] windowLoad = new long[Genre.COUNT];
        boolean someFull = false;
        List<double[]> users = RoutersTest.users;
        for (int i = 0; i < users.size(); i++) {
            if (i % window == 0) {
                Arrays.fill(windowLoad, 0);
            }
            assertEquals(2, cap.route(r, users.get(i), e, w), "cf = 1 always leaves room for both slots");
            assertTrue(e[0] != e[1]);
            assertEquals(1.0, w[0] + w[1], 1e-12);
            for (int j = 0; j < 2; j++) {
                windowLoad[e[j]]++;
                assertTrue(windowLoad[e[j]] <= limit, "expert " + e[j] + " over capacity " + limit);
                someFull |= windowLoad[e[j]] == limit;
            }
        }
        assertTrue(someFull, "the skewed fixture should fill an expert to the brim");
        assertEquals(2L * users.size(), cap.slots());
        assertEquals(2L * users.size(), Arrays.stream(cap.load()).sum());
        assertEquals(0, cap.unplaced());
        assertTrue(cap.overflowRate() > 0.1, "two thirds lean to one genre, overflow " + cap.overflowRate());
    }

    @Test
    void aFullExpertSendsTheSlotToTheNextBestByGateScore() {
        SoftmaxRouter r = new SoftmaxRouter(RoutersTest.gate, 1);
        double[] u = RoutersTest.users.get(0);
        int[] order = new int[Genre.COUNT];
        double[] p = new double[Genre.COUNT];
        r.rank(u, order, p);
        // Window of 3 users, k = 1: capacity ⌈1 · 3 / 18⌉ = 1 slot per expert.
        ExpertCapacity cap = new ExpertCapacity(1.0, 3);
        int[] e = new int[1];
        double[] w = new double[1];
        for (int i = 0; i < 3; i++) {
            assertEquals(1, cap.route(r, u, e, w));
            assertEquals(order[i], e[0], "user " + i + " goes to the " + i + "-th best expert");
            assertEquals(1.0, w[0], 0);
        }
        // A new window: the best expert again.
        cap.route(r, u, e, w);
        assertEquals(order[0], e[0]);
        assertEquals(4, cap.slots());
        assertEquals(2, cap.overflowed());
        assertEquals(0.5, cap.overflowRate(), 0);

        // k = 2: the second user takes the third and fourth best, weighted by the gate renormalised over them.
        SoftmaxRouter r2 = new SoftmaxRouter(RoutersTest.gate, 2);
        ExpertCapacity cap2 = new ExpertCapacity(1.0, 3);
        int[] e2 = new int[2];
        double[] w2 = new double[2];
        cap2.route(r2, u, e2, w2);
        assertArrayEquals(new int[] {order[0], order[1]}, e2);
        cap2.route(r2, u, e2, w2);
        assertArrayEquals(new int[] {order[2], order[3]}, e2);
        assertEquals(p[order[2]] / (p[order[2]] + p[order[3]]), w2[0], 1e-12);
        assertEquals(2, cap2.overflowed());
    }

    @Test
    void aLargeEnoughFactorChangesNothing() {
        BalancedRouter balanced = BalancedRouter.unbiased(RoutersTest.gate, 2, 0.02).calibrate(RoutersTest.users, 100, 5);
        for (Router r : List.of(new SoftmaxRouter(RoutersTest.gate, 2), new SoftmaxRouter(RoutersTest.gate, 3), balanced,
                new DenseRouter(RoutersTest.gate))) {
            // cf = 18: each expert may take every slot of the window.
            ExpertCapacity cap = new ExpertCapacity(Genre.COUNT, 50);
            int k = r.maxExperts();
            int[] e = new int[k];
            double[] w = new double[k];
            int[] e2 = new int[k];
            double[] w2 = new double[k];
            for (double[] u : RoutersTest.users) {
                int n = r.route(u, e, w);
                assertEquals(n, cap.route(r, u, e2, w2));
                assertArrayEquals(Arrays.copyOf(e, n), Arrays.copyOf(e2, n), r.name());
                assertArrayEquals(Arrays.copyOf(w, n), Arrays.copyOf(w2, n), 1e-15, r.name());
            }
            assertEquals(0, cap.overflowed(), r.name());
            assertEquals(0, cap.overflowRate(), 0, r.name());
        }
    }

    @Test
    void belowOneSomeSlotsFindNoExpertAndStayEmpty() {
        Router r = new SoftmaxRouter(RoutersTest.gate, 2);
        // A window of 36 users (72 slots), cf 0.25: ⌈0.25 · 72 / 18⌉ = 1 slot per expert, 18 of the 72 placed.
        ExpertCapacity cap = new ExpertCapacity(0.25, 36);
        int[] e = new int[2];
        double[] w = new double[2];
        int placed = 0;
        for (int i = 0; i < 36; i++) {
            placed += cap.route(r, RoutersTest.users.get(i), e, w);
        }
        assertEquals(18, placed);
        assertEquals(72 - 18, cap.unplaced());
        assertTrue(Arrays.stream(cap.load()).allMatch(l -> l == 1));
    }
}
