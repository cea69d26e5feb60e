package io.moerec.moe.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.moerec.ingest.domain.Genre;
import org.junit.jupiter.api.Test;

class RoutingStatsTest {

    @Test
    void handComputedLoad() {
        long[] load = new long[Genre.COUNT];
        load[0] = 9;
        load[1] = 9;
        // total 18, mean 1; max 9 ⇒ MaxVio 8; variance = (2·64 + 16·1)/18 = 8 ⇒ CV √8; entropy ln 2.
        RoutingStats s = RoutingStats.of(load);
        assertEquals(8.0, s.maxVio(), 1e-12);
        assertEquals(Math.sqrt(8), s.cv(), 1e-12);
        assertEquals(Math.log(2), s.entropy(), 1e-12);
        assertEquals(0.5, s.share()[0], 0);
    }

    @Test
    void evenLoadHasZeroViolation() {
        long[] load = new long[Genre.COUNT];
        java.util.Arrays.fill(load, 5);
        RoutingStats s = RoutingStats.of(load);
        assertEquals(0.0, s.maxVio(), 0);
        assertEquals(0.0, s.cv(), 0);
        assertEquals(Math.log(Genre.COUNT), s.entropy(), 1e-12);
    }
}
