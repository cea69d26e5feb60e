package io.moerec.jobs.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.moerec.ingest.source.JsonLinesDataSet;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code moerec generate}, run as a user runs it (the demo runs in integration-tests: it starts child JVMs). */
class GenerateCommandTest {

    @TempDir
    Path tmp;

    @Test
    void generateIsDeterministicPerSeed() throws Exception {
        Path a = tmp.resolve("a");
        Path b = tmp.resolve("b");
        Path c = tmp.resolve("c");
        for (Path p : new Path[] {a, b}) {
            MoerecCliTest.Run r = MoerecCliTest.run("generate", p.toString(), "--events", "3000", "--users", "50", "--seed", "7");
            assertEquals(0, r.exit(), r.err());
            assertTrue(r.out().contains("generated 3,000 events"), r.out());
        }
        assertEquals(0, MoerecCliTest.run("generate", c.toString(), "--events", "3000", "--users", "50", "--seed", "8").exit());
        byte[] events = Files.readAllBytes(a.resolve(JsonLinesDataSet.EVENTS_FILE));
        assertArrayEquals(events, Files.readAllBytes(b.resolve(JsonLinesDataSet.EVENTS_FILE)));
        assertFalse(java.util.Arrays.equals(events, Files.readAllBytes(c.resolve(JsonLinesDataSet.EVENTS_FILE))));
    }
}
