package io.moerec.jobs.replay;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.moerec.ingest.domain.ViewingEvent;
import io.moerec.ingest.json.HostileEventRecords;
import io.moerec.ingest.json.HostileEventRecords.Case;
import io.moerec.ingest.json.InvalidRecordException;
import io.moerec.ingest.json.RejectReason;
import io.moerec.ingest.json.StrictJson;
import io.moerec.ingest.json.ViewingEventCodec;
import io.moerec.ingest.replay.ReplayOptions;
import io.moerec.ingest.replay.ReplayProducers;
import io.moerec.ingest.replay.ReplaySummary;
import io.moerec.ingest.replay.Replayer;
import io.moerec.ingest.source.JsonLinesDataSet;
import io.moerec.ingest.topic.DeadLetters;
import io.moerec.ingest.topic.Topic;
import io.moerec.ingest.topic.Topics;
import io.moerec.jobs.broker.KafkaBrokerExtension;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The replay path end to end on a real broker, fed a seeded mix of 3,000 valid and hostile lines
 * ({@link HostileEventRecords}, a quarter bad, every kind) plus the size edges: a valid record of
 * exactly the 64 KiB limit, one byte over, and a 10 MiB line. Nothing may escape the replay; every
 * bad line is on the dead-letter topic with its original bytes (an oversized one with its first
 * limit+1), its reason, file and line; every good line is on the events topic, each user's in file
 * order; and sent + rejected = read, as the broker holds them.
 */
class ReplayFuzzKafkaTest {

    @RegisterExtension
    static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

    private static final int MAX = StrictJson.DEFAULT_MAX_RECORD_BYTES;
    private static final ViewingEventCodec CODEC = new ViewingEventCodec();

    @TempDir
    Path dir;

    @Test
    void everyGoodLineArrivesInUserOrderAndEveryBadOneIsDeadLetteredWithItsBytesAndReason() throws Exception {
        HostileEventRecords gen = new HostileEventRecords(20_261_123L, MAX, 40);
        List<byte[]> lines = new ArrayList<>();
        for (int i = 0; i < 3_000; i++) {
            lines.add(gen.next(0.75).asLine().bytes());
            if (i == 1_000) {
                lines.add(padded(gen.validEvent(), 10 * 1024 * 1024));
            } else if (i == 1_500) {
                lines.add(padded(gen.validEvent(), MAX));
            } else if (i == 2_000) {
                lines.add(padded(gen.validEvent(), MAX + 1));
            }
        }
        try (OutputStream out = Files.newOutputStream(dir.resolve(JsonLinesDataSet.EVENTS_FILE))) {
            for (byte[] l : lines) {
                out.write(l);
                out.write('\n');
            }
        }

        // The oracle: what the one shared decoder makes of each line, in file order.
        Map<String, List<ViewingEvent>> expectedByUser = new LinkedHashMap<>();
        List<Integer> badLines = new ArrayList<>();
        List<RejectReason> badReasons = new ArrayList<>();
        Map<RejectReason, Long> expectedRejected = new EnumMap<>(RejectReason.class);
        for (int i = 0; i < lines.size(); i++) {
            try {
                ViewingEvent e = CODEC.decode(lines.get(i));
                expectedByUser.computeIfAbsent(e.userId(), k -> new ArrayList<>()).add(e);
            } catch (InvalidRecordException e) {
                badLines.add(i);
                badReasons.add(e.reason());
                expectedRejected.merge(e.reason(), 1L, Long::sum);
            }
        }
        long expectedSent = lines.size() - badLines.size();
        assertTrue(badLines.size() > 600 && expectedRejected.size() >= 12, "a real mix: " + expectedRejected);
        assertEquals(RejectReason.OVERSIZE, badReasons.get(badLines.indexOf(1_001)), "the 10 MiB line");

        Topic<String, ViewingEvent> events = KAFKA.createUniqueTopic(Topics.VIEWING_EVENTS);
        String dlq = KAFKA.createUniqueTopic(Topics.VIEWING_EVENTS_DLQ).name();
        ReplaySummary summary;
        try (Producer<byte[], byte[]> producer = ReplayProducers.create(KAFKA.bootstrapServers())) {
            summary = new Replayer(producer, ReplayOptions.defaults().withTopic(events).withDlqTopic(dlq))
                    .replay(new JsonLinesDataSet(dir));
        }
        assertEquals(lines.size(), summary.read());
        assertEquals(expectedSent, summary.sent());
        assertEquals(expectedRejected, summary.rejected());

        // What the broker holds: per user, the decoded events in file order.
        Map<String, List<ViewingEvent>> onTopic = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : readAll(events.name(), expectedSent)) {
            ViewingEvent e = CODEC.decode(r.value());
            assertEquals(e.userId(), new String(r.key(), StandardCharsets.UTF_8));
            onTopic.computeIfAbsent(e.userId(), k -> new ArrayList<>()).add(e);
        }
        assertEquals(expectedByUser, onTopic);

        // The dead letters, one partition: file order, original bytes, reason and where from.
        List<ConsumerRecord<byte[], byte[]>> dead = readAll(dlq, badLines.size());
        for (int k = 0; k < dead.size(); k++) {
            ConsumerRecord<byte[], byte[]> r = dead.get(k);
            byte[] original = lines.get(badLines.get(k));
            byte[] kept = original.length > MAX ? Arrays.copyOf(original, MAX + 1) : original;
            assertNull(r.key());
            assertArrayEquals(kept, r.value(), "bytes of line " + (badLines.get(k) + 1));
            assertEquals(badReasons.get(k).name(), DeadLetters.header(r.headers(), DeadLetters.REASON));
            assertEquals(Integer.toString(badLines.get(k) + 1), DeadLetters.header(r.headers(), DeadLetters.POSITION));
            assertEquals(JsonLinesDataSet.EVENTS_FILE, DeadLetters.header(r.headers(), DeadLetters.SOURCE));
            assertEquals(Replayer.STAGE, DeadLetters.header(r.headers(), DeadLetters.STAGE));
            String detail = DeadLetters.header(r.headers(), DeadLetters.DETAIL);
            assertTrue(detail != null && !detail.isBlank() && detail.length() <= DeadLetters.MAX_DETAIL_CHARS + 3, detail);
        }
    }

    /** A valid event padded through its free-form context to exactly {@code size} bytes. */
    private static byte[] padded(ViewingEvent e, int size) {
        Map<String, String> f = HostileEventRecords.fields(e);
        f.put("context", "{\"pad\":\"\"}");
        int base = HostileEventRecords.render(f).length;
        f.put("context", "{\"pad\":\"" + "p".repeat(size - base) + "\"}");
        byte[] b = HostileEventRecords.render(f);
        assertEquals(size, b.length);
        return b;
    }

    /** Every record of a topic, partition by partition, once {@code expected} have arrived. */
    private static List<ConsumerRecord<byte[], byte[]>> readAll(String topic, long expected) {
        Properties p = new Properties();
        p.putAll(KAFKA.broker().clientProperties());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 1024 * 1024);
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> parts = c.partitionsFor(topic).stream()
                    .map(pi -> new TopicPartition(topic, pi.partition())).toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            // The replay has returned, so every record is acknowledged: the deadline only guards a hang.
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (out.size() < expected && System.nanoTime() < deadline) {
                c.poll(Duration.ofMillis(200)).forEach(out::add);
            }
            assertEquals(expected, out.size(), "records on " + topic);
            assertTrue(c.poll(Duration.ofMillis(200)).isEmpty(), "no more than expected on " + topic);
        }
        return out;
    }
}
