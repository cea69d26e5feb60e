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
}
