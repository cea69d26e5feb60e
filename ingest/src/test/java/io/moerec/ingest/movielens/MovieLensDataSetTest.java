package io.moerec.ingest.movielens;

import static io.moerec.ingest.domain.Genre.ACTION;
import static io.moerec.ingest.domain.Genre.ADVENTURE;
import static io.moerec.ingest.domain.Genre.ANIMATION;
import static io.moerec.ingest.domain.Genre.CHILDREN;
import static io.moerec.ingest.domain.Genre.COMEDY;
import static io.moerec.ingest.domain.Genre.CRIME;
import static io.moerec.ingest.domain.Genre.DRAMA;
import static io.moerec.ingest.domain.Genre.FANTASY;
import static io.moerec.ingest.domain.Genre.FILM_NOIR;
import static io.moerec.ingest.domain.Genre.MUSICAL;
import static io.moerec.ingest.domain.Genre.ROMANCE;
import static io.moerec.ingest.domain.Genre.SCI_FI;
import static io.moerec.ingest.domain.Genre.THRILLER;
import static io.moerec.ingest.domain.Genre.WESTERN;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.moerec.ingest.domain.EventType;
import io.moerec.ingest.domain.GenreSet;
import io.moerec.ingest.domain.Movie;
import io.moerec.ingest.domain.ViewingEvent;
import io.moerec.ingest.json.RejectReason;
import io.moerec.ingest.source.Parsed;
import io.moerec.ingest.source.RecordStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MovieLensDataSetTest {

    static Path fixture(String name) {
        try {
            return Path.of(MovieLensDataSetTest.class.getResource("/movielens/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static <T> List<Parsed<T>> drain(RecordStream<T> stream) {
        List<Parsed<T>> out = new ArrayList<>();
        try (stream) {
            stream.forEachRemaining(out::add);
        }
        return out;
    }

    static <T> List<T> values(List<Parsed<T>> parsed) {
        List<T> out = new ArrayList<>();
        for (Parsed<T> p : parsed) {
            if (p instanceof Parsed.Ok<T> ok) {
                out.add(ok.value());
            }
        }
        return out;
    }

    static <T> List<Parsed.Rejected<T>> rejected(List<Parsed<T>> parsed) {
        List<Parsed.Rejected<T>> out = new ArrayList<>();
        for (Parsed<T> p : parsed) {
            if (p instanceof Parsed.Rejected<T> r) {
                out.add(r);
            }
        }
        return out;
    }

    static Map<Long, Movie> byId(List<Movie> movies) {
        Map<Long, Movie> m = new TreeMap<>();
        movies.forEach(x -> m.put(x.movieId(), x));
        return m;
    }

    /** Each rating expands to COMPLETE then RATE with the same time; returns the RATE events. */
    static List<ViewingEvent> checkPairs(List<ViewingEvent> events) {
        assertEquals(0, events.size() % 2);
        List<ViewingEvent> rates = new ArrayList<>();
        for (int i = 0; i < events.size(); i += 2) {
            ViewingEvent c = events.get(i);
            ViewingEvent r = events.get(i + 1);
            assertEquals(EventType.COMPLETE, c.type());
            assertEquals(EventType.RATE, r.type());
            assertEquals(c.userId(), r.userId());
            assertEquals(c.movieId(), r.movieId());
            assertEquals(c.eventTime(), r.eventTime());
            assertEquals("ml-" + c.userId() + "-" + c.movieId() + "-c", c.eventId());
            assertEquals("ml-" + c.userId() + "-" + c.movieId() + "-r", r.eventId());
            assertNull(c.rating());
            rates.add(r);
        }
        for (int i = 1; i < events.size(); i++) {
            assertTrue(events.get(i - 1).eventTime() <= events.get(i).eventTime(), "ascending event time at " + i);
        }
        return rates;
    }

    static void assertRejected(Parsed.Rejected<?> r, String file, long line, RejectReason reason, String detailPart,
                               byte[] original) {
        assertEquals(file, r.source());
        assertEquals(line, r.position());
        assertEquals(reason, r.reason(), r.detail());
        assertTrue(r.detail().contains(detailPart), () -> "detail '" + r.detail() + "' should contain '" + detailPart + "'");
        assertArrayEquals(original, r.original(), () -> new String(r.original(), StandardCharsets.ISO_8859_1));
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    static void assertRate(ViewingEvent r, String user, long movie, long timeMs, double stars) {
        assertEquals(user, r.userId());
        assertEquals(movie, r.movieId());
        assertEquals(timeMs, r.eventTime());
        assertEquals(stars, r.rating());
    }

    @Test
    void ml100k() {
        MovieLensDataSet ds = MovieLensFormat.ML_100K.open(fixture("ml-100k"));
        assertInstanceOf(MovieLens100kDataSet.class, ds);

        List<Parsed<ViewingEvent>> events = drain(ds.events());
        List<Parsed.Rejected<ViewingEvent>> bad = rejected(events);
        assertEquals(4, bad.size());
        for (int i = 0; i < bad.size(); i++) {
            assertInstanceOf(Parsed.Rejected.class, events.get(i), "rejected lines come first");
        }
        // 10 lines, 1 blank: 5 valid ratings + 4 rejected = 9 lines read.
        List<ViewingEvent> ok = values(events);
        assertEquals(10, ok.size());
        assertRejected(bad.get(0), "u.data", 6, RejectReason.INVALID_ID, "movieId", ascii("3\tx\t4\t891717742"));
        assertRejected(bad.get(1), "u.data", 7, RejectReason.RATING_OUT_OF_RANGE, "6.0", ascii("3\t7\t6\t891717742"));
        assertRejected(bad.get(2), "u.data", 8, RejectReason.UNPARSEABLE_LINE, "expected 4 fields", ascii("3\t7\t4"));
        assertRejected(bad.get(3), "u.data", 9, RejectReason.TIMESTAMP_OUT_OF_RANGE, "12000", ascii("3\t1\t4\t12"));

        List<ViewingEvent> rates = checkPairs(ok);
        assertRate(rates.get(0), "2", 3, 875_747_190_000L, 2.0);
        assertRate(rates.get(1), "1", 1, 881_250_949_000L, 5.0);
        assertRate(rates.get(2), "2", 1, 881_250_949_000L, 4.0); // same time: user 1 before user 2
        assertRate(rates.get(3), "1", 2, 881_250_950_000L, 3.0);
        assertRate(rates.get(4), "3", 7, 891_717_742_000L, 1.0);
        assertEquals(4, ((Parsed.Ok<ViewingEvent>) events.get(4)).position(), "an event keeps its line number");

        List<Parsed<Movie>> movies = drain(ds.movies());
        Map<Long, Movie> m = byId(values(movies));
        assertEquals(5, m.size());
        assertEquals(new Movie(1, "Toy Story (1995)", 1995, GenreSet.of(ANIMATION, CHILDREN, COMEDY)), m.get(1L));
        assertEquals(new Movie(2, "Café au lait (1993)", 1993, GenreSet.of(COMEDY, ROMANCE)), m.get(2L));
        // No year in the title: the release date gives it.
        assertEquals(new Movie(3, "Léon (Professional, The)", 1994, GenreSet.of(ACTION, CRIME, DRAMA, THRILLER)), m.get(3L));
        assertEquals(new Movie(4, "unknown", null, GenreSet.EMPTY), m.get(4L));
        assertEquals(new Movie(7, "Western Noir (1950)", 1950, GenreSet.of(FILM_NOIR, WESTERN)), m.get(7L));
        List<Parsed.Rejected<Movie>> badMovies = rejected(movies);
        assertEquals(2, badMovies.size());
        assertEquals(5, badMovies.get(0).position());
        assertEquals(RejectReason.UNPARSEABLE_LINE, badMovies.get(0).reason());
        assertTrue(badMovies.get(0).detail().contains("genre flag 2 (Action) is '2'"), badMovies.get(0).detail());
        assertRejected(badMovies.get(1), "u.item", 6, RejectReason.UNPARSEABLE_LINE, "expected 24 fields",
                ascii("6|Too Few Fields (1990)|01-Jan-1990"));
    }

    @Test
    void ml1m() {
        MovieLensDataSet ds = MovieLensFormat.ML_1M.open(fixture("ml-1m"));
        assertInstanceOf(MovieLens1mDataSet.class, ds);

        List<Parsed<ViewingEvent>> events = drain(ds.events());
        List<Parsed.Rejected<ViewingEvent>> bad = rejected(events);
        assertEquals(5, bad.size());
        assertEquals(10, values(events).size());
        assertRejected(bad.get(0), "ratings.dat", 5, RejectReason.UNPARSEABLE_LINE, "expected 4 fields separated by '::', found 3",
                ascii("1::1193::5"));
        assertRejected(bad.get(1), "ratings.dat", 6, RejectReason.INVALID_ID, "field 'userId' is 'abc'",
                ascii("abc::1::5::978300760"));
        assertRejected(bad.get(2), "ratings.dat", 7, RejectReason.RATING_OUT_OF_RANGE, "rating", ascii("1::1::0::978300760"));
        assertRejected(bad.get(3), "ratings.dat", 8, RejectReason.NEGATIVE_TIMESTAMP, "eventTime", ascii("1::2::5::-978300760"));
        assertRejected(bad.get(4), "ratings.dat", 9, RejectReason.UNPARSEABLE_LINE, "field 'timestamp' is '97830076x'",
                ascii("1::3::5::97830076x"));

        List<ViewingEvent> rates = checkPairs(values(events));
        assertRate(rates.get(0), "6040", 3409, 956_703_932_000L, 2.0);
        assertRate(rates.get(1), "2", 3408, 978_300_275_000L, 4.0);
        assertRate(rates.get(2), "1", 1193, 978_300_760_000L, 5.0);
        assertRate(rates.get(3), "2", 1193, 978_300_760_000L, 4.0);
        assertRate(rates.get(4), "1", 661, 978_302_109_000L, 3.0);

        List<Parsed<Movie>> movies = drain(ds.movies());
        Map<Long, Movie> m = byId(values(movies));
        assertEquals(5, m.size());
        assertEquals(new Movie(1193, "One Flew Over the Cuckoo's Nest (1975)", 1975, GenreSet.of(DRAMA)), m.get(1193L));
        assertEquals(new Movie(661, "James and the Giant Peach (1996)", 1996, GenreSet.of(ANIMATION, CHILDREN, MUSICAL)),
                m.get(661L));
        assertEquals(new Movie(3408, "Léon: The Professional (1994)", 1994, GenreSet.of(ACTION, CRIME, DRAMA, THRILLER)),
                m.get(3408L));
        assertEquals(new Movie(3409, "Über Café (1999)", 1999, GenreSet.of(SCI_FI)), m.get(3409L), "IMAX is dropped");
        assertEquals(new Movie(11, "No Year", null, GenreSet.EMPTY), m.get(11L));
        List<Parsed.Rejected<Movie>> badMovies = rejected(movies);
        assertEquals(2, badMovies.size());
        assertRejected(badMovies.get(0), "movies.dat", 5, RejectReason.UNKNOWN_GENRE, "'Spaghetti'",
                ascii("9::Bad Genre (1995)::Comedy|Spaghetti"));
        assertRejected(badMovies.get(1), "movies.dat", 6, RejectReason.MISSING_FIELD, "title", ascii("10::::Drama"));
    }

    @Test
    void ml1mTitlesAreDecodedAsLatin1() throws Exception {
        byte[] file = Files.readAllBytes(fixture("ml-1m").resolve("movies.dat"));
        // "Léon" is one byte 0xE9 for é in ISO-8859-1 (two bytes in UTF-8): the fixture really is Latin-1.
        assertTrue(indexOf(file, new byte[] {'L', (byte) 0xE9, 'o', 'n'}) >= 0);
    }

    @Test
    void mlLatest() {
        MovieLensDataSet ds = MovieLensFormat.ML_LATEST.open(fixture("ml-latest"));
        assertInstanceOf(MovieLensLatestDataSet.class, ds);

        List<Parsed<ViewingEvent>> events = drain(ds.events());
        List<Parsed.Rejected<ViewingEvent>> bad = rejected(events);
        assertEquals(5, bad.size());
        assertEquals(8, values(events).size());
        // Original bytes exclude the CRLF terminator.
        assertRejected(bad.get(0), "ratings.csv", 5, RejectReason.UNPARSEABLE_LINE, "expected 4 fields separated by commas",
                ascii("1,2,4.0"));
        assertRejected(bad.get(1), "ratings.csv", 6, RejectReason.UNPARSEABLE_LINE, "field 'rating' is 'x'",
                ascii("1,2,x,964982703"));
        assertRejected(bad.get(2), "ratings.csv", 7, RejectReason.RATING_OUT_OF_RANGE, "5.5", ascii("1,2,5.5,964982703"));
        assertRejected(bad.get(3), "ratings.csv", 8, RejectReason.INVALID_ID, "movieId", ascii("1,0,4.0,964982703"));
        assertRejected(bad.get(4), "ratings.csv", 9, RejectReason.TIMESTAMP_OUT_OF_RANGE, "eventTime",
                ascii("1,2,4.0,1700000000000"));

        List<ViewingEvent> rates = checkPairs(values(events));
        assertRate(rates.get(0), "1", 3, 964_981_247_000L, 3.5);
        assertRate(rates.get(1), "2", 1, 964_981_247_000L, 0.5);
        assertRate(rates.get(2), "1", 1, 964_982_703_000L, 4.0);
        assertRate(rates.get(3), "10", 2, 1_700_000_000_000L, 5.0);

        List<Parsed<Movie>> movies = drain(ds.movies());
        Map<Long, Movie> m = byId(values(movies));
        assertEquals(6, m.size());
        assertEquals(new Movie(1, "Toy Story (1995)", 1995, GenreSet.of(ADVENTURE, ANIMATION, CHILDREN, COMEDY, FANTASY)),
                m.get(1L));
        assertEquals(new Movie(2, "Amélie, or \"Le Fabuleux Destin\" (2001)", 2001, GenreSet.of(COMEDY, ROMANCE)), m.get(2L));
        assertEquals(new Movie(3, "Grumpier Old Men, The (1995)", 1995, GenreSet.of(COMEDY, ROMANCE)), m.get(3L));
        assertEquals(new Movie(4, "Some Documentary Without Genres (2015)", 2015, GenreSet.EMPTY), m.get(4L));
        assertEquals(new Movie(5, "Babylon 5", null, GenreSet.of(SCI_FI)), m.get(5L));
        assertEquals(new Movie(10, "Heat (1995)", 1995, GenreSet.of(ACTION, CRIME, THRILLER)), m.get(10L));
        // The header is line 1 and the blank line 11 is skipped; positions are physical line numbers.
        assertEquals(List.of(2L, 3L, 4L, 5L, 6L, 12L),
                movies.stream().filter(p -> p instanceof Parsed.Ok).map(Parsed::position).toList());

        List<Parsed.Rejected<Movie>> badMovies = rejected(movies);
        assertEquals(4, badMovies.size());
        assertRejected(badMovies.get(0), "movies.csv", 7, RejectReason.UNPARSEABLE_LINE, "never closed",
                "6,\"Broken \"\"quote (2000),Drama".getBytes(StandardCharsets.UTF_8));
        assertRejected(badMovies.get(1), "movies.csv", 8, RejectReason.UNPARSEABLE_LINE, "quote inside an unquoted field",
                "7,Bad \"quote\" (2000),Drama".getBytes(StandardCharsets.UTF_8));
        assertRejected(badMovies.get(2), "movies.csv", 9, RejectReason.UNKNOWN_GENRE, "'Cyberpunk'",
                ascii("8,Weird Genre (2000),Comedy|Cyberpunk"));
        assertRejected(badMovies.get(3), "movies.csv", 10, RejectReason.INVALID_UTF8, "UTF-8",
                new byte[] {'9', ',', 'C', 'a', 'f', (byte) 0xE9, ' ', '(', '2', '0', '0', '0', ')', ',', 'C', 'o', 'm', 'e', 'd', 'y'});
    }

    @Test
    void aWrongHeaderIsRejectedNotSkipped(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("ratings.csv"), "user,movie,stars,ts\n1,1,4.0,964982703\n");
        Files.writeString(dir.resolve("movies.csv"), "\uFEFFmovieId,title,genres\n1,Toy Story (1995),Comedy\n");
        MovieLensDataSet ds = MovieLensFormat.ML_LATEST.open(dir);
        List<Parsed<ViewingEvent>> events = drain(ds.events());
        assertEquals(3, events.size());
        Parsed.Rejected<ViewingEvent> header = rejected(events).get(0);
        assertEquals(header, events.get(0), "the rejected header comes first");
        assertEquals(1, header.position());
        assertTrue(header.detail().contains("expected the header 'userId,movieId,rating,timestamp'"), header.detail());
        // A byte-order mark before the header is accepted.
        assertEquals(List.of(new Movie(1, "Toy Story (1995)", 1995, GenreSet.of(COMEDY))), values(drain(ds.movies())));
    }

    @Test
    void equalKeysKeepCompleteBeforeRateAndFileOrder(@TempDir Path dir) throws Exception {
        // Same user, movie and time twice (no release has this; the order must still be defined).
        Files.writeString(dir.resolve("u.data"), "5\t9\t4\t900000000\n5\t9\t2\t900000000\n4\t9\t1\t900000001\n");
        Files.writeString(dir.resolve("u.item"), "");
        List<ViewingEvent> ok = values(drain(MovieLensFormat.ML_100K.open(dir).events()));
        assertEquals(List.of(EventType.COMPLETE, EventType.COMPLETE, EventType.RATE, EventType.RATE, EventType.COMPLETE,
                EventType.RATE), ok.stream().map(ViewingEvent::type).toList());
        assertEquals(4.0, ok.get(2).rating());
        assertEquals(2.0, ok.get(3).rating());
        assertEquals("4", ok.get(4).userId());
    }

    @Test
    void sortsManyRatingsByTimeThenUserThenMovie(@TempDir Path dir) throws Exception {
        // Enough rows for several merge passes; pseudo-random keys with many ties.
        StringBuilder sb = new StringBuilder();
        long x = 12345;
        int n = 5000;
        for (int i = 0; i < n; i++) {
            x = x * 6364136223846793005L + 1442695040888963407L;
            int user = (int) ((x >>> 33) % 50) + 1;
            int movie = (int) ((x >>> 20) % 40) + 1;
            long t = 900_000_000L + (x >>> 40) % 30;
            sb.append(user).append("::").append(movie).append("::3::").append(t).append('\n');
        }
        Files.writeString(dir.resolve("ratings.dat"), sb);
        Files.writeString(dir.resolve("movies.dat"), "");
        List<ViewingEvent> ok = values(drain(MovieLensFormat.ML_1M.open(dir).events()));
        assertEquals(2 * n, ok.size());
        for (int i = 1; i < ok.size(); i++) {
            ViewingEvent a = ok.get(i - 1);
            ViewingEvent b = ok.get(i);
            int c = Long.compare(a.eventTime(), b.eventTime());
            if (c == 0) {
                c = Long.compare(Long.parseLong(a.userId()), Long.parseLong(b.userId()));
            }
            if (c == 0) {
                c = Long.compare(a.movieId(), b.movieId());
            }
            if (c == 0) {
                c = a.type().compareTo(b.type());
            }
            assertTrue(c <= 0, "order broken at " + i + ": " + a + " then " + b);
        }
    }

    /** Valid ratings (two events each) + rejected lines = lines read, header and blank lines excluded. */
    @Test
    void everyLineReadIsAccountedFor() throws Exception {
        for (MovieLensFormat f : MovieLensFormat.values()) {
            Path dir = fixture(f.cliName());
            List<Parsed<ViewingEvent>> events = drain(f.open(dir).events());
            long lines = dataLines(dir.resolve(f.ratingsFile()), f.ratingsHeader().isPresent());
            assertEquals(lines, values(events).size() / 2 + rejected(events).size(), f.cliName());
            List<Parsed<Movie>> movies = drain(f.open(dir).movies());
            assertEquals(dataLines(dir.resolve(f.moviesFile()), f.moviesHeader().isPresent()), movies.size(), f.cliName());
        }
    }

    private static long dataLines(Path file, boolean header) throws Exception {
        String text = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
        long n = text.lines().filter(l -> !l.isBlank()).count();
        return header ? n - 1 : n;
    }

    @Test
    void anOversizeLineIsRejectedWithItsFirstBytes(@TempDir Path dir) throws Exception {
        String huge = "1::1::5::978300760" + "9".repeat(100_000);
        Files.writeString(dir.resolve("ratings.dat"), "1::2::4::978300760\n" + huge + "\n");
        Files.writeString(dir.resolve("movies.dat"), "");
        List<Parsed<ViewingEvent>> events = drain(MovieLensFormat.ML_1M.open(dir).events());
        assertEquals(3, events.size());
        Parsed.Rejected<ViewingEvent> r = rejected(events).get(0);
        assertEquals(RejectReason.OVERSIZE, r.reason());
        assertEquals(2, r.position());
        assertEquals(LineReader.MAX_LINE_BYTES, r.original().length);
        assertTrue(r.detail().contains(Integer.toString(huge.length())), r.detail());
    }

    @Test
    void detectsEachLayout() {
        assertEquals(MovieLensFormat.ML_100K, MovieLensFormat.detect(fixture("ml-100k")).orElseThrow());
        assertEquals(MovieLensFormat.ML_1M, MovieLensFormat.detect(fixture("ml-1m")).orElseThrow());
        assertEquals(MovieLensFormat.ML_LATEST, MovieLensFormat.detect(fixture("ml-latest")).orElseThrow());
        assertEquals(MovieLensFormat.ML_LATEST, MovieLensFormat.fromName("ml-latest-small").orElseThrow());
        assertEquals(MovieLensFormat.ML_1M, MovieLensFormat.fromName("ML-1M").orElseThrow());
        assertTrue(MovieLensFormat.fromName("ml-20m").isEmpty());
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
