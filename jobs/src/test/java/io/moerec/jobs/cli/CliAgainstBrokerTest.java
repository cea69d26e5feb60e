package io.moerec.jobs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.moerec.ingest.domain.ViewingEvent;
import io.moerec.ingest.json.ViewingEventCodec;
import io.moerec.jobs.broker.KafkaBrokerExtension;
import io.moerec.jobs.testing.EventLogFixture;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The CLI's replay and catalog load end to end on a real broker; their summaries tell the counts. */
class CliAgainstBrokerTest {

    @RegisterExtension
    static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

    @Test
    void replayAndCatalogLoadPublishAndSummarise(@TempDir Path dir) {
        EventLogFixture.Written log = EventLogFixture.write(dir, 500, 20, 7, true, false);
        String events = KAFKA.uniqueName("events");
        String dlq = KAFKA.uniqueName("dlq");

        MoerecCliTest.Run replay = MoerecCliTest.run("replay", dir.resolve("events.jsonl").toString(),
                "--bootstrap", KAFKA.bootstrapServers(), "--topic", events, "--dlq-topic", dlq);
        assertEquals(0, replay.exit(), replay.err());
        assertTrue(replay.out().contains("sent 500, rejected " + log.badLines().size() + " ("), replay.out());
        assertTrue(replay.out().contains(log.lines() + " lines read"), replay.out());
        assertTrue(replay.out().contains("MALFORMED_JSON 1"), replay.out());
        assertTrue(replay.out().contains(" s, ") && replay.out().contains(" events/s"), replay.out());

        MoerecCliTest.Run load = MoerecCliTest.run("catalog", "load", dir.toString(),
                "--bootstrap", KAFKA.bootstrapServers(), "--topic", KAFKA.uniqueName("movies"), "--dlq-topic", dlq);
        assertEquals(0, load.exit(), load.err());
        assertTrue(load.out().contains("sent " + EventLogFixture.MOVIES + ", rejected 0, "), load.out());
    }

    @Test
    void replayDeadLettersALineJustOverItsRecordLimitAndSendsOneAtIt(@TempDir Path dir) throws Exception {
        ViewingEventCodec codec = new ViewingEventCodec();
        String at = pad(codec.encode(ViewingEvent.play("e1", "u1", 1, 1_700_000_000_000L)), 300);
        String over = pad(codec.encode(ViewingEvent.play("e2", "u1", 2, 1_700_000_000_001L)), 301);
        Files.writeString(dir.resolve("events.jsonl"), at + "\n" + over + "\n");
        String dlq = KAFKA.uniqueName("dlq");
        MoerecCliTest.Run replay = MoerecCliTest.run("replay", dir.toString(), "--bootstrap", KAFKA.bootstrapServers(),
                "--topic", KAFKA.uniqueName("events"), "--dlq-topic", dlq, "--max-record-bytes", "300");
        assertEquals(0, replay.exit(), replay.err());
        assertTrue(replay.out().contains("sent 1, rejected 1 (OVERSIZE 1)"), replay.out());
    }

    /** The JSON followed by spaces (still valid) up to {@code size} bytes. */
    private static String pad(byte[] json, int size) {
        return new String(json, StandardCharsets.UTF_8) + " ".repeat(size - json.length);
    }
}
