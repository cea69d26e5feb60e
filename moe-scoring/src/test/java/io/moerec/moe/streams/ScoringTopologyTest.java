package io.moerec.moe.streams;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.moerec.ingest.domain.Genre;
import io.moerec.ingest.domain.Movie;
import io.moerec.ingest.domain.RecommendationList;
import io.moerec.ingest.domain.RecommendationList.RecommendedItem;
import io.moerec.ingest.domain.UserPreferenceFeatures;
import io.moerec.ingest.json.UserFeaturesCodec;
import io.moerec.ingest.topic.Topics;
import io.moerec.moe.MoeModel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The scoring topology driven record by record with {@link TopologyTestDriver}. */
class ScoringTopologyTest {

    private static final long NOW = ScoringFixtures.T0 + 86_400_000L;

    @TempDir
    Path stateDir;

    private TopologyTestDriver driver;
    private SharedRocksDbMemory rocksDbMemory;
    private ScoringConfig config;
    private ModelHolder holder;
    private ScoringMetrics metrics;
    private NonPersonalList nonPersonal;
    private TestInputTopic<String, UserPreferenceFeatures> features;
    private TestInputTopic<Long, Movie> movies;
    private TestOutputTopic<String, RecommendationList> out;

    @BeforeAll
    static void train() {
        ScoringFixtures.ensure();
    }

    private void start(Map<String, String> extra, List<Movie> catalog) {
        Map<String, String> s = ScoringFixtures.settings("unused:9092", stateDir);
        s.putAll(extra);
        config = ScoringConfig.fromMap(s);
        holder = new ModelHolder(ScoringFixtures.modelA());
        metrics = new ScoringMetrics();
        nonPersonal = new NonPersonalList();
        Properties props = config.streamsProperties(0);
        if (ScoringConfig.boundsRocksDbMemory(props)) { // as ScoringApp does: the stores run with the app's default setter
            rocksDbMemory = config.newSharedRocksDbMemory();
            props.put(SharedRocksDbMemory.CONFIG, rocksDbMemory);
        }
        driver = new TopologyTestDriver(ScoringTopology.buildTopology(config, holder, metrics, new CatalogView(), () -> NOW,
                nonPersonal), props);
        features = driver.createInputTopic(config.featuresTopic(), Topics.USER_FEATURES.keySerde().serializer(),
                Topics.USER_FEATURES.valueSerde().serializer());
        movies = driver.createInputTopic(config.moviesTopic(), Topics.MOVIES.keySerde().serializer(), Topics.MOVIES.valueSerde().serializer());
        out = driver.createOutputTopic(config.recommendationsTopic(), Topics.RECOMMENDATIONS.keySerde().deserializer(),
                Topics.RECOMMENDATIONS.valueSerde().deserializer());
        for (Movie m : catalog) {
            movies.pipeInput(m.movieId(), m);
        }
    }

    private void start() {
        start(Map.of(), ScoringFixtures.catalog());
    }

    @AfterEach
    void close() {
        if (driver != null) {
            driver.close();
        }
        if (rocksDbMemory != null) {
            rocksDbMemory.close();
        }
    }

    private static Set<Long> ids(RecommendationList list) {
        return list.items().stream().map(RecommendedItem::movieId).collect(Collectors.toSet());
    }

    @Test
    void aFeaturesUpdateYieldsAListWithoutAnyWatchedMovie() {
        start();
        features.pipeInput("u1", ScoringFixtures.features("u1", Genre.COMEDY, new long[0], "e1", NOW), NOW);
        RecommendationList first = out.readValue();
        assertEquals(10, first.items().size());
        assertEquals(holder.current().version(), first.modelVersion());
        assertEquals("softmax", first.router());
        assertEquals("e1", first.triggerEventId());
        assertEquals(NOW, first.triggerEventTime());
        assertFalse(first.items().get(0).experts().isEmpty());
        // The user now watches the three best suggestions, then three more: the recent list no longer
        // holds the first three, the update's watched set does, and they must never come back.
        long[] top3 = first.items().stream().limit(3).mapToLong(RecommendedItem::movieId).toArray();
        features.pipeInput("u1", ScoringFixtures.features("u1", Genre.COMEDY, top3, "e2", NOW + 1), NOW + 1);
        long[] next3 = out.readValue().items().stream().limit(3).mapToLong(RecommendedItem::movieId).toArray();
        long[] six = java.util.stream.LongStream.concat(Arrays.stream(top3), Arrays.stream(next3)).toArray();
        features.pipeInput("u1", ScoringFixtures.features("u1", Genre.COMEDY, next3, six, "e3", NOW + 2), NOW + 2);
        RecommendationList third = out.readValue();
        for (long id : top3) {
            assertFalse(ids(third).contains(id), "watched movie " + id + " came back");
        }
        for (long id : next3) {
            assertFalse(ids(third).contains(id), "watched movie " + id + " recommended");
        }
    }

