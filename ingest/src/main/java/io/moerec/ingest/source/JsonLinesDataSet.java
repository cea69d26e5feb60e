package io.moerec.ingest.source;

import io.moerec.ingest.domain.Movie;
import io.moerec.ingest.domain.ViewingEvent;
import io.moerec.ingest.json.InvalidRecordException;
import io.moerec.ingest.json.JsonCodec;
import io.moerec.ingest.json.MovieCodec;
import io.moerec.ingest.json.ViewingEventCodec;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.NoSuchElementException;

/**
 * The project's own layout: a directory with {@value #MOVIES_FILE} and {@value #EVENTS_FILE}, one
 * JSON record per line in the wire format of the topics (so a line can be published as is). This is
 * what {@code moerec generate} writes and what recorded logs look like. Lines are read as raw bytes:
 * a line that is not valid UTF-8 or not a valid record becomes a {@link Parsed.Rejected} with the
 * exact original bytes. Lines longer than the codec's limit are rejected without being held whole.
 */
public final class JsonLinesDataSet implements DataSet {

    public static final String MOVIES_FILE = "movies.jsonl";
    public static final String EVENTS_FILE = "events.jsonl";

    private final Path dir;
    private final ViewingEventCodec eventCodec;
    private final MovieCodec movieCodec = new MovieCodec();

    public JsonLinesDataSet(Path dir) {
        this(dir, new ViewingEventCodec());
    }

    public JsonLinesDataSet(Path dir, ViewingEventCodec eventCodec) {
        this.dir = dir;
        this.eventCodec = eventCodec;
    }

    /** Whether {@code dir} holds this layout. */
    public static boolean isLayout(Path dir) {
        return Files.isRegularFile(dir.resolve(EVENTS_FILE));
    }

    @Override
    public String description() {
        return "moerec JSON lines at " + dir;
    }

    @Override
    public RecordStream<Movie> movies() {
        return new LineStream<>(dir.resolve(MOVIES_FILE), movieCodec, 1024 * 1024);
    }

    @Override
    public RecordStream<ViewingEvent> events() {
        return new LineStream<>(dir.resolve(EVENTS_FILE), eventCodec, eventCodec.maxBytes());
    }

    /** Reads one file line by line as bytes; blank lines are skipped (they carry nothing to lose). */
    static final class LineStream<T> implements RecordStream<T> {
        private final InputStream in;
        private final JsonCodec<T> codec;
        private final String source;
        private final int maxBytes;
        private long lineNo;
        private Parsed<T> next;
        private boolean eof;

        LineStream(Path file, JsonCodec<T> codec, int maxBytes) {
            try {
                this.in = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot open " + file, e);
            }
            this.codec = codec;
            this.source = file.getFileName().toString();
            this.maxBytes = maxBytes;
        }

        @Override
        public boolean hasNext() {
            while (next == null && !eof) {
                next = readLine();
            }
            return next != null;
        }

        @Override
        public Parsed<T> next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            Parsed<T> p = next;
            next = null;
            return p;
        }

        private Parsed<T> readLine() {
            ByteArrayOutputStream line = new ByteArrayOutputStream(256);
            long total = 0;
            try {
                int b;
                while ((b = in.read()) != -1 && b != '\n') {
                    total++;
                    if (total <= maxBytes + 1L) {
                        line.write(b);
                    }
                }
                if (b == -1) {
                    eof = true;
                    if (total == 0) {
                        return null;
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("reading " + source + " at line " + (lineNo + 1), e);
            }
            lineNo++;
            byte[] bytes = line.toByteArray();
            int len = bytes.length;
            if (len > 0 && bytes[len - 1] == '\r') {
                bytes = java.util.Arrays.copyOf(bytes, len - 1);
            }
            if (isBlank(bytes)) {
                return null;
            }
            if (total > maxBytes) {
                return new Parsed.Rejected<>(bytes, source, lineNo, io.moerec.ingest.json.RejectReason.OVERSIZE,
                        "line has " + total + " bytes, the limit is " + maxBytes + " (first " + bytes.length + " bytes kept)");
            }
            try {
                return new Parsed.Ok<>(codec.decode(bytes), source, lineNo);
            } catch (InvalidRecordException e) {
                return new Parsed.Rejected<>(bytes, source, lineNo, e.reason(), e.detail());
            }
        }

        private static boolean isBlank(byte[] bytes) {
            for (byte b : bytes) {
                if (b != ' ' && b != '\t') {
                    return false;
                }
            }
            return true;
        }

        @Override
        public void close() {
            try {
                in.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
