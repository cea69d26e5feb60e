package io.moerec.moe.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Candidates from recent watches: recency weights, exclusions, repeated watches and "because you watched". */
class ItemToItemTest {

    // 0 → 2 (0.5), 3 (0.2); 1 → 3 (0.4), 2 (0.1); 2 → 4 (1.0); 3, 4 → nothing.
    private static final ItemToItem MODEL = new ItemToItem(
            new int[][] {{2, 3}, {3, 2}, {4}, {}, {}},
            new float[][] {{0.5f, 0.2f}, {0.4f, 0.1f}, {1.0f}, {}, {}});

    @Test
    void recencyWeightsHalveEveryHalfLifeFromTheNewest() {
        assertArrayEquals(new double[] {0.25, Math.sqrt(0.5), 1.0}, new double[] {
                ItemToItem.recencyWeights(5, 2.0)[0], ItemToItem.recencyWeights(2, 2.0)[0], ItemToItem.recencyWeights(2, 2.0)[1]}, 1e-12);
        assertArrayEquals(new double[] {1, 1, 1}, ItemToItem.recencyWeights(3, Double.POSITIVE_INFINITY));
        assertThrows(IllegalArgumentException.class, () -> ItemToItem.recencyWeights(3, 0));
    }

    @Test
    void candidatesAreScoredAtEveryHalfLifeAndRankedByTheFirst() {
        // Watched 0 then 1 (newest). h = 1: weights 0.5, 1. h = ∞: 1, 1.
        List<ItemToItem.Candidate> c = MODEL.candidates(new int[] {0, 1}, new double[] {1.0, Double.POSITIVE_INFINITY}, i -> false, 10);
        assertEquals(2, c.size());
        // item 3: 0.5·0.2 + 1·0.4 = 0.5; item 2: 0.5·0.5 + 1·0.1 = 0.35.
        assertEquals(3, c.get(0).item());
        assertArrayEquals(new double[] {0.5, 0.6}, c.get(0).scores(), 1e-6);
        assertEquals(1, c.get(0).because());
        assertEquals(2, c.get(1).item());
        assertArrayEquals(new double[] {0.35, 0.6}, c.get(1).scores(), 1e-6);
        assertEquals(0, c.get(1).because(), "0.25 from watch 0 beats 0.1 from watch 1");
    }

    @Test
    void excludedItemsUnknownWatchesAndTheCutAreRespected() {
        List<ItemToItem.Candidate> c = MODEL.candidates(new int[] {-1, 0, 2}, new double[] {Double.POSITIVE_INFINITY}, i -> i == 2, 1);
        // 2 is excluded (watched); 4 gets 1.0 from 2, 3 gets 0.2 from 0; cut at 1.
        assertEquals(1, c.size());
        assertEquals(4, c.get(0).item());
        assertEquals(2, c.get(0).because());
        assertEquals(List.of(), MODEL.candidates(new int[] {3, 4}, new double[] {1.0}, i -> false, 5));
    }

    @Test
    void aRepeatedWatchCountsOnceAtItsNewestPosition() {
        // 0 watched at positions 0 and 2, 1 at position 1; h = 1: 0 has weight 1, 1 has weight 0.5.
        List<ItemToItem.Candidate> c = MODEL.candidates(new int[] {0, 1, 0}, new double[] {1.0}, i -> false, 10);
        // item 2: 1·0.5 + 0.5·0.1 = 0.55; item 3: 1·0.2 + 0.5·0.4 = 0.4.
        assertEquals(2, c.get(0).item());
        assertEquals(0.55, c.get(0).scores()[0], 1e-6);
        assertEquals(0.4, c.get(1).scores()[0], 1e-6);
    }

    @Test
    void truncateKeepsTheBestNeighboursAndCountsStoredWeights() {
        assertEquals(5, MODEL.storedWeights());
        ItemToItem one = MODEL.truncate(1);
        assertEquals(3, one.storedWeights());
        assertArrayEquals(new int[] {3}, one.neighbours(1));
        assertThrows(IllegalArgumentException.class, () -> new ItemToItem(new int[][] {{1}}, new float[][] {{1f}}));
    }
}