    @Test
    void theNonPersonalListIsWhatAUserWithNoEventsGetsAndFollowsTheCatalogWithoutAnyUpdate() {
        start();
        // Made when the task starts (here before the driver's catalog arrived) and rebuilt once a second
        // of wall-clock time when the catalog or the model moved, whether or not updates come.
        driver.advanceWallClockTime(ScoringProcessor.NON_PERSONAL_REFRESH);
        RecommendationList anyone = nonPersonal.forUser("new-user").orElseThrow();
        assertEquals("new-user", anyone.userId());
        assertEquals(10, anyone.items().size());
        assertEquals(holder.current().version(), anyone.modelVersion());
        // Exactly the list the scoring path makes for features without events.
        UserPreferenceFeatures blank = new UserPreferenceFeatures("blank", NOW, ScoringProcessor.NO_EVENTS.featureVersion(),
                new double[Genre.COUNT], 0.0, NOW, new long[0], new long[0], new long[io.moerec.ingest.domain.EventType.COUNT],
                "e1", NOW);
        features.pipeInput("blank", blank, NOW);
        assertEquals(anyone.items(), out.readValue().items());
        long top = anyone.items().get(0).movieId();
        movies.pipeInput(top, null);
        driver.advanceWallClockTime(ScoringProcessor.NON_PERSONAL_REFRESH);
        assertFalse(ids(nonPersonal.forUser("new-user").orElseThrow()).contains(top), "a movie gone from the catalog");
    }

    @Test
    void exactlyTheUpdatesWatchedSetIsExcludedWhateverCameBefore() {
        start();
        features.pipeInput("w1", ScoringFixtures.features("w1", Genre.COMEDY, new long[0], "e1", NOW), NOW);
        long[] top3 = out.readValue().items().stream().limit(3).mapToLong(RecommendedItem::movieId).toArray();
        // Only the latest update counts: one whose watched set holds the movies excludes them, even if no
        // earlier update was ever read (a compacted topic keeps only the latest per user).
        features.pipeInput("w2", ScoringFixtures.features("w2", Genre.COMEDY, new long[0], top3, "e2", NOW + 1), NOW + 1);
        RecommendationList w2 = out.readValue();
        for (long id : top3) {
            assertFalse(ids(w2).contains(id), "watched movie " + id + " recommended");
        }
    }

    @Test
    void aRecordJustOverTheConfiguredLimitIsRejectedAndOneAtTheLimitIsScored() {
        // The JSON form, which the app still reads: trailing whitespace changes its size and nothing else.
        byte[] valid = UserFeaturesCodec.encodeJson(ScoringFixtures.features("big", Genre.DRAMA, new long[] {1L}, "e1", NOW));
        int limit = valid.length + 10;
        start(Map.of(ScoringConfig.MAX_RECORD_BYTES, Integer.toString(limit)), ScoringFixtures.catalog());
        TestInputTopic<byte[], byte[]> raw = driver.createInputTopic(config.featuresTopic(),
                new ByteArraySerializer(), new ByteArraySerializer());
        byte[] key = "big".getBytes(StandardCharsets.UTF_8);
        // Trailing whitespace keeps the JSON valid: only the size differs.
        byte[] atLimit = pad(valid, limit);
        byte[] overLimit = pad(valid, limit + 1);
        // The test driver drops the handler's dead letters (ScoringAppLimitsKafkaTest reads them from a
        // broker); here the handler's count shows the over-limit record went its way and nothing was scored.
        long deadBefore = DeadLetterHandler.DEAD_LETTERS.sum();
        raw.pipeInput(key, overLimit, NOW);
        assertEquals(deadBefore + 1, DeadLetterHandler.DEAD_LETTERS.sum());
        assertTrue(out.isEmpty());
        raw.pipeInput(key, atLimit, NOW + 1);
        assertEquals("e1", out.readValue().triggerEventId());
        assertEquals(deadBefore + 1, DeadLetterHandler.DEAD_LETTERS.sum());
    }

