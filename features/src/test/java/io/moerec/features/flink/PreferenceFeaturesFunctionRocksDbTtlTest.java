package io.moerec.features.flink;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.moerec.features.FeatureConfig;
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
 * few thousand users. Every idle user expires exactly once, with one tombstone, and only their state
 * and timer go; the users who came back keep theirs until their own expiry. (The heap-backend harness
 * test covers the cases one by one; this one covers the backend and the numbers.)
 */
class PreferenceFeaturesFunctionRocksDbTtlTest {

    static final long T = 1_700_000_000_000L;
    static final long DAY = 24 * 3_600_000L;
    static final int USERS = 3000;
    static final Movie ACTION = new Movie(1, "A", 2000, GenreSet.of(Genre.ACTION));

    @Test
    @SuppressWarnings("try") // the Flink test harness's close() declares Exception
    void everyIdleUserExpiresOnceAndTakesOnlyItsOwnStateAndTimer(@TempDir Path rocks) throws Exception {
        long ttl = 7 * DAY;
        FeaturesPipelineConfig config = FeaturesPipelineConfig.defaults()
                .withFeatures(FeatureConfig.defaults().withStateTtlMs(ttl));
        EmbeddedRocksDBStateBackend backend = new EmbeddedRocksDBStateBackend().configure(
                FlinkSettings.rocksDbExactlyOnce(Duration.ofSeconds(10), rocks.resolve("checkpoints").toUri().toString()),
                getClass().getClassLoader());
        backend.setDbStoragePath(rocks.resolve("db").toString());
        try (KeyedBroadcastOperatorTestHarness<String, ViewingEvent, CatalogUpdate, UserPreferenceFeatures> harness =
                     new KeyedBroadcastOperatorTestHarness<>(
                             new CoBroadcastWithKeyedOperator<>(new PreferenceFeaturesFunction(config),
                                     List.of(PreferenceFeaturesFunction.CATALOG)),
                             ViewingEvent::userId, Types.STRING, 128, 1, 0)) {
            harness.setStateBackend(backend);
            harness.open();
            harness.processBroadcastElement(CatalogUpdate.of(ACTION), 0);
            harness.processBroadcastWatermark(Long.MAX_VALUE);

            // Day 0: every user once. Day 5: every third user comes back (before the day-7 expiry).
            for (int i = 0; i < USERS; i++) {
                harness.processElement(ViewingEvent.complete("a" + i, "u" + i, 1, T + i), T + i);
            }
            Set<String> returning = IntStream.range(0, USERS).filter(i -> i % 3 == 0).mapToObj(i -> "u" + i)
                    .collect(Collectors.toSet());
            for (String u : returning) {
                harness.processElement(ViewingEvent.complete("b" + u, u, 1, T + 5 * DAY), T + 5 * DAY);
            }
            assertKept(harness, USERS);

            // Day 8: past every day-0 expiry, before the returning users' (day 12).
            harness.processWatermark(T + 8 * DAY);
            Set<String> idle = IntStream.range(0, USERS).mapToObj(i -> "u" + i).filter(u -> !returning.contains(u))
                    .collect(Collectors.toSet());
            List<String> expired = tombstones(harness);
            assertEquals(idle.size(), expired.size(), "one tombstone per idle user");
            assertEquals(idle, new HashSet<>(expired));
            assertKept(harness, returning.size());

            harness.processWatermark(T + 5 * DAY + ttl);
            assertEquals(USERS, tombstones(harness).size(), "the returning users expire at their own time, once");
            assertKept(harness, 0);
        }
    }

    /**
     * {@code users} preference states and TTL timers, and nothing else: RocksDB keeps the timers among
     * its states, so every entry is one of the two.
     */
    private static void assertKept(KeyedBroadcastOperatorTestHarness<?, ?, ?, ?> harness, int users) {
        RocksDBKeyedStateBackend<?> backend = keyedBackend(harness);
        try (Stream<?> keys = backend.getKeys("preference", VoidNamespace.INSTANCE)) {
            assertEquals(users, keys.count(), "preference states");
        }
        assertEquals(users, harness.numEventTimeTimers(), "timers");
        assertEquals(2 * users, backend.numKeyValueStateEntries(), "all entries");
    }

    private static RocksDBKeyedStateBackend<?> keyedBackend(KeyedBroadcastOperatorTestHarness<?, ?, ?, ?> harness) {
        return (RocksDBKeyedStateBackend<?>) ((AbstractStreamOperator<?>) harness.getTwoInputOperator()).getKeyedStateBackend();
    }

    private static List<String> tombstones(KeyedBroadcastOperatorTestHarness<?, ?, ?, UserPreferenceFeatures> harness) {
        return harness.extractOutputValues().stream().filter(UserPreferenceFeatures::isTombstone)
                .map(UserPreferenceFeatures::userId).toList();
    }
}
