package io.moerec.ingest.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigValuesTest {

    @Test
    void booleansAreTrueOrFalseInAnyCaseAndAnythingElseNamesTheKey() {
        assertTrue(ConfigValues.parseBoolean(Map.of("k", "true"), "k"));
        assertTrue(ConfigValues.parseBoolean(Map.of("k", " TRUE "), "k"));
        assertFalse(ConfigValues.parseBoolean(Map.of("k", "false"), "k"));
        for (String bad : new String[] {"yes", "1", "", "truee"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> ConfigValues.parseBoolean(Map.of("some.key", bad), "some.key"));
            assertEquals("some.key must be true or false, got '" + bad + "'", e.getMessage());
        }
        Map<String, String> missing = new HashMap<>();
        missing.put("k", null);
        assertThrows(IllegalArgumentException.class, () -> ConfigValues.parseBoolean(missing, "k"));
    }

    @Test
    void numbersNameTheKeyWhenMalformed() {
        assertEquals(42, ConfigValues.parseInt(Map.of("n", " 42 "), "n"));
        assertEquals(0.5, ConfigValues.parseDouble(Map.of("d", "0.5"), "d"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ConfigValues.parseLong(Map.of("n", "x"), "n"));
        assertTrue(e.getMessage().startsWith("n must be an integer"), e.getMessage());
    }

    @Test
    void sharedChecksNameTheKeyAndShowTheValue() {
        assertEquals(5, ConfigValues.requireInRange("k", 5, 1, 10));
        assertEquals("k must be in [1, 10], got 11", assertThrows(IllegalArgumentException.class,
                () -> ConfigValues.requireInRange("k", 11, 1, 10)).getMessage());
        assertEquals("r must be in [0.05, 0.9], got NaN", assertThrows(IllegalArgumentException.class,
                () -> ConfigValues.requireInRange("r", Double.NaN, 0.05, 0.9)).getMessage());
        assertEquals("k must be positive, got 0", assertThrows(IllegalArgumentException.class,
                () -> ConfigValues.requirePositive("k", 0)).getMessage());
        assertEquals("k must not be negative, got -1", assertThrows(IllegalArgumentException.class,
                () -> ConfigValues.requireNonNegative("k", -1)).getMessage());
        assertEquals("k must be at least 100, got 99", assertThrows(IllegalArgumentException.class,
                () -> ConfigValues.requireAtLeast("k", 99, 100)).getMessage());
        assertEquals("w must be a finite number, got Infinity", assertThrows(IllegalArgumentException.class,
                () -> ConfigValues.requireFinite("w", Double.POSITIVE_INFINITY)).getMessage());
        assertEquals("k is required", assertThrows(IllegalArgumentException.class,
                () -> ConfigValues.requireNonBlank("k", " ")).getMessage());
    }
}
