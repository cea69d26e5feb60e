package io.moerec.moe.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.moerec.ingest.domain.Genre;
import io.moerec.ingest.domain.GenreSet;
import io.moerec.ingest.domain.Movie;
import java.util.List;
import org.junit.jupiter.api.Test;

class SamplingCorrectionTest {

    @Test
    void logCorrectionIsLogRatioPlusLogDrawProbability() {
        List<Movie> cat = List.of(new Movie(1, "a", null, GenreSet.of(Genre.DRAMA)), new Movie(2, "b", null, GenreSet.of(Genre.DRAMA)),
                new Movie(3, "c", null, GenreSet.of(Genre.COMEDY)));
        MovieTable.Builder b = MovieTable.builder(cat);
        for (int i = 0; i < 3; i++) {
            b.interaction(0); // movie 1: 3 interactions ⇒ weight √4 = 2; movie 2: 0 ⇒ √1 = 1
        }
        MovieTable t = b.build();
        double[] c = SamplingCorrection.logCorrection(t.moviesOfGenre(Genre.DRAMA.ordinal()), t, 0.5, 4);
        assertEquals(Math.log(4) + Math.log(2.0 / 3), c[0], 1e-12);
        assertEquals(Math.log(4) + Math.log(1.0 / 3), c[1], 1e-12);
        assertEquals(Double.NEGATIVE_INFINITY, c[2]);
        // Uniform draws among N candidates: odds · r / N.
        double[] u = SamplingCorrection.logCorrection(new int[] {0, 1, 2}, t, 0, 4);
        assertEquals(4.0 / 3, SamplingCorrection.apply(0.0, u[2]), 1e-12);
        assertEquals(SamplingCorrection.apply(Math.log(0.25 / 0.75), u[0]), SamplingCorrection.applyToProbability(0.25, u[0]), 1e-12);
    }
}
