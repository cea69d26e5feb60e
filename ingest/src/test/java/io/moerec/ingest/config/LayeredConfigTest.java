package io.moerec.ingest.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The key spec and its layered configuration: precedence, unknown keys, bad values, secrets. */
class LayeredConfigTest {

    static final ConfigSpec SPEC = ConfigSpec.builder()
            .environmentPrefix("APP_")
            .required("host", ValueParser.host(), "where to connect")
            .key("port", "8080", ValueParser.port(), "which port")
            .key("mode", "fast", ValueParser.oneOf("fast", "safe"), "how")
            .key("retry.enabled", "true", ValueParser.bool(), "whether to retry")
            .key("timeout-ms", "1000", ValueParser.longIn(0, 60_000, "0 = none"), "how long to wait")
            .key(ConfigKey.of("dir", "", ValueParser.optionalPath(), "where to write").showingDefault("(off)"))
            .key(ConfigKey.of("token", "", ValueParser.text(), "the access token").asSecret())
            .family("client.", "passed to the client", Set.of("password", "user"), name -> name.contains("password"))
            .build();

    @Test
    void eachLayerWinsOverTheOneBefore(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("app.properties");
        Files.writeString(file, "host=from-file\nport=1\nmode=safe\ntimeout-ms=5\n");
        Map<String, String> env = Map.of("APP_PORT", "2", "APP_MODE", "fast", "OTHER", "ignored");
        LayeredConfig c = SPEC.load(file, env, Map.of("port", "3"));
        assertEquals("from-file", c.get("host", String.class), "file over default");
        assertEquals(5L, c.get("timeout-ms", Long.class), "file over default");
        assertEquals("fast", c.get("mode", String.class), "environment over file");
        assertEquals(3, c.get("port", Integer.class), "-s over environment");
        assertTrue(c.get("retry.enabled", Boolean.class), "the default when no layer sets it");
        assertNull(c.get("dir", Path.class), "an optional key left unset");
        assertEquals("3", c.text("port"));
    }

    @Test
    void valuesAreTrimmedAndFamiliesPassedThroughWithoutTheirPrefix() {
        LayeredConfig c = SPEC.parse(Map.of("host", " h ", "client.user", " alice ", "client.anything", "x"));
        assertEquals("h", c.get("host", String.class));
        assertEquals(Map.of("user", "alice", "anything", "x"), c.family("client."));
        assertEquals(SPEC.parse(Map.of("host", "h", "client.user", "alice", "client.anything", "x")), c);
    }

    @Test
    void anUnknownKeyOrVariableStopsWithItsName() {
        IllegalArgumentException key = assertThrows(IllegalArgumentException.class,
                () -> SPEC.parse(Map.of("host", "h", "prot", "1")));
        assertTrue(key.getMessage().startsWith("unknown configuration key prot; known are [host, port,"), key.getMessage());
        assertTrue(key.getMessage().endsWith("and client.* keys"), key.getMessage());
        IllegalArgumentException variable = assertThrows(IllegalArgumentException.class,
                () -> SPEC.load(null, Map.of("APP_PROT", "1"), Map.of("host", "h")));
        assertTrue(variable.getMessage().contains("APP_PROT"), variable.getMessage());
        assertEquals(Map.of("client.user", "bob"), SPEC.fromEnvironment(Map.of("APP_CLIENT_USER", "bob")),
                "a family's known names have a variable");
    }

    @Test
    void aBadOrMissingValueStopsWithTheKeysName() {
        Map<String, String> bad = Map.of(
                "port", "port must be in [0, 65535], got 70000",
                "mode", "mode must be one of [fast, safe], got 'slow'",
                "retry.enabled", "retry.enabled must be true or false, got 'yes'",
                "timeout-ms", "timeout-ms (0 = none) must be in [0, 60000], got -1");
        Map<String, String> values = Map.of("port", "70000", "mode", "slow", "retry.enabled", "yes", "timeout-ms", "-1");
        bad.forEach((key, message) -> {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> SPEC.parse(Map.of("host", "h", key, values.get(key))));
            assertEquals(message, e.getMessage());
        });
        IllegalArgumentException text = assertThrows(IllegalArgumentException.class,
                () -> SPEC.parse(Map.of("host", "h", "port", "eighty")));
        assertEquals("port must be an integer, got 'eighty'", text.getMessage());
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class, () -> SPEC.parse(Map.of()));
        assertEquals("host is required", missing.getMessage());
    }

    @Test
    void secretsAreMaskedWhenPrintedAndNeverShownAsDefaults() {
        LayeredConfig c = SPEC.parse(Map.of("host", "h", "token", "t0ken-1", "client.password", "pw-2", "client.user", "alice"));
        assertEquals("t0ken-1", c.get("token", String.class), "the app gets the value");
        String printed = c.toString();
        assertFalse(printed.contains("t0ken-1") || printed.contains("pw-2"), printed);
        assertTrue(printed.contains("token=[hidden]") && printed.contains("client.password=[hidden]"), printed);
        assertTrue(printed.contains("client.user=alice") && printed.contains("host=h"), printed);
        String table = SPEC.markdown("App configuration");
        assertTrue(table.contains("| `token` | (secret) |  | the access token |"), table);
    }

    @Test
    void theReferenceTableHasOneRowPerKeyAndFamilyAndSaysHowKeysAreGiven() {
        String table = SPEC.markdown("App configuration");
        assertTrue(table.startsWith("# App configuration\n\n"), table);
        assertTrue(table.contains("`APP_<KEY>`") && table.contains("`-s key=value`") && table.contains("`--config`"), table);
        assertTrue(table.contains("| `host` | (required) |  | where to connect |"), table);
        assertTrue(table.contains("| `port` | `8080` | 0 to 65535 | which port |"), table);
        assertTrue(table.contains("| `mode` | `fast` | `fast`, `safe` | how |"), table);
        assertTrue(table.contains("| `timeout-ms` | `1000` | 0 to 60000 (0 = none) | how long to wait |"), table);
        assertTrue(table.contains("| `dir` | (off) |  | where to write |"), table);
        assertTrue(table.contains("| `client.<name>` | (none) | | passed to the client |"), table);
        assertEquals(SPEC.keys().size() + SPEC.families().size() + 2, table.lines().filter(l -> l.startsWith("|")).count());
    }

    @Test
    void aKeyIsDeclaredOnceWithOneLineOfDocumentation() {
        assertThrows(IllegalArgumentException.class, () -> ConfigSpec.builder().key("a", "1", ValueParser.anyInt(), "x")
                .key("a", "2", ValueParser.anyInt(), "y"));
        assertThrows(IllegalArgumentException.class, () -> ConfigKey.of("a", "1", ValueParser.anyInt(), "two\nlines"));
        ConfigSpec included = ConfigSpec.builder().key("b", "2", ValueParser.anyInt(), "b").include(
                ConfigSpec.builder().key("a", "1", ValueParser.anyInt(), "a").build()).build();
        assertEquals(Map.of("b", "2", "a", "1"), included.defaults());
        assertEquals("APP_RETRY_ENABLED", SPEC.environmentVariable("retry.enabled"));
        assertEquals("APP_TIMEOUT_MS", LayeredConfig.environmentVariable("APP_", "timeout-ms"));
    }
}
