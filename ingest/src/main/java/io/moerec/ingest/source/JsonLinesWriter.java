package io.moerec.ingest.source;

import io.moerec.ingest.domain.Movie;
import io.moerec.ingest.domain.ViewingEvent;
import io.moerec.ingest.json.MovieCodec;
import io.moerec.ingest.json.ViewingEventCodec;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes a {@link JsonLinesDataSet} directory record by record (nothing is held in memory).
 * Output is byte-for-byte deterministic for the same records in the same order.
 */
public final class JsonLinesWriter implements AutoCloseable {

    private final OutputStream movies;
    private final OutputStream events;
    private final MovieCodec movieCodec = new MovieCodec();
    private final ViewingEventCodec eventCodec = new ViewingEventCodec();
    private long movieCount;
    private long eventCount;

    public JsonLinesWriter(Path dir) {
        try {
            Files.createDirectories(dir);
            this.movies = new BufferedOutputStream(Files.newOutputStream(dir.resolve(JsonLinesDataSet.MOVIES_FILE)), 1 << 16);
            this.events = new BufferedOutputStream(Files.newOutputStream(dir.resolve(JsonLinesDataSet.EVENTS_FILE)), 1 << 16);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create data set in " + dir, e);
        }
    }

    public void movie(Movie m) {
        write(movies, movieCodec.encode(m));
        movieCount++;
    }

    public void event(ViewingEvent e) {
        write(events, eventCodec.encode(e));
        eventCount++;
    }

    public long movieCount() {
        return movieCount;
    }

    public long eventCount() {
        return eventCount;
    }

    private static void write(OutputStream out, byte[] line) {
        try {
            out.write(line);
            out.write('\n');
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        try (OutputStream m = movies; OutputStream e = events) {
            m.flush();
            e.flush();
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }
}
