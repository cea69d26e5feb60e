package io.moerec.jobs.testing;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The log file that {@code log4j2-test.properties} writes for the security tests: everything moerec
 * logs, and the Kafka clients', Kafka Streams', the broker's and the Flink Kafka connector's
 * configuration dumps at INFO (which the console does not show).
 */
public final class SecurityLog {

    public static final Path FILE = Path.of("target", "test-logs", "clients-and-moerec.log");

    private SecurityLog() {
    }

    public static String text() {
        try {
            return Files.readString(FILE, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("the test log " + FILE.toAbsolutePath() + " is missing: see log4j2-test.properties", e);
        }
    }

    /**
     * Asserts that no secret appears in the log, and that the log did see a masked JAAS setting, so
     * that the check is not vacuous (the configuration dumps were written).
     */
    public static void assertNoSecrets(String... secrets) {
        String log = text();
        for (String s : secrets) {
            assertFalse(log.contains(s), "a secret was written to " + FILE);
        }
        assertTrue(log.contains("sasl.jaas.config = [hidden]"), "the log holds no client configuration dump with a masked JAAS entry");
    }
}
