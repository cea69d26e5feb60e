package io.moerec.moe.math;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class MoeMathTest {

    @Test
    void softmaxIsStableAndZeroesMinusInfinity() {
        double[] out = new double[3];
        MoeMath.softmax(new double[] {1000, 1000 + Math.log(3), Double.NEGATIVE_INFINITY}, out);
        assertArrayEquals(new double[] {0.25, 0.75, 0.0}, out, 1e-12);
    }

    @Test
    void sigmoidMatchesDefinitionAndSaturates() {
        assertEquals(0.5, MoeMath.sigmoid(0), 0);
        assertEquals(1 / (1 + Math.exp(-2)), MoeMath.sigmoid(2), 1e-15);
        assertEquals(Math.exp(-800) / (1 + Math.exp(-800)), MoeMath.sigmoid(-800), 0);
        assertEquals(1.0, MoeMath.sigmoid(800), 0);
    }

    @Test
    void topKPicksLargestBestFirstTiesToLowerIndex() {
        int[] chosen = new int[3];
        MoeMath.topK(new double[] {0.1, 0.5, 0.2, 0.5, 0.05}, chosen);
        assertArrayEquals(new int[] {1, 3, 2}, chosen);
        assertThrows(IllegalArgumentException.class, () -> MoeMath.topK(new double[2], new int[3]));
    }

    @Test
    void renormaliseOverChosenOnly() {
        double[] w = new double[2];
        MoeMath.renormalise(new double[] {0.1, 0.6, 0.3}, new int[] {1, 2}, w);
        assertArrayEquals(new double[] {2.0 / 3, 1.0 / 3}, w, 1e-12);
        MoeMath.renormalise(new double[] {1, 0, 0}, new int[] {1, 2}, w);
        assertArrayEquals(new double[] {0.5, 0.5}, w, 0);
    }
}
