package io.moerec.ingest.datasets;

import io.moerec.ingest.json.StrictJson;
import io.moerec.ingest.json.ViewingEventCodec;
import io.moerec.ingest.movielens.MovieLensFormat;
import io.moerec.ingest.source.DataSet;
import io.moerec.ingest.source.JsonLinesDataSet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.StringJoiner;

/**
 * Opens a directory as the right {@link DataSet}: the format given by name ({@code jsonl},
 * {@code ml-100k}, {@code ml-1m}, {@code ml-latest}), or else the first layout whose files are
 * present, the moerec JSON-lines layout first and then the MovieLens layouts in
 * {@link MovieLensFormat} order. When nothing fits, an {@link IllegalArgumentException} names the
 * directory and every file that was looked for, so the user can see what is missing.
 */
public final class DataSets {

    /** The format name of {@link JsonLinesDataSet}. */
    public static final String JSON_LINES = "jsonl";

    private DataSets() {
    }

    /** Detects the layout of {@code dir}. */
    public static DataSet open(Path dir) {
        return open(dir, Optional.empty());
    }

    /**
     * Opens {@code dir} in the named format, or detects it when {@code format} is empty.
     *
     * @throws IllegalArgumentException if {@code dir} is not a directory, the name is not a known
     *                                  format, or the files of the format are not there
     */
    public static DataSet open(Path dir, Optional<String> format) {
        return open(dir, format, StrictJson.DEFAULT_MAX_RECORD_BYTES);
    }

    /**
     * {@link #open(Path, Optional)} with JSON-lines events of at most {@code maxRecordBytes} bytes a line
     * (longer ones are rejected as {@code OVERSIZE}); the MovieLens layouts have no such records.
     */
    public static DataSet open(Path dir, Optional<String> format, int maxRecordBytes) {
        ViewingEventCodec codec = new ViewingEventCodec(maxRecordBytes);
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("data set directory " + dir + " does not exist or is not a directory");
        }
        if (format.isPresent()) {
            String name = format.get().trim();
            if (name.equalsIgnoreCase(JSON_LINES)) {
                if (!JsonLinesDataSet.isLayout(dir)) {
                    throw new IllegalArgumentException("no " + JSON_LINES + " data set in " + dir + ": expected the file "
                            + JsonLinesDataSet.EVENTS_FILE + " (and " + JsonLinesDataSet.MOVIES_FILE + ")");
                }
                return new JsonLinesDataSet(dir, codec);
            }
            return MovieLensFormat.fromName(name)
                    .orElseThrow(() -> new IllegalArgumentException("unknown data set format '" + name + "'; known are "
                            + formatNames()))
                    .open(dir);
        }
        if (JsonLinesDataSet.isLayout(dir)) {
            return new JsonLinesDataSet(dir, codec);
        }
        return MovieLensFormat.detect(dir).<DataSet>map(f -> f.open(dir)).orElseThrow(() -> new IllegalArgumentException(
                "no known data set layout in " + dir + "; looked for " + lookedFor()));
    }

    /** The accepted format names, for help texts: {@code jsonl, ml-100k, ml-1m, ml-latest}. */
    public static String formatNames() {
        StringJoiner j = new StringJoiner(", ");
        j.add(JSON_LINES);
        for (MovieLensFormat f : MovieLensFormat.values()) {
            j.add(f.cliName());
        }
        return j.toString();
    }

    private static String lookedFor() {
        StringJoiner j = new StringJoiner("; ");
        j.add(JsonLinesDataSet.EVENTS_FILE + " (" + JSON_LINES + ")");
        for (MovieLensFormat f : MovieLensFormat.values()) {
            j.add(f.ratingsFile() + " + " + f.moviesFile() + " (" + f.cliName() + ")");
        }
        return j.toString();
    }
}
