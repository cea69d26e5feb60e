package io.moerec.ingest.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The check behind each app's ConfigurationReferenceTest: the module's committed CONFIGURATION.md is
 * the page its {@link ConfigSpec} generates, so the keys' defaults and descriptions have one source.
 * {@code -Dmoerec.config.regenerate=true} rewrites the file instead.
 */
public final class ConfigurationReference {

    /** The switch that rewrites the page from the spec. */
    public static final String REGENERATE = "moerec.config.regenerate";

    private ConfigurationReference() {
    }

    /**
     * Asserts that CONFIGURATION.md of the current directory (the module's, under Maven) is
     * {@code generated}; {@code module} and {@code spec} name the file and its source in the message.
     */
    public static void assertCommitted(String generated, String module, String spec) throws IOException {
        Path file = Path.of("CONFIGURATION.md");
        if (Boolean.getBoolean(REGENERATE)) {
            Files.writeString(file, generated, StandardCharsets.UTF_8);
        }
        assertEquals(generated, Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "",
                module + "/CONFIGURATION.md differs from " + spec + "; regenerate it with "
                        + "mvn -o -pl " + module + " -am test -Dtest=ConfigurationReferenceTest "
                        + "-Dsurefire.failIfNoSpecifiedTests=false -D" + REGENERATE + "=true");
    }
}
