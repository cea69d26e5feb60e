package io.moerec.moe.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class ItemNeighboursTest {

    @Test
    void cosineOverCoWatchersTopKAndMeanSimilarity() {
        // users: {0,1}, {0,1,2}, {0,2}, {3}
        // counts: 0→3, 1→2, 2→2, 3→1; co(0,1)=2, co(0,2)=2, co(1,2)=1.
        ItemNeighbours nb = ItemNeighbours.build(List.of(new int[] {0, 1}, new int[] {0, 1, 2}, new int[] {2, 0}, new int[] {3}), 4, 1);
        // Movie 0: sim to 1 and 2 both 2/√6; tie ⇒ lower index 1 kept with k = 1.
        assertArrayEquals(new int[] {1}, nb.neighbours(0));
        assertEquals(2 / Math.sqrt(6), nb.similarities(0)[0], 1e-12);
        // Movie 1: sim to 0 = 2/√6 ≈ 0.816, to 2 = 1/2.
        assertArrayEquals(new int[] {0}, nb.neighbours(1));
        assertEquals(0, nb.neighbours(3).length);
        ItemNeighbours all = ItemNeighbours.build(List.of(new int[] {0, 1}, new int[] {0, 1, 2}, new int[] {2, 0}, new int[] {3}), 4, 5);
        assertArrayEquals(new int[] {0, 2}, all.neighbours(1));
        double[] knn = new double[4];
        all.knn(new int[] {1, 2, -1}, knn); // mean over the two known recent watches
        assertEquals((2 / Math.sqrt(6) + 2 / Math.sqrt(6)) / 2, knn[0], 1e-12);
        assertEquals(0.5 / 2, knn[1], 1e-12); // from 2 → 1
        assertEquals(0.5 / 2, knn[2], 1e-12); // from 1 → 2
        assertEquals(0.0, knn[3]);
    }
}
