package io.moerec.jobs.testing;

import io.moerec.ingest.domain.EventType;
import io.moerec.ingest.domain.Genre;
import io.moerec.ingest.domain.GenreSet;
import io.moerec.ingest.domain.Movie;
import io.moerec.ingest.domain.ViewingEvent;
import io.moerec.ingest.json.InvalidRecordException;
import io.moerec.ingest.json.RejectReason;
import io.moerec.ingest.json.ViewingEventCodec;
import io.moerec.ingest.source.JsonLinesDataSet;
import io.moerec.ingest.source.JsonLinesWriter;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Writes a seeded JSON-lines data set for tests and measurements: a small catalog and an event log of
 * {@code events} valid events over {@code users} users in ascending event time (all five event types),
 * with, when asked, one bad line of each kind in {@link #BAD_LINES} spread through the log. Streams to
 * disk; keeps the valid events in memory only when asked. Same seed, same bytes.
 */
public final class EventLogFixture {

    public static final long START = 1_700_000_000_000L;
    public static final int MOVIES = 200;

    /** Bad lines of different kinds; each must be rejected by the event codec. */
    public static final List<byte[]> BAD_LINES = List.of(
            utf8("{\"eventId\":\"bad-1\",\"userId\":\"u\",\"movieId\":1,"),                           // cut short
            utf8("{\"eventId\":\"bad-2\",\"userId\":\"u\",\"movieId\":1,\"type\":\"PAUSE\",\"eventTime\":1700000000000}"),
            utf8("{\"eventId\":\"bad-3\",\"userId\":\"u\",\"movieId\":1,\"type\":\"RATE\",\"eventTime\":1700000000000,\"rating\":9}"),
            utf8("{\"eventId\":\"bad-4\",\"userId\":\"u\",\"movieId\":1,\"type\":\"PLAY\",\"eventTime\":-5}"),
            utf8("{\"eventId\":\"bad-5\",\"movieId\":1,\"type\":\"PLAY\",\"eventTime\":1700000000000}"),
            new byte[] {'{', '"', 'e', (byte) 0xC3, (byte) 0x28, '"', ':', '1', '}'},                   // invalid UTF-8
            utf8("[1, 2, 3]"),
            utf8("{\"eventId\":\"bad-8\",\"userId\":\"u\",\"movieId\":1,\"type\":\"PLAY\",\"eventTime\":1700000000000,\"device\":\"tv\"}"),
            utf8("{\"eventId\":\"bad-9\",\"userId\":\"u\",\"movieId\":1,\"type\":\"PLAY\",\"eventTime\":1700000000}"),
            utf8("{\"eventId\":\"bad-10\",\"eventId\":\"again\",\"userId\":\"u\",\"movieId\":1,\"type\":\"PLAY\",\"eventTime\":1700000000000}"));

    /** A rejected line as written: its bytes, the codec's reason, and its 1-based line number. */
    public record BadLine(byte[] bytes, RejectReason reason, long lineNumber) {
    }

    /** What was written: valid events (empty unless kept), bad lines, and the total number of lines. */
    public record Written(Path dir, long validEvents, List<ViewingEvent> events, List<BadLine> badLines, long lines) {
    }

    private EventLogFixture() {
    }

    public static Written write(Path dir, int events, int users, long seed, boolean withBadLines, boolean keepEvents) {
        Random rnd = new Random(seed);
        ViewingEventCodec codec = new ViewingEventCodec();
        try (JsonLinesWriter catalog = new JsonLinesWriter(dir)) {
            Genre[] genres = Genre.values();
            for (int m = 1; m <= MOVIES; m++) {
                catalog.movie(new Movie(m, "Movie " + m + " (" + (1950 + m % 70) + ")", 1950 + m % 70,
                        GenreSet.of(genres[m % genres.length], genres[(m * 7) % genres.length])));
            }
        }
        List<ViewingEvent> kept = new ArrayList<>();
        List<BadLine> bad = new ArrayList<>();
        // Spread the bad lines evenly through the log.
        int badCount = withBadLines ? BAD_LINES.size() : 0;
        long every = badCount == 0 ? Long.MAX_VALUE : Math.max(1, events / badCount);
        long line = 0;
        long time = START;
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(dir.resolve(JsonLinesDataSet.EVENTS_FILE)), 1 << 16)) {
            int nextBad = 0;
            for (int i = 0; i < events; i++) {
                if (nextBad < badCount && i % every == every / 2) {
                    byte[] b = BAD_LINES.get(nextBad++);
                    writeLine(out, b);
                    bad.add(new BadLine(b, reasonOf(codec, b), ++line));
                }
                time += rnd.nextInt(2000);
                ViewingEvent e = event(rnd, i, "user-" + rnd.nextInt(users), 1 + rnd.nextInt(MOVIES), time);
                writeLine(out, codec.encode(e));
                line++;
                if (keepEvents) {
                    kept.add(e);
                }
            }
            while (nextBad < badCount) {
                byte[] b = BAD_LINES.get(nextBad++);
                writeLine(out, b);
                bad.add(new BadLine(b, reasonOf(codec, b), ++line));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new Written(dir, events, List.copyOf(kept), List.copyOf(bad), line);
    }

    private static ViewingEvent event(Random rnd, int i, String user, long movie, long time) {
        String id = "ev-" + i;
        EventType type = EventType.values()[rnd.nextInt(EventType.values().length)];
        return switch (type) {
            case PLAY -> ViewingEvent.play(id, user, movie, time);
            case COMPLETE -> ViewingEvent.complete(id, user, movie, time);
            case SKIP -> ViewingEvent.skip(id, user, movie, time);
            case RATE -> ViewingEvent.rate(id, user, movie, time, 0.5 * (1 + rnd.nextInt(10)));
            case PROGRESS -> ViewingEvent.progress(id, user, movie, time, rnd.nextInt(5400), 5400);
        };
    }

    private static RejectReason reasonOf(ViewingEventCodec codec, byte[] line) {
        try {
            codec.decode(line);
        } catch (InvalidRecordException e) {
            return e.reason();
        }
        throw new IllegalStateException("fixture bad line is accepted by the codec: " + new String(line, StandardCharsets.UTF_8));
    }

    private static void writeLine(OutputStream out, byte[] bytes) throws IOException {
        out.write(bytes);
        out.write('\n');
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