    private static byte[] pad(byte[] json, int size) {
        byte[] b = Arrays.copyOf(json, size);
        Arrays.fill(b, json.length, size, (byte) ' ');
        return b;
    }

    @Test
    void aTombstoneForgetsTheUser() {
        start();
        features.pipeInput("gone", ScoringFixtures.features("gone", Genre.DRAMA, new long[] {1L}, "e1", NOW), NOW);
        assertEquals(1, out.readValuesToList().size());
        features.pipeInput("gone", null, NOW + 1);
        // Consumers of recommendations are told too: the user id with a null value, once.
        var deletion = out.readRecord();
        assertEquals("gone", deletion.key());
        assertEquals(null, deletion.value());
        assertEquals(NOW + 1, deletion.timestamp());
        assertTrue(out.isEmpty());
        assertEquals(1, metrics.listsDeleted());
        assertEquals(1, metrics.listsPublished());
        KeyValueStore<String, RecommendationList> lists = driver.getKeyValueStore(ScoringTopology.LISTS_STORE);
        assertEquals(null, lists.get("gone"));
        // A repeated tombstone, or one for a user never scored, tells consumers nothing new.
        features.pipeInput("gone", null, NOW + 2);
        features.pipeInput("never-seen", null, NOW + 2);
        assertTrue(out.isEmpty());
        assertEquals(1, metrics.listsDeleted());
    }

    @Test
    void theSameInputTwicePublishesOnce() {
        start();
        UserPreferenceFeatures f = ScoringFixtures.features("u2", Genre.DRAMA, new long[0], "e1", NOW);
        features.pipeInput("u2", f, NOW);
        features.pipeInput("u2", f, NOW);
        assertEquals(1, out.readValuesToList().size());
        assertEquals(2, metrics.eventsScored());
        assertEquals(1, metrics.listsSuppressed());
    }

    @Test
    void theStoredListIsBinaryAndTheTopicsIsJson() throws Exception {
        start();
        features.pipeInput("u5", ScoringFixtures.features("u5", Genre.COMEDY, new long[0], "e1", NOW), NOW);
        RecommendationList published = out.readValue();
        String changelog = driver.producedTopicNames().stream().filter(t -> t.endsWith(ScoringTopology.LISTS_STORE + "-changelog"))
                .findFirst().orElseThrow();
        byte[] stored = driver.createOutputTopic(changelog, new org.apache.kafka.common.serialization.StringDeserializer(),
                new org.apache.kafka.common.serialization.ByteArrayDeserializer()).readValue();
        assertEquals(StoredListCodec.FORMAT, stored[0], "the changelog holds the store's binary form");
        assertEquals(published, new StoredListCodec().decode(stored));
    }

    @Test
    void aCatalogUpdateMakesAMovieScorable() {
        // Start without the movie this user would get first: it is not in the catalog yet.
        start();
        features.pipeInput("u3", ScoringFixtures.features("u3", Genre.ACTION, new long[0], "e1", NOW), NOW);
        RecommendationList full = out.readValue();
        long best = full.items().get(0).movieId();
        close();
        stateDir = stateDir.resolve("second");
        List<Movie> without = ScoringFixtures.catalog().stream().filter(m -> m.movieId() != best).toList();
        start(Map.of(), without);
        features.pipeInput("u3", ScoringFixtures.features("u3", Genre.ACTION, new long[0], "e1", NOW), NOW);
        assertFalse(ids(out.readValue()).contains(best));
        Movie added = ScoringFixtures.catalog().stream().filter(m -> m.movieId() == best).findFirst().orElseThrow();
        movies.pipeInput(best, added);
        features.pipeInput("u3", ScoringFixtures.features("u3", Genre.ACTION, new long[0], "e2", NOW + 1), NOW + 1);
        RecommendationList after = out.readValue();
        assertEquals(best, after.items().get(0).movieId());
        // And a tombstone takes it away again.
        movies.pipeInput(best, null);
        features.pipeInput("u3", ScoringFixtures.features("u3", Genre.ACTION, new long[0], "e3", NOW + 2), NOW + 2);
        assertFalse(ids(out.readValue()).contains(best));
    }

