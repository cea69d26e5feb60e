package io.moerec.moe.streams;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.moerec.features.FeatureConfig;
import io.moerec.features.flink.CatalogUpdate;
import io.moerec.features.flink.FeaturesPipelineConfig;
import io.moerec.features.flink.PreferenceFeaturesFunction;
import io.moerec.features.flink.UserInput;
import io.moerec.ingest.domain.Genre;
import io.moerec.ingest.domain.Movie;
import io.moerec.ingest.domain.RecommendationList;
import io.moerec.ingest.domain.RecommendationList.RecommendedItem;
import io.moerec.ingest.domain.UserPreferenceFeatures;
import io.moerec.ingest.domain.ViewingEvent;
import io.moerec.ingest.topic.Topics;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The features operator (Flink's heap-backend harness) feeding the scoring topology
 * ({@link TopologyTestDriver}) record by record, as {@code user-features} does: no published list
 * holds a movie the user had an event with before the list's trigger, whatever happens in between
 * (idleness beyond the state TTL, watches pushed out of the bounded recent list). Runs in the
 * default fork: the heap backend needs no RocksDB, the topology's stores need Kafka's.
 */
class FeaturesToScoringTest {

    private static final long T = ScoringFixtures.T0;
    private static final long DAY = 86_400_000L;
    private static final long NOW = T + 2_000 * DAY;

    @TempDir
    Path stateDir;

    private KeyedBroadcastOperatorTestHarness<String, UserInput, CatalogUpdate, UserPreferenceFeatures> features;
    private TopologyTestDriver driver;
    private SharedRocksDbMemory rocksDbMemory;
    private TestInputTopic<String, UserPreferenceFeatures> featuresTopic;
    private TestOutputTopic<String, RecommendationList> recommendations;
    private int forwarded;
    /** Per user: every movie of an event sent so far. */
    private final Map<String, Set<Long>> seen = new HashMap<>();
    /** Per trigger event: what its user had seen when it was sent. */
    private final Map<String, Set<Long>> seenAtTrigger = new HashMap<>();
    private final List<RecommendationList> lists = new ArrayList<>();

    @BeforeAll
    static void train() {
        ScoringFixtures.ensure();
    }

    @BeforeEach
    void start() throws Exception {
        FeaturesPipelineConfig config = FeaturesPipelineConfig.defaults()
                .withFeatures(FeatureConfig.defaults().withStateTtlMs(180 * DAY));
        features = ProcessFunctionTestHarnesses.forKeyedBroadcastProcessFunction(new PreferenceFeaturesFunction(config),
                UserInput::userId, Types.STRING, PreferenceFeaturesFunction.CATALOG);
        for (Movie m : ScoringFixtures.catalog()) {
            features.processBroadcastElement(CatalogUpdate.of(m), 0);
        }
        features.processBroadcastWatermark(Long.MAX_VALUE);

        ScoringConfig scoring = ScoringConfig.fromMap(ScoringFixtures.settings("unused:9092", stateDir));
        Properties props = scoring.streamsProperties(0);
        if (ScoringConfig.boundsRocksDbMemory(props)) {
            rocksDbMemory = scoring.newSharedRocksDbMemory();
            props.put(SharedRocksDbMemory.CONFIG, rocksDbMemory);
        }
        driver = new TopologyTestDriver(ScoringTopology.buildTopology(scoring, new ModelHolder(ScoringFixtures.modelA()),
                new ScoringMetrics(), new CatalogView(), () -> NOW), props);
        featuresTopic = driver.createInputTopic(scoring.featuresTopic(), Topics.USER_FEATURES.keySerde().serializer(),
                Topics.USER_FEATURES.valueSerde().serializer());
        TestInputTopic<Long, Movie> movies = driver.createInputTopic(scoring.moviesTopic(),
                Topics.MOVIES.keySerde().serializer(), Topics.MOVIES.valueSerde().serializer());
        recommendations = driver.createOutputTopic(scoring.recommendationsTopic(),
                Topics.RECOMMENDATIONS.keySerde().deserializer(), Topics.RECOMMENDATIONS.valueSerde().deserializer());
        for (Movie m : ScoringFixtures.catalog()) {
            movies.pipeInput(m.movieId(), m);
        }
    }

    @AfterEach
    void close() throws Exception {
        if (features != null) {
            features.close();
        }
        if (driver != null) {
            driver.close();
        }
        if (rocksDbMemory != null) {
            rocksDbMemory.close();
        }
    }

    private void send(ViewingEvent e) throws Exception {
        seen.computeIfAbsent(e.userId(), u -> new HashSet<>()).add(e.movieId());
        seenAtTrigger.put(e.eventId(), Set.copyOf(seen.get(e.userId())));
        features.processElement(UserInput.of(e), e.eventTime());
        forward();
    }

    private void watermark(long time) throws Exception {
        features.processWatermark(time);
        forward();
    }

    /** Hands the features job's new output to the scoring topology, a tombstone as a null value. */
    private void forward() {
        List<UserPreferenceFeatures> out = features.extractOutputValues();
        for (UserPreferenceFeatures f : out.subList(forwarded, out.size())) {
            featuresTopic.pipeInput(f.userId(), f.isTombstone() ? null : f, f.asOf());
        }
        forwarded = out.size();
        for (TestRecord<String, RecommendationList> r : recommendations.readRecordsToList()) {
            if (r.value() != null) {
                lists.add(r.value());
            }
        }
    }

    private RecommendationList last() {
        return lists.get(lists.size() - 1);
    }

    private static long[] top(RecommendationList l, int n) {
        return l.items().stream().limit(n).mapToLong(RecommendedItem::movieId).toArray();
    }

    private void assertNoListHoldsAWatchedMovie() {
        assertFalse(lists.isEmpty());
        for (RecommendationList l : lists) {
            Set<Long> watched = seenAtTrigger.get(l.triggerEventId());
            for (RecommendedItem i : l.items()) {
                assertFalse(watched.contains(i.movieId()), "list of " + l.triggerEventId() + " holds movie "
                        + i.movieId() + ", which " + l.userId() + " had already watched");
            }
        }
    }

    private long comedy(int skip) {
        return ScoringFixtures.catalog().stream().filter(m -> m.genres().contains(Genre.COMEDY)).skip(skip)
                .findFirst().orElseThrow().movieId();
    }

    @Test
    void aUserIdleBeyondTheStateTtlIsNotRecommendedWhatTheyWatchedBefore() throws Exception {
        send(ViewingEvent.complete("e1", "u1", comedy(0), T));
        long[] suggested = top(last(), 5);
        long t = T;
        for (long id : suggested) {
            t += 60_000;
            send(ViewingEvent.complete("w" + id, "u1", id, t));
        }
        watermark(t + 200 * DAY); // idle beyond the TTL
        send(ViewingEvent.complete("back", "u1", comedy(1), t + 250 * DAY));
        assertTrue(lists.stream().anyMatch(l -> l.triggerEventId().equals("back")), "the returning user got a list");
        assertNoListHoldsAWatchedMovie();
    }

    @Test
    void watchesPushedOutOfTheRecentListStayExcluded() throws Exception {
        // Many watches in one second, then more than the recent list holds, one by one.
        long t = T;
        List<Long> comedies = ScoringFixtures.catalog().stream().filter(m -> m.genres().contains(Genre.COMEDY))
                .map(Movie::movieId).toList();
        for (int i = 0; i < Math.min(40, comedies.size()); i++) {
            send(ViewingEvent.rate("r" + i, "u2", comedies.get(i), t, 4.5));
        }
        for (int i = 0; i < 60; i++) {
            t += 60_000;
            send(ViewingEvent.complete("c" + i, "u2", top(last(), 1)[0], t));
        }
        assertNoListHoldsAWatchedMovie();
    }

    @Test
    void aUsersFirstEventAlreadyPublishesAList() throws Exception {
        // No history at all: the first event's features update is scored like any other, so the user has
        // a list of their own from the first event on (before it, the look-up answers the non-personal list).
        send(ViewingEvent.complete("first", "newcomer", comedy(0), T));
        assertEquals(1, lists.size());
        RecommendationList l = last();
        assertEquals("newcomer", l.userId());
        assertEquals("first", l.triggerEventId());
        assertEquals(10, l.items().size());
        assertNoListHoldsAWatchedMovie();
    }
}
