package io.moerec.moe.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.moerec.ingest.domain.Genre;
import org.junit.jupiter.api.Test;

class CandidateGeneratorTest {

    /** Six movies; movie 5 is the most watched, then 4. */
    private static MovieTable table() {
        int drama = 1 << Genre.DRAMA.ordinal();
        return MovieTable.of(new long[] {100, 101, 102, 103, 104, 105}, new int[] {drama, drama, drama, drama, drama, drama},
                new long[] {1, 1, 1, 1, 5, 9}, new double[6], new double[6]);
    }

    /** 0 → 2 (0.2), 0 → 3 (0.1); 1 → 2 (0.5), 1 → 0 (0.4). */
    private static ItemToItem model() {
        int[][] nb = {{2, 3}, {2, 0}, {}, {}, {}, {}};
        float[][] w = {{0.2f, 0.1f}, {0.5f, 0.4f}, {}, {}, {}, {}};
        return new ItemToItem(nb, w);
    }

    @Test
    void candidatesLeaveOutExcludedMoviesAndFillUpWithPopularOnes() {
        CandidateGenerator gen = new CandidateGenerator(model(), table(), 4);
        // Recent watches, oldest first: 0 then 1. Movie 0 is watched, so excluded though 1 points at it.
        CandidateGenerator.Candidates c = gen.candidates(new int[] {0, 1}, i -> i == 0 || i == 1);
        assertArrayEquals(new int[] {2, 3, 5, 4}, c.items(), "item-to-item candidates, then the most popular unwatched");
        assertEquals(-1, c.because()[2], "popular fill has no because");
        assertEquals(-1, c.because()[3]);
        for (int m : c.items()) {
            assertTrue(m != 0 && m != 1, "a watched movie came back: " + m);
        }
        // The signals: the top candidate's scores are 1 at every half-life; popular fill has 0; rank grows.
        for (int h = 0; h < CandidateGenerator.SIGNALS - 1; h++) {
            assertEquals(1.0, c.signals()[0][h], 1e-12);
            assertEquals(0.0, c.signals()[2][h], 0);
        }
        assertEquals(0.0, c.signals()[0][CandidateGenerator.SIGNALS - 1], 0);
        assertTrue(c.signals()[3][CandidateGenerator.SIGNALS - 1] > c.signals()[1][CandidateGenerator.SIGNALS - 1]);
    }

    @Test
    void becauseIsTheRecentWatchContributingMostAtTheRankingHalfLife() {
        CandidateGenerator gen = new CandidateGenerator(model(), table(), 3);
        // Oldest first: 1 then 0. Movie 2 gets 0.5·0.5^(1/5) ≈ 0.435 from 1 and 0.2 from 0 (the newest): 1 wins.
        CandidateGenerator.Candidates c = gen.candidates(new int[] {1, 0}, i -> i == 0 || i == 1);
        assertEquals(2, c.items()[0]);
        assertEquals(1, c.because()[0]);
        // Movie 3 is reached from 0 only.
        assertEquals(3, c.items()[1]);
        assertEquals(0, c.because()[1]);
    }

    @Test
    void aUserWithoutKnownRecentWatchesGetsTheMostPopularMovies() {
        CandidateGenerator gen = new CandidateGenerator(model(), table(), 3);
        CandidateGenerator.Candidates c = gen.candidates(new int[] {-1}, i -> false);
        assertArrayEquals(new int[] {5, 4, 0}, c.items(), "by interactions, ties to the lower index");
        assertArrayEquals(new int[] {-1, -1, -1}, c.because());
    }

    @Test
    void theScratchIsLeftClearedSoRepeatedCallsAgree() {
        CandidateGenerator gen = new CandidateGenerator(model(), table(), 4);
        CandidateGenerator.Candidates a = gen.candidates(new int[] {0, 1}, i -> i == 1);
        gen.candidates(new int[] {1}, i -> false);
        CandidateGenerator.Candidates b = gen.candidates(new int[] {0, 1}, i -> i == 1);
        assertArrayEquals(a.items(), b.items());
        for (int x = 0; x < a.size(); x++) {
            assertArrayEquals(a.signals()[x], b.signals()[x], 0);
        }
    }
}
