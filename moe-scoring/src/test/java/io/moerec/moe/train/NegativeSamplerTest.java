package io.moerec.moe.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class NegativeSamplerTest {

    @Test
    void drawsProportionallyToSmoothedPopularityAndNeverThePositive() {
        long[] counts = {0, 3, 8, 15};
        // exponent 0.5: weights √1, √4, √9, √16 = 1, 2, 3, 4 over candidates {0, 1, 2, 3}.
        NegativeSampler s = new NegativeSampler(new int[] {0, 1, 2, 3}, counts, 0.5);
        assertEquals(0.1, s.probability(0), 1e-12);
        assertEquals(0.4, s.probability(3), 1e-12);
        SplittableRandom rng = new SplittableRandom(1);
        int[] hist = new int[4];
        for (int i = 0; i < 60_000; i++) {
            int m = s.sample(rng, 3);
            assertNotEquals(3, m);
            hist[m]++;
        }
        // Conditional on not drawing 3: 1/6, 2/6, 3/6.
        assertEquals(10_000, hist[0], 400);
        assertEquals(20_000, hist[1], 500);
        assertEquals(30_000, hist[2], 500);
    }
}
