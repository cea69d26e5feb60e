package io.moerec.moe;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.moerec.features.FeatureConfig;
import io.moerec.features.PreferenceFeatureLogic;
import io.moerec.ingest.domain.UserPreferenceFeatures;
import io.moerec.ingest.domain.ViewingEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The one exclusion rule: offline it is the watched set the features logic builds, skips and late events included. */
class ExclusionTest {

    @Test
    void theWatchedSetsOfALogAreTheFeaturesWatchedSetsSkipsAndLateEventsIncluded() {
        long day = 86_400_000L;
        List<ViewingEvent> log = new ArrayList<>();
        log.add(ViewingEvent.complete("e1", "u1", 30, 10 * day));
        log.add(ViewingEvent.skip("e2", "u1", 20, 10 * day + 1));
        log.add(ViewingEvent.complete("e3", "u2", 5, 10 * day));
        log.add(ViewingEvent.complete("e4", "u1", 40, 12 * day));
        Map<String, UserPreferenceFeatures> features = new PreferenceFeatureLogic(FeatureConfig.defaults()).latest(log, id -> null);
        Map<String, long[]> sets = Exclusion.watchedSets(log);
        assertArrayEquals(new long[] {20, 30, 40}, sets.get("u1"));
        assertArrayEquals(features.get("u1").watched(), sets.get("u1"));
        assertArrayEquals(features.get("u2").watched(), sets.get("u2"));
        // A late event (beyond the allowed lateness) is not applied, and still excluded.
        log.add(ViewingEvent.complete("late", "u1", 10, day));
        assertArrayEquals(new long[] {10, 20, 30, 40}, Exclusion.watchedSets(log).get("u1"));
        assertEquals(true, Exclusion.of(features.get("u1")).test(20));
        assertEquals(false, Exclusion.of(features.get("u1")).test(10));
    }
}