    @Test
    void aMovieTheModelNeverSawBecomesScorableWhenItJoinsTheCatalog() {
        start(Map.of(ScoringConfig.TOP_N, "1000"), ScoringFixtures.catalog());
        long newId = 1 + ScoringFixtures.catalog().stream().mapToLong(Movie::movieId).max().orElseThrow();
        features.pipeInput("n1", ScoringFixtures.features("n1", Genre.ACTION, new long[0], "e1", NOW), NOW);
        RecommendationList before = out.readValue();
        assertFalse(ids(before).contains(newId));
        Genre first = before.items().get(0).experts().get(0).genre();
        movies.pipeInput(newId, new Movie(newId, "Brand new", 2026, io.moerec.ingest.domain.GenreSet.EMPTY.with(first)));
        features.pipeInput("n1", ScoringFixtures.features("n1", Genre.ACTION, new long[0], "e2", NOW + 1), NOW + 1);
        RecommendationList after = out.readValue();
        RecommendedItem item = after.items().stream().filter(i -> i.movieId() == newId).findFirst().orElseThrow();
        assertTrue(item.score() > 0);
        assertEquals(first, item.experts().get(0).genre());
        // Watched, it is excluded like any other movie.
        features.pipeInput("n1", ScoringFixtures.features("n1", Genre.ACTION, new long[] {newId}, "e3", NOW + 2), NOW + 2);
        assertFalse(ids(out.readValue()).contains(newId));
    }

    @Test
    void aModelSwapMidStreamChangesTheVersionWithoutLosingAnEvent() {
        start();
        MoeModel b = ScoringFixtures.modelB();
        assertNotEquals(holder.current().version(), b.version());
        Genre[] genres = Genre.values();
        for (int i = 0; i < 40; i++) {
            if (i == 20) {
                holder.swap(b);
            }
            String user = "s" + i;
            features.pipeInput(user, ScoringFixtures.features(user, genres[i % genres.length], new long[0], "e" + i, NOW + i), NOW + i);
        }
        List<TestRecord<String, RecommendationList>> lists = out.readRecordsToList();
        assertEquals(40, lists.size());
        for (int i = 0; i < 40; i++) {
            RecommendationList l = lists.get(i).value();
            assertEquals("e" + i, l.triggerEventId());
            assertEquals(i < 20 ? ScoringFixtures.modelA().version() : b.version(), l.modelVersion(), "list " + i);
        }
    }

    @Test
    void coalescingScoresEachUserOncePerIntervalWithTheLatestFeatures() {
        start(Map.of(ScoringConfig.COALESCE_INTERVAL_MS, "1000"), ScoringFixtures.catalog());
        for (int i = 0; i < 5; i++) {
            features.pipeInput("c1", ScoringFixtures.features("c1", Genre.HORROR, new long[0], "e" + i, NOW + i), NOW + i);
        }
        features.pipeInput("c2", ScoringFixtures.features("c2", Genre.WAR, new long[0], "x", NOW), NOW);
        assertTrue(out.isEmpty());
        driver.advanceWallClockTime(java.time.Duration.ofMillis(1000));
        Map<String, RecommendationList> lists = out.readKeyValuesToMap();
        assertEquals(2, lists.size());
        assertEquals("e4", lists.get("c1").triggerEventId());
        assertEquals(2, metrics.eventsScored());
    }

