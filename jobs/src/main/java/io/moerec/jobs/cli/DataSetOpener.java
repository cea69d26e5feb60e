package io.moerec.jobs.cli;

import io.moerec.ingest.datasets.DataSets;
import io.moerec.ingest.source.DataSet;
import io.moerec.ingest.source.JsonLinesDataSet;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The one place where the CLI turns a path (and an optional {@code --format}) into a {@link DataSet}:
 * any layout {@link DataSets#open} knows, and a JSON-lines events file standing for its directory.
 */
final class DataSetOpener {

    private DataSetOpener() {
    }

    /**
     * @throws IllegalArgumentException naming the path or the format when neither fits
     */
    static DataSet open(Path path, Optional<String> format) {
        return DataSets.open(jsonLinesDir(path), format);
    }

    /** {@link #open(Path, Optional)} with JSON-lines events of at most {@code maxRecordBytes} bytes a line. */
    static DataSet open(Path path, Optional<String> format, int maxRecordBytes) {
        return DataSets.open(jsonLinesDir(path), format, maxRecordBytes);
    }

    /** A directory as is; the events file stands for its directory. */
    private static Path jsonLinesDir(Path path) {
        if (Files.isRegularFile(path) && path.getFileName().toString().equals(JsonLinesDataSet.EVENTS_FILE)) {
            Path parent = path.toAbsolutePath().getParent();
            return parent == null ? path : parent;
        }
        return path;
    }

    /**
     * How many event lines the source has, for the progress bar's ETA: counted cheaply (newlines, not
     * parses) for JSON lines, unknown for other layouts.
     */
    static OptionalLong countEventLines(Path path) {
        Path events = jsonLinesDir(path).resolve(JsonLinesDataSet.EVENTS_FILE);
        if (!Files.isRegularFile(events)) {
            return OptionalLong.empty();
        }
        long lines = 0;
        byte[] buf = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(events)) {
            int n;
            while ((n = in.read(buf)) > 0) {
                for (int i = 0; i < n; i++) {
                    if (buf[i] == '\n') {
                        lines++;
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + events, e);
        }
        return OptionalLong.of(lines);
    }
}
