package io.moerec.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.moerec.ingest.topic.Topics;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * What Java can check of the Python consumer example (docker/examples/consumer): it reads the topic
 * of {@link Topics#RECOMMENDATIONS} and the very JSON Schema the ingest module ships, and it names the
 * Kafka client and the schema validator it needs. Running it needs a Python with confluent-kafka.
 */
class ConsumerExampleTest {

    static final Path EXAMPLE = Path.of(DockerComposeTest.property("moerec.docker.dir"), "examples", "consumer");

    @Test
    void readsTheRecommendationsTopicAndTheShippedSchema() throws Exception {
        String script = Files.readString(EXAMPLE.resolve("consume_recommendations.py"));
        assertEquals(Topics.RECOMMENDATIONS.name(), constant(script, "TOPIC", "\"([^\"]+)\""));
        // SCHEMA = <this file>.parents[N] / "<path>": parents[0] is the script's directory.
        Matcher m = Pattern.compile("SCHEMA = pathlib\\.Path\\(__file__\\)\\.resolve\\(\\)\\.parents\\[(\\d)\\] / \"([^\"]+)\"")
                .matcher(script);
        assertTrue(m.find(), "the SCHEMA line of the script");
        Path base = EXAMPLE;
        for (int up = Integer.parseInt(m.group(1)); up > 0; up--) {
            base = base.getParent();
        }
        Path schema = base.resolve(m.group(2));
        assertTrue(Files.isRegularFile(schema), schema + " exists");
        try (InputStream shipped = Topics.class.getResourceAsStream("/schemas/recommendation-list.schema.json")) {
            assertNotNull(shipped, "the schema on ingest's classpath");
            assertArrayEquals(shipped.readAllBytes(), Files.readAllBytes(schema), "the schema ingest ships");
        }
        String requirements = Files.readString(EXAMPLE.resolve("requirements.txt"));
        assertTrue(requirements.contains("confluent-kafka") && requirements.contains("jsonschema"), requirements);
        // The scoring app writes in transactions; a tombstone (null value) is a deleted user.
        assertTrue(script.contains("\"isolation.level\": \"read_committed\""), "read_committed");
        assertTrue(script.contains("if value is None"), "tombstones handled");
        assertTrue(Files.readString(EXAMPLE.resolve("README.md")).contains("kcat -C"), "the kcat one-liner");
    }

    private static String constant(String script, String name, String valuePattern) {
        Matcher m = Pattern.compile("(?m)^" + name + " = " + valuePattern).matcher(script);
        assertTrue(m.find(), name + " in the script");
        return m.group(1);
    }
}
