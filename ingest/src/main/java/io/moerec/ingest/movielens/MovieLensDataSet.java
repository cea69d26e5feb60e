package io.moerec.ingest.movielens;

import io.moerec.ingest.domain.Movie;
import io.moerec.ingest.domain.ViewingEvent;
import io.moerec.ingest.json.EventRules;
import io.moerec.ingest.json.InvalidRecordException;
import io.moerec.ingest.json.RejectReason;
import io.moerec.ingest.source.DataSet;
import io.moerec.ingest.source.Parsed;
import io.moerec.ingest.source.RecordStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A MovieLens release on disk as a {@link DataSet}. Each valid rating line becomes two events at the
 * rating's time (epoch seconds × 1000): a {@code COMPLETE} with id {@code ml-<user>-<movie>-c},
 * then a {@code RATE} with id {@code ml-<user>-<movie>-r}; the user id is the decimal MovieLens
 * user id. {@link #events()} reads and validates the whole ratings file, delivers every rejected line
 * first (in file order), then the events in ascending event time, ties broken by numeric user id,
 * movie id, event type ({@code COMPLETE} before {@code RATE}) and finally file order. {@link #movies()}
 * streams the catalog in file order, rejected lines in place. Header and blank lines are skipped;
 * every other line yields exactly one {@link Parsed.Rejected} or valid rating (two events) or movie,
 * so valid ratings + rejected = lines read. Event ids assume what every release guarantees: at most
 * one rating per user and movie.
 */
public abstract sealed class MovieLensDataSet implements DataSet
        permits MovieLens100kDataSet, MovieLens1mDataSet, MovieLensLatestDataSet {

    private static final Logger LOG = LoggerFactory.getLogger(MovieLensDataSet.class);
    /** Shortest rating line in any release ("1::1::5::978300760" is 19 bytes); sizes the arrays once. */
    private static final int MIN_BYTES_PER_RATING = 16;

    private final Path dir;
    private final MovieLensFormat format;
    private final Path ratingsPath;
    private final Path moviesPath;

    MovieLensDataSet(Path dir, MovieLensFormat format) {
        this(dir, format, dir.resolve(format.ratingsFile()), dir.resolve(format.moviesFile()));
    }

    /** Explicit files: split files such as ml-100k's {@code u1.base} / {@code u1.test} next to their catalog. */
    MovieLensDataSet(Path dir, MovieLensFormat format, Path ratingsPath, Path moviesPath) {
        this.dir = dir;
        this.format = format;
        this.ratingsPath = ratingsPath;
        this.moviesPath = moviesPath;
    }

    public MovieLensFormat format() {
        return format;
    }

    public Path directory() {
        return dir;
    }

    @Override
    public String description() {
        if (ratingsPath.equals(dir.resolve(format.ratingsFile())) && moviesPath.equals(dir.resolve(format.moviesFile()))) {
            return "MovieLens " + format.cliName() + " at " + dir;
        }
        return "MovieLens " + format.cliName() + " ratings " + ratingsPath + ", movies " + moviesPath;
    }

    /** Splits a ratings line into user id, movie id, rating and timestamp, checking the field count. */
    abstract List<String> ratingFields(String line) throws InvalidRecordException;

    /** Parses and validates one movies line. */
    abstract Movie movie(String line) throws InvalidRecordException;

    @Override
    public RecordStream<Movie> movies() {
        return new MovieStream(new LineReader(moviesPath));
    }

    @Override
    public RecordStream<ViewingEvent> events() {
        long started = System.nanoTime();
        Path file = ratingsPath;
        RatingTable table = new RatingTable(expectedRatings(file));
        List<Parsed<ViewingEvent>> rejected = new ArrayList<>();
        try (LineReader r = new LineReader(file)) {
            boolean first = true;
            while (r.next()) {
                if (r.blank()) {
                    continue;
                }
                boolean header = first && format.ratingsHeader().isPresent();
                first = false;
                try {
                    if (header) {
                        checkHeader(r, format.ratingsHeader().get());
                    } else {
                        readRating(r, table);
                    }
                } catch (InvalidRecordException e) {
                    rejected.add(new Parsed.Rejected<>(r.copy(), r.fileName(), r.lineNumber(), e.reason(), e.detail()));
                }
            }
        }
        table.sort();
        LOG.info("{}: {} valid ratings ({} events), {} rejected lines, read and sorted in {} ms",
                description(), table.size(), 2L * table.size(), rejected.size(), (System.nanoTime() - started) / 1_000_000);
        return new EventStream(rejected, table, file.getFileName().toString());
    }

    private static int expectedRatings(Path file) {
        try {
            return (int) Math.min(Integer.MAX_VALUE - 16, Files.size(file) / MIN_BYTES_PER_RATING / 2);
        } catch (IOException e) {
            return 1024;
        }
    }

    private void readRating(LineReader r, RatingTable table) throws InvalidRecordException {
        String line = decodedLine(r);
        List<String> f = ratingFields(line);
        int user = MovieLensText.parseId("userId", f.get(0));
        int movie = MovieLensText.parseId("movieId", f.get(1));
        double stars = MovieLensText.parseRating(f.get(2));
        long timeMs = MovieLensText.parseTimestampMs(f.get(3));
        String userId = Integer.toString(user);
        // Both events go through the same rules as events arriving on Kafka; the RATE adds the range.
        EventRules.check(complete(userId, movie, timeMs));
        EventRules.check(rate(userId, movie, timeMs, stars));
        table.add(user, movie, stars, timeMs, r.lineNumber());
    }

    private String decodedLine(LineReader r) throws InvalidRecordException {
        if (r.oversize()) {
            throw new InvalidRecordException(RejectReason.OVERSIZE, "line has " + r.totalBytes()
                    + " bytes, the limit is " + LineReader.MAX_LINE_BYTES + " (first " + r.length() + " bytes kept)");
        }
        return MovieLensText.decode(r.buffer(), r.length(), format.charset());
    }

    private void checkHeader(LineReader r, String expected) throws InvalidRecordException {
        String line = decodedLine(r);
        // A UTF-8 byte-order mark is legal at the start of a CSV file and says nothing about the header.
        if (line.startsWith("\uFEFF")) {
            line = line.substring(1);
        }
        if (!line.trim().equals(expected)) {
            throw new InvalidRecordException(RejectReason.UNPARSEABLE_LINE,
                    "expected the header '" + expected + "' on the first line, found '" + MovieLensText.shown(line) + "'");
        }
    }

    private static ViewingEvent complete(String userId, int movie, long timeMs) {
        return ViewingEvent.complete("ml-" + userId + "-" + movie + "-c", userId, movie, timeMs);
    }

    private static ViewingEvent rate(String userId, int movie, long timeMs, double stars) {
        return ViewingEvent.rate("ml-" + userId + "-" + movie + "-r", userId, movie, timeMs, stars);
    }

    /** Rejected lines first, then each run of equal (time, user, movie): its COMPLETEs, then its RATEs. */
    private static final class EventStream implements RecordStream<ViewingEvent> {
        private final List<Parsed<ViewingEvent>> rejected;
        private final RatingTable table;
        private final String source;
        private int nextRejected;
        private int runStart;
        private int runEnd;
        private int cursor;
        private boolean rates;

        EventStream(List<Parsed<ViewingEvent>> rejected, RatingTable table, String source) {
            this.rejected = rejected;
            this.table = table;
            this.source = source;
        }

        @Override
        public boolean hasNext() {
            return nextRejected < rejected.size() || cursor < runEnd || (!rates && runEnd > runStart) || runEnd < table.size();
        }

        @Override
        public Parsed<ViewingEvent> next() {
            if (nextRejected < rejected.size()) {
                return rejected.get(nextRejected++);
            }
            if (cursor == runEnd) {
                if (!rates && runEnd > runStart) {
                    rates = true;
                    cursor = runStart;
                } else {
                    if (runEnd >= table.size()) {
                        throw new NoSuchElementException();
                    }
                    runStart = runEnd;
                    runEnd = runStart + 1;
                    int first = table.row(runStart);
                    while (runEnd < table.size() && table.compare(first, table.row(runEnd)) == 0) {
                        runEnd++;
                    }
                    cursor = runStart;
                    rates = false;
                }
            }
            int row = table.row(cursor++);
            String userId = Integer.toString(table.user(row));
            ViewingEvent e = rates
                    ? rate(userId, table.movie(row), table.timeMs(row), table.rating(row))
                    : complete(userId, table.movie(row), table.timeMs(row));
            return new Parsed.Ok<>(e, source, table.line(row));
        }

        @Override
        public void close() {
            // Everything was read when the stream was built; there is no file left open.
        }
    }

    /** Streams the movies file line by line. */
    private final class MovieStream implements RecordStream<Movie> {
        private final LineReader reader;
        private boolean first = true;
        private Parsed<Movie> next;
        private boolean done;

        MovieStream(LineReader reader) {
            this.reader = reader;
        }

        @Override
        public boolean hasNext() {
            while (next == null && !done) {
                if (!reader.next()) {
                    done = true;
                } else if (!reader.blank()) {
                    next = parseCurrent();
                }
            }
            return next != null;
        }

        private Parsed<Movie> parseCurrent() {
            boolean header = first && format.moviesHeader().isPresent();
            first = false;
            try {
                if (header) {
                    checkHeader(reader, format.moviesHeader().get());
                    return null;
                }
                return new Parsed.Ok<>(movie(decodedLine(reader)), reader.fileName(), reader.lineNumber());
            } catch (InvalidRecordException e) {
                return new Parsed.Rejected<>(reader.copy(), reader.fileName(), reader.lineNumber(), e.reason(), e.detail());
            }
        }

        @Override
        public Parsed<Movie> next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            Parsed<Movie> p = next;
            next = null;
            return p;
        }

        @Override
        public void close() {
            reader.close();
        }
    }
}
