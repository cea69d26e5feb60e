package io.moerec.features.flink;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.moerec.features.FeatureConfig;
import io.moerec.features.PreferenceFeatureLogic;
import io.moerec.features.ViewingLogFixture;
import io.moerec.ingest.domain.Movie;
import io.moerec.ingest.domain.UserPreferenceFeatures;
import io.moerec.ingest.domain.ViewingEvent;
import io.moerec.ingest.json.MovieCodec;
import io.moerec.ingest.json.RejectReason;
import io.moerec.ingest.json.ViewingEventCodec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole pipeline on a MiniCluster at parallelism 2 with RocksDB, checkpoints and generic types
 * off, fed raw bytes from bounded in-memory sources: every user's final features equal the pure
 * logic over that user's events (the parallel sources interleave users' events arbitrarily, which
 * the order-independence of the logic absorbs up to rounding), one update per valid event, and the
 * undecodable records in the DLQ with their original bytes.
 */
class FeaturesPipelineMiniClusterTest {

    static final long DAY = 24L * 3600 * 1000;

    @RegisterExtension
    static final MiniClusterExtension CLUSTER = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    /** A bounded source of raw records; values are captured as bytes (serializable) and rebuilt per index. */
    static DataGeneratorSource<RawRecord> source(String topic, List<byte[]> keys, List<byte[]> values) {
        ArrayList<byte[]> k = new ArrayList<>(keys);
        ArrayList<byte[]> v = new ArrayList<>(values);
        return new DataGeneratorSource<>(i -> new RawRecord(k.get(i.intValue()), v.get(i.intValue()), topic, 0, i),
                v.size(), TypeInformation.of(RawRecord.class));
    }

    @Test
    void finalFeaturesEqualThePureLogicPerUser(@TempDir Path checkpoints) throws Exception {
        // Lateness wide enough that no event is late in any interleaving: the reference has no late events.
        FeaturesPipelineConfig config = FeaturesPipelineConfig.defaults()
                .withFeatures(FeatureConfig.defaults().withAllowedLatenessMs(365 * DAY));
        Map<Long, Movie> catalog = ViewingLogFixture.catalog(40, 1);
        List<ViewingEvent> events = ViewingLogFixture.events(25, 25 * 20, 40, 20 * DAY, 2);

        ViewingEventCodec eventCodec = new ViewingEventCodec();
        List<byte[]> keys = new ArrayList<>();
        List<byte[]> values = new ArrayList<>();
        for (ViewingEvent e : events) {
            keys.add(e.userId().getBytes(StandardCharsets.UTF_8));
            values.add(eventCodec.encode(e));
        }
        List<byte[]> garbage = List.of("not json".getBytes(StandardCharsets.UTF_8),
                "{\"eventId\":\"x\",\"userId\":\"u\",\"movieId\":1,\"type\":\"WATCH\",\"eventTime\":1700000000000}"
                        .getBytes(StandardCharsets.UTF_8));
        for (byte[] g : garbage) {
            keys.add(null);
            values.add(g);
        }
        keys.add("someone-else".getBytes(StandardCharsets.UTF_8)); // key mismatch
        values.add(eventCodec.encode(ViewingEvent.play("km", "user-1", 1, ViewingLogFixture.T)));

        MovieCodec movieCodec = new MovieCodec();
        List<byte[]> movieKeys = new ArrayList<>();
        List<byte[]> movieValues = new ArrayList<>();
        for (Movie m : catalog.values()) {
            movieKeys.add(Long.toString(m.movieId()).getBytes(StandardCharsets.US_ASCII));
            movieValues.add(movieCodec.encode(m));
        }

        CollectingSink<UserPreferenceFeatures> features = new CollectingSink<>();
        CollectingSink<ViewingEvent> late = new CollectingSink<>();
        CollectingSink<RejectedRecord> dlq = new CollectingSink<>();
        try {
            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(
                    FlinkSettings.rocksDbExactlyOnce(Duration.ofMillis(500), checkpoints.toUri().toString()));
            env.setParallelism(2);
            // A deletion of a user without events (its order against events is not defined) and one without a key.
            List<byte[]> deletionKeys = new ArrayList<>();
            deletionKeys.add("ghost".getBytes(StandardCharsets.UTF_8));
            deletionKeys.add(null);
            new FeaturesPipeline(config, source("viewing-events", keys, values),
                    source("movies", movieKeys, movieValues), source("user-deletions", deletionKeys, List.of(new byte[0], new byte[0])),
                    features, late, dlq).build(env);
            env.execute("features-minicluster-test");

            Map<String, UserPreferenceFeatures> last = new HashMap<>();
            List<UserPreferenceFeatures> tombstones = new ArrayList<>();
            for (UserPreferenceFeatures f : features.results()) {
                if (f.isTombstone()) {
                    tombstones.add(f);
                } else {
                    last.put(f.userId(), f);
                }
            }
            assertEquals(List.of("ghost"), tombstones.stream().map(UserPreferenceFeatures::userId).toList());
            assertEquals(events.size() + 1, features.results().size(), "one update per valid event, one tombstone");
            ViewingLogFixture.assertFinalFeaturesMatch(new PreferenceFeatureLogic(config.features()), events, catalog, last);
            assertTrue(late.results().isEmpty());
            List<RejectedRecord> rejected = dlq.results();
            assertEquals(3, rejected.size());
            Map<String, RejectedRecord> byReason = new HashMap<>();
            for (RejectedRecord r : rejected) {
                byReason.put(r.getReason(), r);
            }
            assertArrayEquals(garbage.get(0), byReason.get(RejectReason.MALFORMED_JSON.name()).getValue());
            assertArrayEquals(garbage.get(1), byReason.get(RejectReason.UNKNOWN_EVENT_TYPE.name()).getValue());
            assertEquals("viewing-events", byReason.get(RejectReason.KEY_MISMATCH.name()).getSource());
        } finally {
            features.dispose();
            late.dispose();
            dlq.dispose();
        }
    }
}
