package io.moerec.ingest.replay;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.moerec.ingest.domain.Genre;
import io.moerec.ingest.domain.GenreSet;
import io.moerec.ingest.domain.Movie;
import io.moerec.ingest.domain.ViewingEvent;
import io.moerec.ingest.json.RejectReason;
import io.moerec.ingest.json.ViewingEventCodec;
import io.moerec.ingest.json.MovieCodec;
import io.moerec.ingest.source.JsonLinesDataSet;
import io.moerec.ingest.topic.DeadLetters;
import io.moerec.ingest.topic.Topics;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReplayerTest {

    static final long T = 1_700_000_000_000L;
    static final byte[] MALFORMED = "{\"eventId\": \"x\",".getBytes(StandardCharsets.UTF_8);
    static final byte[] BAD_TYPE = ("{\"eventId\":\"b\",\"userId\":\"u1\",\"movieId\":1,\"type\":\"PAUSE\",\"eventTime\":" + T + "}")
            .getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path dir;

    private List<ViewingEvent> writeLog() throws IOException {
        ViewingEventCodec codec = new ViewingEventCodec();
        List<ViewingEvent> events = List.of(
                ViewingEvent.play("e1", "u1", 10, T),
                ViewingEvent.play("e2", "u2", 11, T + 1000),
                ViewingEvent.complete("e3", "u1", 10, T + 2000),
                ViewingEvent.rate("e4", "u1", 10, T + 3000, 4.5));
        List<byte[]> lines = new ArrayList<>();
        lines.add(codec.encode(events.get(0)));
        lines.add(MALFORMED);
        lines.add(codec.encode(events.get(1)));
        lines.add(" ".getBytes(StandardCharsets.UTF_8)); // blank: not a record
        lines.add(codec.encode(events.get(2)));
        lines.add(BAD_TYPE);
        lines.add(codec.encode(events.get(3)));
        StringBuilder sb = new StringBuilder();
        for (byte[] l : lines) {
            sb.append(new String(l, StandardCharsets.UTF_8)).append('\n');
        }
        Files.writeString(dir.resolve(JsonLinesDataSet.EVENTS_FILE), sb);
        MovieCodec mc = new MovieCodec();
        Files.writeString(dir.resolve(JsonLinesDataSet.MOVIES_FILE),
                new String(mc.encode(new Movie(10, "Alien (1979)", 1979, GenreSet.of(Genre.HORROR, Genre.SCI_FI))), StandardCharsets.UTF_8)
                        + "\n{\"movieId\": -3}\n");
        return events;
    }

    @Test
    void sendsValidEventsInOrderAndRejectedLinesToTheDlq() throws Exception {
        List<ViewingEvent> events = writeLog();
        MockProducer<byte[], byte[]> producer = new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer());
        List<ReplayProgress> progress = new ArrayList<>();
        ReplaySummary s = new Replayer(producer, ReplayOptions.defaults().withExpectedRecords(6))
                .replay(new JsonLinesDataSet(dir), progress::add);

        assertEquals(6, s.read());
        assertEquals(4, s.sent());
        assertEquals(Map.of(RejectReason.MALFORMED_JSON, 1L, RejectReason.UNKNOWN_EVENT_TYPE, 1L), s.rejected());
        ReplayProgress last = progress.get(progress.size() - 1);
        assertEquals(6, last.read());
        assertEquals(4, last.sent());
        assertEquals(2, last.rejected());

        List<ProducerRecord<byte[], byte[]>> valid = new ArrayList<>();
        List<ProducerRecord<byte[], byte[]>> dlq = new ArrayList<>();
        for (ProducerRecord<byte[], byte[]> r : producer.history()) {
            (r.topic().equals(Topics.VIEWING_EVENTS.name()) ? valid : dlq).add(r);
        }
        ViewingEventCodec codec = new ViewingEventCodec();
        for (int i = 0; i < events.size(); i++) {
            assertEquals(events.get(i).userId(), new String(valid.get(i).key(), StandardCharsets.UTF_8));
            assertEquals(events.get(i), codec.decode(valid.get(i).value()));
        }
        assertEquals(Topics.VIEWING_EVENTS_DLQ.name(), dlq.get(0).topic());
        assertArrayEquals(MALFORMED, dlq.get(0).value());
        assertEquals("MALFORMED_JSON", DeadLetters.header(dlq.get(0).headers(), DeadLetters.REASON));
        assertEquals("2", DeadLetters.header(dlq.get(0).headers(), DeadLetters.POSITION));
        assertEquals(JsonLinesDataSet.EVENTS_FILE, DeadLetters.header(dlq.get(0).headers(), DeadLetters.SOURCE));
        assertEquals(Replayer.STAGE, DeadLetters.header(dlq.get(0).headers(), DeadLetters.STAGE));
        assertArrayEquals(BAD_TYPE, dlq.get(1).value());
        assertEquals("6", DeadLetters.header(dlq.get(1).headers(), DeadLetters.POSITION));
        assertTrue(DeadLetters.header(dlq.get(1).headers(), DeadLetters.DETAIL).contains("PAUSE"));
    }

    @Test
    void aFailedDeliveryStopsTheReplayLoudly() throws Exception {
        writeLog();
        MockProducer<byte[], byte[]> producer = new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer()) {
            @Override
            public synchronized Future<RecordMetadata> send(ProducerRecord<byte[], byte[]> record, Callback callback) {
                boolean fail = history().size() == 1;
                return super.send(record, (m, e) -> callback.onCompletion(m, fail ? new TimeoutException("broker gone") : e));
            }
        };
        ReplayException e = assertThrows(ReplayException.class,
                () -> new Replayer(producer, ReplayOptions.defaults()).replay(new JsonLinesDataSet(dir)));
        assertTrue(e.getMessage().contains("broker gone"), e.getMessage());
        assertTrue(e.read() < 6, "stopped early: " + e.getMessage());
    }

    @Test
    void aSynchronousSendErrorStopsTheReplay() throws Exception {
        writeLog();
        MockProducer<byte[], byte[]> producer = new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer());
        producer.sendException = new KafkaException("no metadata");
        ReplayException e = assertThrows(ReplayException.class,
                () -> new Replayer(producer, ReplayOptions.defaults()).replay(new JsonLinesDataSet(dir)));
        assertTrue(e.getMessage().contains("no metadata"), e.getMessage());
    }

    @Test
    void timeScaledReplayWaitsOnTheClockNotPerRecord() throws Exception {
        writeLog(); // events at +0, +1 s, +2 s, +3 s of event time
        FakeClock clock = new FakeClock();
        MockProducer<byte[], byte[]> producer = new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer());
        new Replayer(producer, ReplayOptions.defaults().withSpeed(2).withProgressInterval(Duration.ofMillis(100)), clock)
                .replay(new JsonLinesDataSet(dir));
        // 3 s of event time at speed 2 = 1.5 s; sleeps are capped, so several, ending exactly on time.
        assertEquals(1_500_000_000L, clock.now);
        assertTrue(clock.sleeps >= 8, "capped sleeps: " + clock.sleeps);
    }

    @Test
    void pacerNeverWaitsForOutOfOrderEvents() throws Exception {
        FakeClock clock = new FakeClock();
        Pacer pacer = new Pacer(10, clock);
        pacer.awaitDue(T, () -> { });
        pacer.awaitDue(T + 10_000, () -> { });
        assertEquals(1_000_000_000L, clock.now);
        pacer.awaitDue(T + 5_000, () -> { });
        assertEquals(1_000_000_000L, clock.now, "an event earlier than one already due goes at once");
    }

    @Test
    void fixedRateReplayIgnoresEventTimeAndKeepsTheSchedule() throws Exception {
        writeLog(); // four valid events, one second of event time apart
        FakeClock clock = new FakeClock();
        MockProducer<byte[], byte[]> producer = new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer());
        ReplaySummary s = new Replayer(producer, ReplayOptions.defaults().withRate(8), clock).replay(new JsonLinesDataSet(dir));
        // At 8 events/s the 4th event (n = 3) is due 3/8 s after the first, whatever the event times say.
        assertEquals(4, s.sent());
        assertEquals(375_000_000L, clock.now);
    }

    @Test
    void ratePacerCatchesUpWithoutWaitingAndDoesNotDrift() throws Exception {
        FakeClock clock = new FakeClock();
        Pacer pacer = new Pacer(Double.POSITIVE_INFINITY, 1000, clock);
        pacer.awaitDue(T, () -> { });
        assertEquals(0, clock.now, "the first event goes at once");
        clock.now = 5_000_000L; // the sender stalled 5 ms: events 1..5 are overdue and go at once
        for (int i = 0; i < 5; i++) {
            pacer.awaitDue(T, () -> { });
        }
        assertEquals(5_000_000L, clock.now);
        pacer.awaitDue(T, () -> { });
        assertEquals(6_000_000L, clock.now, "event 6 is due 6 ms after the start, not 1 ms after the stall");
        assertEquals(333_333_333L, Pacer.rateOffsetNanos(1, 3));
        assertEquals(3_600_000_000_000L, Pacer.rateOffsetNanos(3_600_000, 1000), "an hour at 1000/s");
    }

    @Test
    void optionsRejectBadValuesByName() {
        IllegalArgumentException r = assertThrows(IllegalArgumentException.class, () -> ReplayOptions.defaults().withRate(0));
        assertTrue(r.getMessage().startsWith("rate"), r.getMessage());
        IllegalArgumentException both = assertThrows(IllegalArgumentException.class,
                () -> ReplayOptions.defaults().withSpeed(60).withRate(100));
        assertTrue(both.getMessage().contains("exclude"), both.getMessage());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ReplayOptions.defaults().withSpeed(-1));
        assertTrue(e.getMessage().startsWith("speed"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ReplayOptions.defaults().withSpeed(Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> ReplayOptions.defaults().withDlqTopic(" "));
    }

    @Test
    void catalogLoadSendsMoviesByIdAndRejectsBadLines() throws Exception {
        writeLog();
        MockProducer<byte[], byte[]> producer = new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer());
        ReplaySummary s = new CatalogLoader(producer, Topics.MOVIES, Topics.VIEWING_EVENTS_DLQ.name()).load(new JsonLinesDataSet(dir));
        assertEquals(2, s.read());
        assertEquals(1, s.sent());
        assertEquals(1, s.rejectedTotal());
        ProducerRecord<byte[], byte[]> movie = producer.history().get(0);
        assertEquals(Topics.MOVIES.name(), movie.topic());
        assertEquals("10", new String(movie.key(), StandardCharsets.US_ASCII));
        ProducerRecord<byte[], byte[]> bad = producer.history().get(1);
        assertEquals(CatalogLoader.STAGE, DeadLetters.header(bad.headers(), DeadLetters.STAGE));
        assertEquals(JsonLinesDataSet.MOVIES_FILE, DeadLetters.header(bad.headers(), DeadLetters.SOURCE));
    }

    /** Time moves only when the code under test sleeps. */
    static final class FakeClock implements MonotonicClock {
        long now;
        int sleeps;

        @Override
        public long nanoTime() {
            return now;
        }

        @Override
        public void sleepNanos(long nanos) {
            sleeps++;
            now += nanos;
        }
    }
}
