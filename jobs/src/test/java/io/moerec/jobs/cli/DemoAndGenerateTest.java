package io.moerec.jobs.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.moerec.ingest.source.JsonLinesDataSet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's first command and {@code moerec generate}, run as a user runs them. */
class DemoAndGenerateTest {

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

    @Test
    void demoRunsTheEmbeddedDefaultAndAccountsForEveryLine() throws Exception {
        Path work = tmp.resolve("demo");
        MoerecCliTest.Run r = MoerecCliTest.run("demo", "--events", "4000", "--users", "80", "--work-dir", work.toString());
        assertEquals(0, r.exit(), r.out() + r.err());
        assertTrue(r.out().contains("broker ready at 127.0.0.1:"), r.out());
        assertTrue(r.out().contains("viewing-events=4000"), r.out());
        assertTrue(r.out().contains("every line accounted for: yes"), r.out());
        assertTrue(r.out().contains("stopping the broker"), r.out());
        try (Stream<Path> files = Files.list(work)) {
            assertTrue(files.anyMatch(p -> p.getFileName().toString().equals("kafka")), "a given work dir is kept");
        }
    }

    @Test
    void demoReplaysAMovieLensDirectory() throws Exception {
        Path ml = tmp.resolve("ml");
        Files.createDirectories(ml);
        Files.writeString(ml.resolve("movies.csv"), "movieId,title,genres\r\n1,\"Heat, The (1995)\",Action|Crime\r\n2,Up (2009),Animation\r\n");
        Files.writeString(ml.resolve("ratings.csv"), "userId,movieId,rating,timestamp\r\n1,1,4.0,964982703\r\n1,2,9.0,964982704\r\n2,2,3.5,964982800\r\n");
        MoerecCliTest.Run r = MoerecCliTest.run("demo", "--movielens", ml.toString());
        assertEquals(0, r.exit(), r.out() + r.err());
        assertTrue(r.out().contains("movies=2, viewing-events=4, viewing-events-dlq=1"), r.out());
        assertTrue(r.out().contains("every line accounted for: yes"), r.out());
    }
}
