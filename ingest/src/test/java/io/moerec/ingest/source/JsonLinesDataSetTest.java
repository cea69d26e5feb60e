package io.moerec.ingest.source;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.moerec.ingest.domain.Genre;
import io.moerec.ingest.domain.GenreSet;
import io.moerec.ingest.domain.Movie;
import io.moerec.ingest.domain.ViewingEvent;
import io.moerec.ingest.json.RejectReason;
import io.moerec.ingest.json.ViewingEventCodec;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JsonLinesDataSetTest {

    @TempDir
    Path dir;

    static <T> List<Parsed<T>> readAll(RecordStream<T> s) {
        List<Parsed<T>> out = new ArrayList<>();
        try (s) {
            s.forEachRemaining(out::add);
        }
        return out;
    }

    static <T> Parsed.Ok<T> ok(Parsed<T> p) {
        if (p instanceof Parsed.Ok<T> ok) {
            return ok;
        }
        return fail("expected a parsed value, got " + p);
    }

    static <T> Parsed.Rejected<T> rejected(Parsed<T> p) {
        if (p instanceof Parsed.Rejected<T> r) {
            return r;
        }
        return fail("expected a rejected line, got " + p);
    }

    @Test
    void writerOutputReadsBackInOrder() {
        List<ViewingEvent> events = List.of(ViewingEvent.play("e1", "u1", 1, 1_700_000_000_000L),
                ViewingEvent.rate("e2", "u2", 2, 1_700_000_000_001L, 4.5));
        try (JsonLinesWriter w = new JsonLinesWriter(dir)) {
            w.movie(new Movie(1, "A", 2000, GenreSet.of(Genre.DRAMA)));
            events.forEach(w::event);
        }
        JsonLinesDataSet ds = new JsonLinesDataSet(dir);
        assertTrue(JsonLinesDataSet.isLayout(dir));
        List<Parsed<ViewingEvent>> read = readAll(ds.events());
        assertEquals(2, read.size());
        for (int i = 0; i < events.size(); i++) {
            Parsed.Ok<ViewingEvent> ok = ok(read.get(i));
            assertEquals(events.get(i), ok.value());
            assertEquals(i + 1, ok.position());
        }
        assertEquals(1, readAll(ds.movies()).size());
    }

    @Test
    void badLinesAreKeptWithTheirBytesAndPositions() throws Exception {
        ViewingEventCodec codec = new ViewingEventCodec(256);
        byte[] good = codec.encode(ViewingEvent.play("e1", "u1", 1, 1_700_000_000_000L));
        byte[] garbage = {'{', 'x', (byte) 0xFF};
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        file.write(good);
        file.write("\r\n".getBytes(StandardCharsets.US_ASCII));      // CRLF is fine
        file.write("\n  \n".getBytes(StandardCharsets.US_ASCII));      // blank lines carry nothing
        file.write(garbage);
        file.write('\n');
        file.write(("{\"pad\":\"" + "y".repeat(1000) + "\"}\n").getBytes(StandardCharsets.US_ASCII));
        file.write(good);                                              // last line without newline
        Files.write(dir.resolve(JsonLinesDataSet.EVENTS_FILE), file.toByteArray());

        List<Parsed<ViewingEvent>> read = readAll(new JsonLinesDataSet(dir, codec).events());
        assertEquals(4, read.size());
        ok(read.get(0));
        Parsed.Rejected<ViewingEvent> bad = rejected(read.get(1));
        assertEquals(4, bad.position());
        assertArrayEquals(garbage, bad.original());
        assertEquals(RejectReason.INVALID_UTF8, bad.reason()); // UTF-8 is checked before syntax
        Parsed.Rejected<ViewingEvent> big = rejected(read.get(2));
        assertEquals(RejectReason.OVERSIZE, big.reason());
        assertEquals(5, big.position());
        assertTrue(big.original().length <= 257, "an oversize line is not held whole");
        Parsed.Ok<ViewingEvent> last = ok(read.get(3));
        assertEquals(6, last.position());
    }
}
