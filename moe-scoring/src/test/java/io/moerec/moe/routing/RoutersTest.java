package io.moerec.moe.routing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.moerec.ingest.domain.Genre;
import io.moerec.moe.TestCatalogs;
import io.moerec.moe.eval.RoutingStats;
import io.moerec.moe.math.MoeMath;
import io.moerec.moe.model.GenreClassifier;
import io.moerec.moe.model.UserVector;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class RoutersTest {

    static GenreClassifier gate;
    static List<double[]> users;

    /** Users whose affinity leans to genre 0 (dominant) far more often than to any other genre. */
    @BeforeAll
    static void trainGate() {
        SplittableRandom rng = new SplittableRandom(21);
        users = new ArrayList<>();
        List<GenreClassifier.Row> rows = new ArrayList<>();
        for (int i = 0; i < 1500; i++) {
            double[] u = TestCatalogs.randomUser(rng);
            int taste = rng.nextInt(3) > 0 ? 0 : rng.nextInt(Genre.COUNT);
            for (int g = 0; g < Genre.COUNT; g++) {
                u[g] *= 0.3;
            }
            u[taste] += 0.7;
            users.add(u);
            rows.add(new GenreClassifier.Row(u, taste, 1f));
        }
        gate = GenreClassifier.train("gate", UserVector.featureNames(), rows, 3, 0.5, 3);
    }

    @Test
    void liftShiftChoosesByShiftedLogProbabilityAndWeighsByTheGate() {
        double[] shift = new double[Genre.COUNT];
        shift[0] = -1e6; // genre 0 as common as can be: never chosen by lift
        SoftmaxRouter r = new SoftmaxRouter(gate, 2, shift);
        int[] e = new int[2];
        double[] w = new double[2];
        double[] p = new double[Genre.COUNT];
        for (double[] u : users.subList(0, 200)) {
            assertEquals(2, r.route(u, e, w));
            gate.probabilities(u, p);
            double[] lifted = new double[Genre.COUNT];
            for (int g = 0; g < Genre.COUNT; g++) {
                lifted[g] = Math.log(p[g]) + shift[g];
            }
            int[] top = new int[2];
            MoeMath.topK(lifted, top);
            assertArrayEquals(top, e);
            assertTrue(e[0] != 0 && e[1] != 0);
            assertEquals(p[e[0]] / p[e[1]], w[0] / w[1], 1e-9);
        }
    }

    @Test
    void softmaxRouterTakesTopKAndRenormalises() {
        SoftmaxRouter r = new SoftmaxRouter(gate, 2);
        int[] e = new int[2];
        double[] w = new double[2];
        double[] p = new double[Genre.COUNT];
        for (double[] u : users.subList(0, 200)) {
            assertEquals(2, r.route(u, e, w));
            gate.probabilities(u, p);
            int[] top = new int[2];
            MoeMath.topK(p, top);
            assertArrayEquals(top, e);
            assertEquals(1.0, w[0] + w[1], 1e-12);
            assertEquals(p[e[0]] / p[e[1]], w[0] / w[1], 1e-9);
        }
    }

    @Test
    void denseRouterUsesTheFullSoftmax() {
        DenseRouter r = new DenseRouter(gate);
        int[] e = new int[Genre.COUNT];
        double[] w = new double[Genre.COUNT];
        double[] p = new double[Genre.COUNT];
        double[] u = users.get(0);
        int n = r.route(u, e, w);
        gate.probabilities(u, p);
        double sum = 0;
        for (int i = 0; i < n; i++) {
            assertEquals(p[e[i]], w[i], 0);
            sum += w[i];
        }
        assertEquals(1.0, sum, 1e-12);
    }

    @Test
    void biasUpdateMovesAgainstLoad() {
        long[] load = new long[Genre.COUNT];
        load[0] = 100;
        load[1] = 10;
        // mean = 110 / 18 ≈ 6.1: genres 0 and 1 are over it, the others under.
        double[] b = BalancedRouter.updatedBias(new double[Genre.COUNT], load, 0.01);
        assertEquals(-0.01, b[0], 0);
        assertEquals(-0.01, b[1], 0);
        assertEquals(0.01, b[2], 0);
    }

    @Test
    void biasChangesChoiceNeverWeights() {
        double[] bias = new double[Genre.COUNT];
        bias[5] = 10; // forces genre 5 into every top-2
        BalancedRouter r = new BalancedRouter(gate, 2, 0.01, bias);
        int[] e = new int[2];
        double[] w = new double[2];
        double[] p = new double[Genre.COUNT];
        double[] u = users.get(0);
        r.route(u, e, w);
        gate.probabilities(u, p);
        assertEquals(5, e[0]);
        assertEquals(p[e[0]] / (p[e[0]] + p[e[1]]), w[0], 1e-12);
        // Zero bias is exactly the softmax router.
        int[] e2 = new int[2];
        double[] w2 = new double[2];
        BalancedRouter.unbiased(gate, 2, 0.01).route(u, e, w);
        new SoftmaxRouter(gate, 2).route(u, e2, w2);
        assertArrayEquals(e2, e);
        assertArrayEquals(w2, w, 0);
    }

    @Test
    void calibratedBalancedRouterSpreadsLoad() {
        RoutingStats soft = load(new SoftmaxRouter(gate, 2));
        BalancedRouter cal = BalancedRouter.unbiased(gate, 2, 0.02).calibrate(users, 100, 20);
        RoutingStats bal = load(cal);
        assertTrue(soft.maxVio() > 3, "fixture should be skewed, MaxVio " + soft.maxVio());
        assertTrue(bal.maxVio() < 0.5, "balanced MaxVio " + bal.maxVio() + " vs softmax " + soft.maxVio());
    }

    static RoutingStats load(Router r) {
        long[] load = new long[Genre.COUNT];
        int[] e = new int[r.maxExperts()];
        double[] w = new double[r.maxExperts()];
        for (double[] u : users) {
            int n = r.route(u, e, w);
            for (int i = 0; i < n; i++) {
                load[e[i]]++;
            }
        }
        return RoutingStats.of(load);
    }
}
