package io.moerec.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.moerec.ingest.domain.ViewingEvent;
import io.moerec.ingest.json.ViewingEventCodec;
import io.moerec.ingest.replay.ReplayOptions;
import io.moerec.ingest.replay.ReplayProducers;
import io.moerec.ingest.replay.ReplaySummary;
import io.moerec.ingest.replay.Replayer;
import io.moerec.ingest.source.JsonLinesDataSet;
import io.moerec.ingest.source.JsonLinesWriter;
import io.moerec.ingest.topic.DeadLetters;
import io.moerec.ingest.topic.Topic;
import io.moerec.ingest.topic.Topics;
import io.moerec.jobs.broker.KafkaBrokerExtension;
import io.moerec.jobs.testing.EventLogFixture;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Replay into a real embedded broker, read back with a plain consumer. */
class ReplayOnRealBrokerTest {

    @RegisterExtension
    static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

    static final Duration READ_TIMEOUT = Duration.ofSeconds(30);

    @Test
    void everyEventArrivesOnceInPerUserOrderAndEveryBadLineInTheDlq(@TempDir Path dir) throws Exception {
        EventLogFixture.Written log = EventLogFixture.write(dir, 3000, 50, 42, true, true);
        Topic<String, ViewingEvent> events = KAFKA.createUniqueTopic(Topics.VIEWING_EVENTS);
        Topic<byte[], byte[]> dlq = KAFKA.createUniqueTopic(Topics.VIEWING_EVENTS_DLQ);

        ReplaySummary summary;
        try (Producer<byte[], byte[]> producer = ReplayProducers.create(KAFKA.bootstrapServers())) {
            summary = new Replayer(producer, ReplayOptions.defaults().withTopic(events).withDlqTopic(dlq.name()))
                    .replay(new JsonLinesDataSet(dir));
        }
        assertEquals(log.lines(), summary.read());
        assertEquals(3000, summary.sent());
        assertEquals(EventLogFixture.BAD_LINES.size(), summary.rejectedTotal());
        assertEquals(summary.read(), summary.sent() + summary.rejectedTotal(), "sent + rejected = lines read");

        // Every valid event once, keyed by its user, and each user's events in source (event-time) order.
        ViewingEventCodec codec = new ViewingEventCodec();
        Map<String, List<String>> expectedByUser = new HashMap<>();
        for (ViewingEvent e : log.events()) {
            expectedByUser.computeIfAbsent(e.userId(), u -> new ArrayList<>()).add(e.eventId());
        }
        assertEquals(50, expectedByUser.size(), "the fixture covers every user");
        Map<String, List<String>> seenByUser = new HashMap<>();
        Map<String, Integer> partitionOfUser = new HashMap<>();
        Map<String, Long> lastTimeOfUser = new HashMap<>();
        Set<String> ids = new HashSet<>();
        List<ConsumerRecord<byte[], byte[]>> records = TopicReader.readAll(KAFKA.bootstrapServers(), events.name(), READ_TIMEOUT);
        records.sort((a, b) -> a.partition() != b.partition() ? Integer.compare(a.partition(), b.partition())
                : Long.compare(a.offset(), b.offset()));
        for (ConsumerRecord<byte[], byte[]> r : records) {
            ViewingEvent e = codec.decode(r.value());
            assertEquals(e.userId(), new String(r.key(), StandardCharsets.UTF_8), "key = user id");
            assertTrue(ids.add(e.eventId()), "duplicate " + e.eventId());
            Integer p = partitionOfUser.putIfAbsent(e.userId(), r.partition());
            assertTrue(p == null || p == r.partition(), "user " + e.userId() + " on one partition");
            Long last = lastTimeOfUser.put(e.userId(), e.eventTime());
            assertTrue(last == null || last <= e.eventTime(), "event time order of " + e.userId() + " at " + e.eventId());
            seenByUser.computeIfAbsent(e.userId(), u -> new ArrayList<>()).add(e.eventId());
        }
        assertEquals(3000, records.size(), "exactly the valid events, no more");
        assertEquals(expectedByUser, seenByUser, "same events per user, in the same order");

        // Every bad line once in the DLQ, with its original bytes, reason, file and line number.
        List<ConsumerRecord<byte[], byte[]>> dead = TopicReader.readAll(KAFKA.bootstrapServers(), dlq.name(), READ_TIMEOUT);
        assertEquals(log.badLines().size(), dead.size());
        Map<Long, ConsumerRecord<byte[], byte[]>> byLine = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : dead) {
            String pos = DeadLetters.header(r.headers(), DeadLetters.POSITION);
            assertNotNull(pos);
            byLine.put(Long.parseLong(pos), r);
        }
        for (EventLogFixture.BadLine bad : log.badLines()) {
            ConsumerRecord<byte[], byte[]> r = byLine.get(bad.lineNumber());
            assertNotNull(r, "line " + bad.lineNumber() + " in the DLQ");
            assertArrayEquals(bad.bytes(), r.value(), "original bytes of line " + bad.lineNumber());
            assertEquals(bad.reason().name(), DeadLetters.header(r.headers(), DeadLetters.REASON));
            assertEquals(JsonLinesDataSet.EVENTS_FILE, DeadLetters.header(r.headers(), DeadLetters.SOURCE));
            assertEquals(Replayer.STAGE, DeadLetters.header(r.headers(), DeadLetters.STAGE));
            assertNotNull(DeadLetters.header(r.headers(), DeadLetters.DETAIL));
        }
    }

    @Test
    void timeScaledReplayKeepsToThePaceWithinBounds(@TempDir Path dir) {
        // 21 events 500 ms apart: 10 s of event time, at speed 10 about 1 s of real time.
        try (JsonLinesWriter w = new JsonLinesWriter(dir)) {
            for (int i = 0; i <= 20; i++) {
                w.event(ViewingEvent.play("p" + i, "u" + (i % 3), 1 + i, EventLogFixture.START + i * 500L));
            }
        }
        Topic<String, ViewingEvent> events = KAFKA.createUniqueTopic(Topics.VIEWING_EVENTS);
        Topic<byte[], byte[]> dlq = KAFKA.createUniqueTopic(Topics.VIEWING_EVENTS_DLQ);
        ReplaySummary summary;
        long t0 = System.nanoTime();
        try (Producer<byte[], byte[]> producer = ReplayProducers.create(KAFKA.bootstrapServers())) {
            summary = new Replayer(producer, ReplayOptions.defaults().withTopic(events).withDlqTopic(dlq.name()).withSpeed(10))
                    .replay(new JsonLinesDataSet(dir));
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        assertEquals(21, summary.sent());
        // Lower bound is what pacing guarantees; the upper bound only catches "paced at speed 1"
        // (10 s) on a busy shared machine.
        assertTrue(summary.elapsed().toMillis() >= 800, "paced: " + summary.elapsed());
        assertTrue(seconds < 8, "not paced in real time: " + seconds + " s");
        assertEquals(21, TopicReader.readAll(KAFKA.bootstrapServers(), events.name(), READ_TIMEOUT).size());
    }
}
