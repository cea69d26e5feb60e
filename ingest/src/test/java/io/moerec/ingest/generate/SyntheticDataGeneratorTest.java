package io.moerec.ingest.generate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.moerec.ingest.datasets.DataSets;
import io.moerec.ingest.domain.EventType;
import io.moerec.ingest.domain.GenreSet;
import io.moerec.ingest.domain.Movie;
import io.moerec.ingest.domain.ViewingEvent;
import io.moerec.ingest.json.EventRules;
import io.moerec.ingest.json.MovieCodec;
import io.moerec.ingest.json.ViewingEventCodec;
import io.moerec.ingest.source.DataSet;
import io.moerec.ingest.source.JsonLinesDataSet;
import io.moerec.ingest.source.Parsed;
import io.moerec.ingest.source.RecordStream;
import java.io.BufferedReader;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SyntheticDataGeneratorTest {

    static final GeneratorConfig SMALL = GeneratorConfig.builder()
            .seed(7).users(300).movies(400).targetEvents(30_000).tasteClusters(5).spanDays(14).build();

    static final String[] FILES = {"movies.jsonl", "events.jsonl", "users.jsonl", "manifest.json"};

    static String sha256(Path file) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[1 << 16];
            int n;
            while ((n = in.read(buf)) > 0) {
                md.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }

    @Test
    void sameSeedSameBytesOtherSeedOtherBytes(@TempDir Path tmp) throws Exception {
        GeneratorConfig config = SMALL.toBuilder().targetEvents(5_000).build();
        new SyntheticDataGenerator(config).generate(tmp.resolve("a"));
        new SyntheticDataGenerator(config).generate(tmp.resolve("b"));
        new SyntheticDataGenerator(config.toBuilder().seed(8).build()).generate(tmp.resolve("c"));
        for (String f : FILES) {
            assertEquals(sha256(tmp.resolve("a").resolve(f)), sha256(tmp.resolve("b").resolve(f)), f);
            assertNotEquals(sha256(tmp.resolve("a").resolve(f)), sha256(tmp.resolve("c").resolve(f)), f);
        }
    }

    /**
     * Pins the bytes of a small run, so that a JDK upgrade or a refactoring that silently changes the
     * output fails here. After a deliberate change of behaviour, bump GENERATOR_VERSION and update
     * the hashes.
     */
    @Test
    void outputIsPinned(@TempDir Path dir) throws Exception {
        new SyntheticDataGenerator(GeneratorConfig.builder().seed(2026).users(40).movies(60).targetEvents(2_000)
                .tasteClusters(3).build()).generate(dir);
        assertEquals(1, SyntheticDataGenerator.GENERATOR_VERSION);
        assertEquals("abc99d40eaf01c0429f1c45cd01fa6ce05bbc266b7f8a95b2549f955f9d40461", sha256(dir.resolve("events.jsonl")));
        assertEquals("0241ee042cbba6be3290751b1114d01092c7e4dceb7cabf7156c482a352d0f4e", sha256(dir.resolve("movies.jsonl")));
    }

    @Test
    void writesAValidDataSetWithItsPlantedStructure(@TempDir Path dir) throws Exception {
        SyntheticDataGenerator gen = new SyntheticDataGenerator(SMALL);
        GenerationResult r = gen.generate(dir);
        assertEquals(SMALL.targetEvents(), r.events(), "exactly the target");
        assertEquals(SMALL.movies(), r.movies());
        for (EventType t : EventType.values()) {
            assertTrue(r.eventsByType().get(t) > 0, () -> "no " + t + " events: " + r.eventsByType());
        }

        // Every line decodes strictly, time ascends, counts match the result.
        ViewingEventCodec codec = new ViewingEventCodec();
        Map<EventType, Long> seen = new EnumMap<>(EventType.class);
        Set<String> ids = new HashSet<>();
        long previous = Long.MIN_VALUE;
        long lines = 0;
        try (BufferedReader in = Files.newBufferedReader(dir.resolve("events.jsonl"), StandardCharsets.UTF_8)) {
            String line;
            while ((line = in.readLine()) != null) {
                ViewingEvent e = codec.decode(line.getBytes(StandardCharsets.UTF_8));
                assertTrue(e.eventTime() >= previous, "ascending event time at line " + (lines + 1));
                previous = e.eventTime();
                assertTrue(ids.add(e.eventId()), "unique event ids");
                seen.merge(e.type(), 1L, Long::sum);
                if (e.type() == EventType.PROGRESS) {
                    assertTrue(e.watchedSeconds() <= e.durationSeconds());
                }
                if (e.type() == EventType.RATE) {
                    assertEquals(0.0, e.rating() * 2 % 1.0, "0.5 steps");
                }
                lines++;
            }
        }
        assertEquals(SMALL.targetEvents(), lines);
        assertEquals(r.eventsByType(), seen);
        assertEquals(r.firstEventTime() >= SMALL.start().toEpochMilli(), true);
        assertEquals(previous, r.lastEventTime());
        // The span is a calibration target: the last event lands near its end.
        long spanEnd = SMALL.start().toEpochMilli() + SMALL.spanDays() * 86_400_000L;
        assertTrue(Math.abs(r.lastEventTime() - spanEnd) < 0.25 * SMALL.spanDays() * 86_400_000L,
                () -> "last event at " + Instant.ofEpochMilli(r.lastEventTime()));

        MovieCodec movieCodec = new MovieCodec();
        List<String> movieLines = Files.readAllLines(dir.resolve("movies.jsonl"));
        assertEquals(SMALL.movies(), movieLines.size());
        for (String line : movieLines) {
            assertNotNull(movieCodec.decode(line.getBytes(StandardCharsets.UTF_8)));
        }

        // The directory opens as the JSON-lines layout, and reads back without a single rejection.
        DataSet ds = DataSets.open(dir);
        assertInstanceOf(JsonLinesDataSet.class, ds);
        long ok = 0;
        try (RecordStream<ViewingEvent> s = ds.events()) {
            while (s.hasNext()) {
                assertInstanceOf(Parsed.Ok.class, s.next());
                ok++;
            }
        }
        assertEquals(SMALL.targetEvents(), ok);

        PlantedStructure read = PlantedStructure.read(dir);
        assertEquals(gen.plantedStructure(), read);
        assertEquals(SMALL.tasteClusters(), read.clusters().size());
        assertEquals(SMALL.users(), read.users());
        for (TasteCluster c : read.clusters()) {
            int size = c.plantedGenres().size();
            assertTrue(size == 2 || size == 3, c.toString());
        }
        assertEquals(read.clusterOfUser(41), read.clusterOf("u42").orElseThrow());
        assertEquals(read.cluster(read.clusterOfUser(41)).plantedGenres(), read.plantedGenresOf("u42").orElseThrow());
        assertTrue(read.clusterOf("u0").isEmpty());
        assertTrue(read.clusterOf("u" + (SMALL.users() + 1)).isEmpty());
    }

    /**
     * Planted structure: for every cluster, more than 60 % of its users' positive events (COMPLETE,
     * or RATE of 3.5 and up) are on movies of its planted genres, and that share beats the genre base
     * rate (the share of all users' positive events on those genres) by at least 25 points.
     */
    @Test
    void eachTasteClusterIsDominatedByItsPlantedGenres() {
        SyntheticDataGenerator gen = new SyntheticDataGenerator(SMALL);
        Map<Long, GenreSet> genres = new HashMap<>();
        List<ViewingEvent> positives = new ArrayList<>();
        gen.generate(m -> genres.put(m.movieId(), m.genres()), e -> {
            if (e.type() == EventType.COMPLETE || (e.type() == EventType.RATE && e.rating() >= 3.5)) {
                positives.add(e);
            }
        });
        PlantedStructure s = gen.plantedStructure();
        int k = s.clusters().size();
        long[] own = new long[k];
        long[] ownHits = new long[k];
        long[] allHits = new long[k];
        for (ViewingEvent e : positives) {
            int c = s.clusterOf(e.userId()).orElseThrow();
            int movieBits = genres.get(e.movieId()).bits();
            own[c]++;
            for (int x = 0; x < k; x++) {
                boolean hit = (movieBits & s.cluster(x).plantedGenres().bits()) != 0;
                if (hit) {
                    allHits[x]++;
                    if (x == c) {
                        ownHits[c]++;
                    }
                }
            }
        }
        for (int c = 0; c < k; c++) {
            double share = (double) ownHits[c] / own[c];
            double base = (double) allHits[c] / positives.size();
            String msg = "cluster " + c + " " + s.cluster(c).plantedGenres() + ": share " + share + ", base rate " + base;
            assertTrue(own[c] > 100, msg);
            assertTrue(share > 0.6, msg);
            assertTrue(share > base + 0.25, msg);
        }
    }

    @Test
    void ratingsFollowTaste() {
        SyntheticDataGenerator gen = new SyntheticDataGenerator(SMALL);
        Map<Long, Movie> movies = new HashMap<>();
        double[] sum = new double[2];
        long[] n = new long[2];
        PlantedStructure s = gen.plantedStructure();
        gen.generate(m -> movies.put(m.movieId(), m), e -> {
            if (e.type() == EventType.RATE) {
                GenreSet planted = s.cluster(s.clusterOf(e.userId()).orElseThrow()).plantedGenres();
                int on = (movies.get(e.movieId()).genres().bits() & planted.bits()) != 0 ? 1 : 0;
                sum[on] += e.rating();
                n[on]++;
            }
        });
        double onMean = sum[1] / n[1];
        double offMean = sum[0] / n[0];
        assertTrue(onMean > offMean + 1.0, "on-taste mean " + onMean + ", off-taste " + offMean);
    }

    @Test
    void skipsAreMostlyOffTaste() {
        SyntheticDataGenerator gen = new SyntheticDataGenerator(SMALL);
        Map<Long, GenreSet> genres = new HashMap<>();
        long[] skips = new long[2];
        PlantedStructure s = gen.plantedStructure();
        gen.generate(m -> genres.put(m.movieId(), m.genres()), e -> {
            if (e.type() == EventType.SKIP) {
                GenreSet planted = s.cluster(s.clusterOf(e.userId()).orElseThrow()).plantedGenres();
                skips[(genres.get(e.movieId()).bits() & planted.bits()) != 0 ? 1 : 0]++;
            }
        });
        assertTrue(skips[0] > 2 * skips[1], "off-taste skips " + skips[0] + ", on-taste " + skips[1]);
    }

    @Test
    void tinyAndEdgeConfigsWork() {
        for (GeneratorConfig c : List.of(
                GeneratorConfig.builder().seed(1).users(1).movies(18).targetEvents(1).tasteClusters(1).build(),
                GeneratorConfig.builder().seed(-3).users(20).movies(18).targetEvents(300).tasteClusters(20).build(),
                GeneratorConfig.builder().users(50).movies(100).targetEvents(2_000).zipfExponent(0).onTasteShare(1)
                        .meanMoviesPerSession(1).build(),
                GeneratorConfig.builder().users(5).movies(50).targetEvents(20_000).tasteClusters(2).spanDays(1).build())) {
            List<ViewingEvent> events = new ArrayList<>();
            GenerationResult r = new SyntheticDataGenerator(c).generate(m -> { }, events::add);
            assertEquals(c.targetEvents(), events.size(), c.toString());
            assertEquals(c.targetEvents(), r.events());
            for (ViewingEvent e : events) {
                assertEquals(e, assertDoesNotThrowChecked(e), c.toString());
            }
        }
    }

    private static ViewingEvent assertDoesNotThrowChecked(ViewingEvent e) {
        try {
            return EventRules.check(e);
        } catch (Exception ex) {
            throw new AssertionError(e + " is invalid: " + ex, ex);
        }
    }

    @Test
    void aLargerTargetKeepsTheSameCatalogAndClusters() {
        SyntheticDataGenerator a = new SyntheticDataGenerator(SMALL);
        SyntheticDataGenerator b = new SyntheticDataGenerator(SMALL.toBuilder().targetEvents(1_000_000).build());
        assertEquals(a.catalog(), b.catalog());
        assertEquals(a.plantedStructure(), b.plantedStructure());
    }

    static Stream<Arguments> badConfigs() {
        return Stream.of(
                Arguments.of("users", (UnaryOperator<GeneratorConfig.Builder>) b -> b.users(0)),
                Arguments.of("movies", (UnaryOperator<GeneratorConfig.Builder>) b -> b.movies(17)),
                Arguments.of("targetEvents", (UnaryOperator<GeneratorConfig.Builder>) b -> b.targetEvents(0)),
                Arguments.of("tasteClusters", (UnaryOperator<GeneratorConfig.Builder>) b -> b.tasteClusters(0)),
                Arguments.of("tasteClusters", (UnaryOperator<GeneratorConfig.Builder>) b -> b.users(3).tasteClusters(4)),
                Arguments.of("spanDays", (UnaryOperator<GeneratorConfig.Builder>) b -> b.spanDays(0)),
                Arguments.of("start", (UnaryOperator<GeneratorConfig.Builder>) b -> b.start(Instant.parse("1980-01-01T00:00:00Z"))),
                Arguments.of("start", (UnaryOperator<GeneratorConfig.Builder>) b -> b.start(null)),
                Arguments.of("zipfExponent", (UnaryOperator<GeneratorConfig.Builder>) b -> b.zipfExponent(-1)),
                Arguments.of("onTasteShare", (UnaryOperator<GeneratorConfig.Builder>) b -> b.onTasteShare(Double.NaN)),
                Arguments.of("meanMoviesPerSession", (UnaryOperator<GeneratorConfig.Builder>) b -> b.meanMoviesPerSession(0.5)));
    }

    @ParameterizedTest
    @MethodSource("badConfigs")
    void aBadValueNamesItsField(String field, UnaryOperator<GeneratorConfig.Builder> change) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> change.apply(GeneratorConfig.builder()).build());
        assertTrue(e.getMessage().startsWith(field + " "), e.getMessage());
    }

    @Test
    void defaultsAreDocumentedValues() {
        GeneratorConfig d = GeneratorConfig.defaults();
        assertEquals(42, d.seed());
        assertEquals(1_000, d.users());
        assertEquals(2_000, d.movies());
        assertEquals(100_000, d.targetEvents());
        assertEquals(6, d.tasteClusters());
        assertEquals(Instant.parse("2024-01-01T00:00:00Z"), d.start());
        assertEquals(30, d.spanDays());
        assertEquals(d, d.toBuilder().build());
    }
}