    @Test
    void coalescingMergesInEventTimeSoAReplayedBurstStillYieldsAListPerEventTimeGap() {
        // A replay: months of event time arrive within one wall-clock interval. Updates less than the
        // interval apart in event time merge; at a gap of the interval or more the waiting one is scored
        // before the new one waits, so the list the next watch is measured against is made from the events before it.
        start(Map.of(ScoringConfig.COALESCE_INTERVAL_MS, "1000"), ScoringFixtures.catalog());
        long day = 86_400_000L;
        long[] at = {NOW, NOW + 400, NOW + 1399, NOW + 2399, NOW + day, NOW + day + 500, NOW + 90 * day};
        Genre[] genres = Genre.values(); // a different taste each time, so that no list is suppressed as unchanged
        for (int i = 0; i < at.length; i++) {
            features.pipeInput("r1", ScoringFixtures.features("r1", genres[i], new long[0], "e" + i, at[i]), NOW);
        }
        // Without any wall-clock time passing: e2 (e1 and e0 merged into it; e3 is exactly the interval
        // later), e3 (a day before e4) and e5 (e4 merged into it, 90 days before e6).
        List<RecommendationList> lists = out.readValuesToList();
        assertEquals(List.of("e2", "e3", "e5"), lists.stream().map(RecommendationList::triggerEventId).toList());
        assertEquals(at[5], lists.get(2).triggerEventTime());
        KeyValueStore<String, UserPreferenceFeatures> pending = driver.getKeyValueStore(ScoringTopology.PENDING_STORE);
        assertEquals("e6", pending.get("r1").triggerEventId());
        // Iterated whole by the punctuator, so kept in memory, and changelogged so that a crash loses nothing waiting.
        assertFalse(driver.getAllStateStores().get(ScoringTopology.PENDING_STORE).persistent());
        driver.advanceWallClockTime(java.time.Duration.ZERO);
        assertTrue(driver.producedTopicNames().stream().anyMatch(t -> t.endsWith(ScoringTopology.PENDING_STORE + "-changelog")),
                driver.producedTopicNames().toString());
        // The wall-clock punctuator flushes the tail.
        driver.advanceWallClockTime(java.time.Duration.ofMillis(1000));
        assertEquals("e6", out.readValue().triggerEventId());
        assertEquals(null, pending.get("r1"));
        assertEquals(4, metrics.eventsScored());
    }

    @Test
    void aMovieThatPassedThroughTheRecentListBetweenTwoCoalescedScoringsIsStillNeverRecommended() {
        start(Map.of(ScoringConfig.COALESCE_INTERVAL_MS, "1000"), ScoringFixtures.catalog());
        features.pipeInput("c3", ScoringFixtures.features("c3", Genre.HORROR, new long[0], "e0", NOW), NOW);
        driver.advanceWallClockTime(java.time.Duration.ofMillis(1000));
        long top = out.readValuesToList().get(0).items().get(0).movieId();
        // Within one interval the user watches the top movie, and then it drops off the recent list again;
        // the watched set of the update that is scored holds it.
        features.pipeInput("c3", ScoringFixtures.features("c3", Genre.HORROR, new long[] {top}, "e1", NOW + 1), NOW + 1);
        features.pipeInput("c3", ScoringFixtures.features("c3", Genre.HORROR, new long[0], new long[] {top}, "e2", NOW + 2), NOW + 2);
        driver.advanceWallClockTime(java.time.Duration.ofMillis(1000));
        RecommendationList after = out.readValuesToList().get(0);
        assertEquals("e2", after.triggerEventId());
        assertFalse(after.items().stream().anyMatch(i -> i.movieId() == top), "watched movie " + top + " came back");
    }

    @Test
    void aTombstoneWhileCoalescingDeletesThePendingEntryAndList() {
        start(Map.of(ScoringConfig.COALESCE_INTERVAL_MS, "1000"), ScoringFixtures.catalog());
        features.pipeInput("x1", ScoringFixtures.features("x1", Genre.HORROR, new long[] {1L}, "e0", NOW), NOW);
        driver.advanceWallClockTime(java.time.Duration.ofMillis(1000));
        assertEquals(1, out.readValuesToList().size());
        // A second update waits in pending-features; then the user is deleted.
        features.pipeInput("x1", ScoringFixtures.features("x1", Genre.HORROR, new long[] {2L}, "e1", NOW + 1), NOW + 1);
        KeyValueStore<String, UserPreferenceFeatures> pending = driver.getKeyValueStore(ScoringTopology.PENDING_STORE);
        KeyValueStore<String, RecommendationList> lists = driver.getKeyValueStore(ScoringTopology.LISTS_STORE);
        assertTrue(pending.get("x1") != null && lists.get("x1") != null);
        features.pipeInput("x1", null, NOW + 2);
        assertEquals(null, pending.get("x1"));
        assertEquals(null, lists.get("x1"));
        var deletion = out.readKeyValue();
        assertEquals("x1", deletion.key);
        assertEquals(null, deletion.value);
        driver.advanceWallClockTime(java.time.Duration.ofMillis(1000));
        assertTrue(out.isEmpty(), "the forgotten user's pending update was scored");
        // The user returns: scored afresh.
        features.pipeInput("x1", ScoringFixtures.features("x1", Genre.HORROR, new long[] {3L}, "e2", NOW + 3), NOW + 3);
        driver.advanceWallClockTime(java.time.Duration.ofMillis(1000));
        assertEquals("e2", out.readValue().triggerEventId());
    }

