package io.moerec.features.flink;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.moerec.features.FeatureConfig;
import io.moerec.ingest.domain.EventType;
import io.moerec.ingest.domain.Genre;
import io.moerec.ingest.domain.GenreSet;
import io.moerec.ingest.domain.Movie;
import io.moerec.ingest.domain.UserPreferenceFeatures;
import io.moerec.ingest.domain.ViewingEvent;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.state.rocksdb.RocksDBKeyedStateBackend;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithKeyedOperator;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The event-time TTL on the state backend the job runs on: RocksDB, configured by
 * {@link FlinkSettings#rocksDbExactlyOnce} (two-level index, bloom filters), with RocksDB timers, at a
 * few thousand users. Every idle user expires exactly once, emits nothing, loses its timer and feature
 * values but keeps its watched set; the users who came back keep everything until their own expiry;
 * a returning user's next update carries the whole watched set. (The heap-backend harness test covers
 * the cases one by one; this one covers the backend and the numbers.)
 */
class PreferenceFeaturesFunctionRocksDbTtlTest {

    static final long T = 1_700_000_000_000L;
    static final long DAY = 24 * 3_600_000L;
    static final int USERS = 3000;
    static final Movie ACTION = new Movie(1, "A", 2000, GenreSet.of(Genre.ACTION));
    static final Movie DRAMA = new Movie(2, "D", 2000, GenreSet.of(Genre.DRAMA));

    @Test
    @SuppressWarnings("try") // the Flink test harness's close() declares Exception
    void everyIdleUserExpiresOnceKeepsItsWatchedSetAndLosesOnlyItsOwnTimer(@TempDir Path rocks) throws Exception {
        long ttl = 7 * DAY;
        FeaturesPipelineConfig config = FeaturesPipelineConfig.defaults()
                .withFeatures(FeatureConfig.defaults().withStateTtlMs(ttl));
        EmbeddedRocksDBStateBackend backend = new EmbeddedRocksDBStateBackend().configure(
                FlinkSettings.rocksDbExactlyOnce(Duration.ofSeconds(10), rocks.resolve("checkpoints").toUri().toString()),
                getClass().getClassLoader());
        backend.setDbStoragePath(rocks.resolve("db").toString());
        try (KeyedBroadcastOperatorTestHarness<String, UserInput, CatalogUpdate, UserPreferenceFeatures> harness =
                     new KeyedBroadcastOperatorTestHarness<>(
                             new CoBroadcastWithKeyedOperator<>(new PreferenceFeaturesFunction(config),
                                     List.of(PreferenceFeaturesFunction.CATALOG)),
                             UserInput::userId, Types.STRING, 128, 1, 0)) {
            harness.setStateBackend(backend);
            harness.open();
            harness.processBroadcastElement(CatalogUpdate.of(ACTION), 0);
            harness.processBroadcastElement(CatalogUpdate.of(DRAMA), 0);
            for (int i = 0; i < USERS; i++) {
                harness.processBroadcastElement(CatalogUpdate.of(new Movie(1000 + i, "M", 2000, GenreSet.of(Genre.WAR))), 0);
            }
            harness.processBroadcastWatermark(Long.MAX_VALUE);

            // Day 0: every user once. Day 5: every third user comes back (before the day-7 expiry).
            for (int i = 0; i < USERS; i++) {
                harness.processElement(UserInput.of(ViewingEvent.complete("a" + i, "u" + i, 1, T + i)), T + i);
                harness.processElement(UserInput.of(ViewingEvent.skip("s" + i, "u" + i, 1000 + i, T + i)), T + i);
            }
            Set<String> returning = IntStream.range(0, USERS).filter(i -> i % 3 == 0).mapToObj(i -> "u" + i)
                    .collect(Collectors.toSet());
            for (String u : returning) {
                harness.processElement(UserInput.of(ViewingEvent.complete("b" + u, u, 1, T + 5 * DAY)), T + 5 * DAY);
            }
            assertKept(harness, USERS);
            int updates = harness.extractOutputValues().size();

            // Day 8: past every day-0 expiry, before the returning users' (day 12).
            harness.processWatermark(T + 8 * DAY);
            assertKept(harness, returning.size());
            assertEquals(updates, harness.extractOutputValues().size(), "an expiry emits nothing");

            harness.processWatermark(T + 5 * DAY + ttl);
            assertKept(harness, 0);

            // Day 30: every user comes back; each update carries the movies of before the expiry.
            for (int i = 0; i < USERS; i++) {
                harness.processElement(UserInput.of(ViewingEvent.complete("c" + i, "u" + i, 2, T + 30 * DAY)), T + 30 * DAY);
            }
            List<UserPreferenceFeatures> out = harness.extractOutputValues();
            Set<String> users = new HashSet<>();
            for (UserPreferenceFeatures f : out.subList(out.size() - USERS, out.size())) {
                int i = Integer.parseInt(f.userId().substring(1));
                assertArrayEquals(new long[] {1, 2, 1000 + i}, f.watched(), f.userId());
                assertEquals(1, f.eventCounts()[EventType.COMPLETE.ordinal()], "fresh feature values");
                users.add(f.userId());
            }
            assertEquals(USERS, users.size());
            assertEquals(0, out.stream().filter(UserPreferenceFeatures::isTombstone).count(), "idle is not deleted");
            assertEquals(USERS, harness.numEventTimeTimers());
        }
    }

    /**
     * Every user's preference state (an expired one holds its watched set) and, for {@code active}
     * users, a TTL timer and its time; nothing else (RocksDB keeps the timers among its states).
     */
    private static void assertKept(KeyedBroadcastOperatorTestHarness<?, ?, ?, ?> harness, int active) {
        RocksDBKeyedStateBackend<?> backend = keyedBackend(harness);
        try (Stream<?> keys = backend.getKeys("preference", VoidNamespace.INSTANCE)) {
            assertEquals(USERS, keys.count(), "preference states");
        }
        assertEquals(active, harness.numEventTimeTimers(), "timers");
        assertEquals(USERS + 2 * active, backend.numKeyValueStateEntries(), "all entries");
    }

    private static RocksDBKeyedStateBackend<?> keyedBackend(KeyedBroadcastOperatorTestHarness<?, ?, ?, ?> harness) {
        return (RocksDBKeyedStateBackend<?>) ((AbstractStreamOperator<?>) harness.getTwoInputOperator()).getKeyedStateBackend();
    }
}
