package io.moerec.moe;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.moerec.ingest.domain.Genre;
import io.moerec.moe.model.MovieTable;
import org.junit.jupiter.api.Test;

/** The lift router's base rates, against hand-computed values. */
class LiftShiftTest {

    @Test
    void shiftIsMinusAlphaLogSmoothedGenreShare() {
        // Movie 1: genre 0 only, 9 interactions; movie 2: genres 0 and 1, 4 interactions (2 each).
        MovieTable t = MovieTable.of(new long[] {1, 2}, new int[] {0b1, 0b11}, new long[] {9, 4}, new double[2], new double[2]);
        double[] shift = MoeModel.liftShift(t, 0.5);
        // Mass: genre 0 = 9 + 2 + 1, genre 1 = 2 + 1, the other 16 genres 1 each; total 31.
        double total = 12 + 3 + (Genre.COUNT - 2);
        assertEquals(-0.5 * Math.log(12 / total), shift[0], 1e-12);
        assertEquals(-0.5 * Math.log(3 / total), shift[1], 1e-12);
        assertEquals(-0.5 * Math.log(1 / total), shift[5], 1e-12);
    }
}