    @Test
    void theBalancedRouterMovesItsBiasAndKeepsItInTheStore() {
        start(Map.of(ScoringConfig.ROUTER, "balanced", ScoringConfig.BALANCED_BATCH, "5"), ScoringFixtures.catalog());
        double[] calibrated = ((io.moerec.moe.routing.BalancedRouter) holder.current().router(io.moerec.moe.routing.RouterKind.BALANCED)).bias();
        for (int i = 0; i < 12; i++) {
            features.pipeInput("b" + i, ScoringFixtures.features("b" + i, Genre.COMEDY, new long[0], "e" + i, NOW + i), NOW + i);
        }
        assertEquals("balanced", out.readValuesToList().get(0).router());
        KeyValueStore<String, RouterState> store = driver.getKeyValueStore(ScoringTopology.ROUTER_STORE);
        RouterState state = store.get(holder.current().version());
        long routed = java.util.Arrays.stream(state.totalLoad()).sum();
        assertEquals(24, routed); // 12 users, top-2
        assertFalse(java.util.Arrays.equals(calibrated, state.bias()), "two batches of 5 users moved the bias");
    }

    @Test
    void expertCapacityMovesFullExpertsSlotsToTheNextBestAndCountsThem() {
        // Windows of 18 users, top-2: ⌈1 · 36 / 18⌉ = 2 slots per expert.
        start(Map.of(ScoringConfig.CAPACITY_FACTOR, "1", ScoringConfig.CAPACITY_WINDOW, "18"), ScoringFixtures.catalog());
        for (int i = 0; i < 18; i++) {
            features.pipeInput("c" + i, ScoringFixtures.features("c" + i, Genre.COMEDY, new long[0], "e" + i, NOW + i), NOW + i);
        }
        assertEquals(18, out.readValuesToList().size());
        RouterState state = driver.<String, RouterState>getKeyValueStore(ScoringTopology.ROUTER_STORE).get(holder.current().version());
        for (long l : state.totalLoad()) {
            assertEquals(2, l, "18 alike users fill every expert exactly: " + Arrays.toString(state.totalLoad()));
        }
        // Alike users: the first two take the best pair, each later one finds both of its gate's best experts full.
        assertEquals(32, metrics.expertOverflow());
        assertTrue(metrics.render(() -> "v").contains("moerec_expert_overflow_total 32.0"));
    }

    @Test
    void anUndecodableRecordIsDeadLetteredAndScoringGoesOn() {
        start();
        // TopologyTestDriver runs the handler but does not produce its dead-letter records; what the
        // handler returns is checked in DeadLetterHandlerTest and on the broker in ScoringAppKafkaTest.
        long before = DeadLetterHandler.DEAD_LETTERS.sum();
        TestInputTopic<byte[], byte[]> raw = driver.createInputTopic(Topics.USER_FEATURES.name(), new ByteArraySerializer(),
                new ByteArraySerializer());
        raw.pipeInput("u9".getBytes(StandardCharsets.UTF_8), "{not json".getBytes(StandardCharsets.UTF_8));
        features.pipeInput("u9", ScoringFixtures.features("u9", Genre.CRIME, new long[0], "e1", NOW), NOW);
        assertEquals(1, out.readValuesToList().size());
        assertEquals(before + 1, DeadLetterHandler.DEAD_LETTERS.sum());
    }
}
