package io.moerec.moe.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.moerec.ingest.domain.Genre;
import org.junit.jupiter.api.Test;

class ContextSignalsTest {

    private static final int DRAMA = 1 << Genre.DRAMA.ordinal();
    private static final int COMEDY = 1 << Genre.COMEDY.ordinal();

    /** Movies 0, 2, 4 are dramas, 1 and 3 comedies, 5 both; movie 5 is the most watched. */
    private static MovieTable table() {
        return MovieTable.of(new long[] {100, 101, 102, 103, 104, 105},
                new int[] {DRAMA, COMEDY, DRAMA, COMEDY, DRAMA, DRAMA | COMEDY},
                new long[] {1, 1, 1, 1, 5, 9}, new double[6], new double[6]);
    }

    /** 0 → 2 (0.2), 0 → 3 (0.1); 1 → 2 (0.5), 1 → 3 (0.4). */
    private static ItemToItem model() {
        int[][] nb = {{2, 3}, {2, 3}, {}, {}, {}, {}};
        float[][] w = {{0.2f, 0.1f}, {0.5f, 0.4f}, {}, {}, {}, {}};
        return new ItemToItem(nb, w);
    }

    private static int index(String name) {
        for (int k = 0; k < ContextSignals.COUNT; k++) {
            if (ContextSignals.name(k).equals(name)) {
                return k;
            }
        }
        throw new AssertionError(name);
    }

    @Test
    void signalsSplitTheScoreByWatchAndByGenre() {
        // Oldest first: the comedy 1, then the drama 0 (the newest, age 0; 1 has age 1).
        double[][] s = new ContextSignals(model(), table()).of(new int[] {1, 0}, new int[] {2, 3, 5}, 2);
        double r1 = Math.pow(0.5, 1 / 5.0);
        // Movie 2 (drama): 0.2 from the drama 0, 0.5·r1 from the comedy 1.
        double total2 = 0.2 + 0.5 * r1;
        assertEquals(1.0, s[0][index("support")], 1e-12, "both recent watches point at movie 2");
        assertEquals(0.5 * r1 / total2, s[0][index("because")], 1e-6);
        assertEquals(0.2 / total2, s[0][index("sameGenre")], 1e-6);
        // Movie 3 (comedy): 0.1 from the drama 0, 0.4·r1 from the comedy 1.
        assertEquals(0.4 * r1 / (0.1 + 0.4 * r1), s[1][index("sameGenre")], 1e-6);
        // Same-genre scores 0.2 (movie 2) and 0.4·r1 ≈ 0.348 (movie 3): movie 3 is the top.
        assertEquals(1.0, s[1][index("sameGenreScore")], 1e-12);
        assertEquals(0.2 / (0.4 * r1), s[0][index("sameGenreScore")], 1e-6);
        // The newest watch alone: 0 → 2 is 0.2, 0 → 3 is 0.1.
        assertEquals(1.0, s[0][index("last")], 1e-12);
        assertEquals(0.5, s[1][index("last")], 1e-6);
        // A drama's newest same-genre watch is the newest watch; a comedy's is one event older.
        assertEquals(1.0, s[0][index("genreRecency")], 1e-12);
        assertEquals(r1, s[1][index("genreRecency")], 1e-12);
        // Jaccard of drama with {drama, comedy} = (1 + 0) / 2.
        assertEquals(0.5, s[0][index("genre5")], 1e-12);
        assertEquals(0.5, s[0][index("genre20")], 1e-12);
        // Popular fill (movie 5, drama and comedy): no item-to-item signal, genre signals still set.
        assertEquals(0.0, s[2][index("support")], 0);
        assertEquals(0.0, s[2][index("last")], 0);
        assertEquals(0.0, s[2][index("because")], 0);
        assertEquals(0.5, s[2][index("genre5")], 1e-12);
        for (double[] row : s) {
            for (double v : row) {
                assertTrue(v >= 0 && v <= 1, "signal outside [0, 1]: " + v);
            }
        }
    }

    @Test
    void aRepeatedWatchCountsOnceAtItsNewestPositionAndTheScratchIsLeftCleared() {
        ContextSignals ctx = new ContextSignals(model(), table());
        double[][] a = ctx.of(new int[] {0, 1, 0}, new int[] {2, 3}, 2);
        double[][] b = ctx.of(new int[] {1, 0}, new int[] {2, 3}, 2);
        for (int x = 0; x < 2; x++) {
            assertEquals(b[x][index("support")], a[x][index("support")], 0);
            assertEquals(b[x][index("because")], a[x][index("because")], 1e-12);
            assertEquals(b[x][index("sameGenre")], a[x][index("sameGenre")], 1e-12);
        }
        double[][] again = ctx.of(new int[] {1, 0}, new int[] {2, 3}, 2);
        for (int x = 0; x < 2; x++) {
            assertArrayEquals(b[x], again[x], 0);
        }
    }

    @Test
    void theGeneratorCarriesContextSignalsOnlyWhenAskedTo() {
        CandidateGenerator plain = new CandidateGenerator(model(), table(), 3);
        CandidateGenerator with = new CandidateGenerator(model(), table(), 3, true);
        assertFalse(plain.contextSignals());
        assertTrue(with.contextSignals());
        CandidateGenerator.Candidates p = plain.candidates(new int[] {1, 0}, i -> i == 0 || i == 1);
        CandidateGenerator.Candidates w = with.candidates(new int[] {1, 0}, i -> i == 0 || i == 1);
        assertArrayEquals(p.items(), w.items());
        for (int x = 0; x < p.size(); x++) {
            assertArrayEquals(p.signals()[x], w.signals()[x], 0);
            assertArrayEquals(new double[ContextSignals.COUNT], p.context()[x], 0);
        }
        assertArrayEquals(new ContextSignals(model(), table()).of(new int[] {1, 0}, w.items(), 2)[0], w.context()[0], 0);
    }
}
