package io.moerec.features;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class FeatureConfigTest {

    @Test
    void defaultsAreTheDocumentedOnes() {
        FeatureConfig c = FeatureConfig.defaults();
        assertEquals(30L * 24 * 3600 * 1000, c.halfLifeMs());
        assertEquals(50, c.recentWatchesSize());
        assertEquals(180L * 24 * 3600 * 1000, c.stateTtlMs());
        assertEquals(c, FeatureConfig.fromMap(c.toMap()));
        assertEquals(c, FeatureConfig.fromMap(Map.of("other.key", "x")));
    }

    @Test
    void keysOverrideDefaults() {
        FeatureConfig c = FeatureConfig.fromMap(Map.of(FeatureConfig.HALF_LIFE_MS, "1000",
                FeatureConfig.RECENT_WATCHES_SIZE, " 7 "));
        assertEquals(1000, c.halfLifeMs());
        assertEquals(7, c.recentWatchesSize());
    }

    @Test
    void badValuesNameTheirKey() {
        assertMessageNames(FeatureConfig.HALF_LIFE_MS, Map.of(FeatureConfig.HALF_LIFE_MS, "0"));
        assertMessageNames(FeatureConfig.HALF_LIFE_MS, Map.of(FeatureConfig.HALF_LIFE_MS, "30d"));
        assertMessageNames(FeatureConfig.RECENT_WATCHES_SIZE, Map.of(FeatureConfig.RECENT_WATCHES_SIZE, "4294967346"));
        assertMessageNames(FeatureConfig.ALLOWED_LATENESS_MS, Map.of(FeatureConfig.ALLOWED_LATENESS_MS, "-1"));
        assertMessageNames(FeatureConfig.WEIGHT_SKIP, Map.of(FeatureConfig.WEIGHT_SKIP, "0.1"));
        assertMessageNames(FeatureConfig.WEIGHT_PLAY, Map.of(FeatureConfig.WEIGHT_PLAY, "NaN"));
        assertMessageNames(FeatureConfig.WEIGHT_PROGRESS_FULL, Map.of(FeatureConfig.WEIGHT_COMPLETE, "0.5"));
        assertMessageNames(FeatureConfig.RATING_PRIOR_MEAN, Map.of(FeatureConfig.RATING_PRIOR_MEAN, "6"));
        assertMessageNames("features.half-life", Map.of("features.half-life", "1"));
    }

    private static void assertMessageNames(String key, Map<String, String> settings) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FeatureConfig.fromMap(settings));
        assertTrue(e.getMessage().contains(key), e.getMessage());
    }
}
