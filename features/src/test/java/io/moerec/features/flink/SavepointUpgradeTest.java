package io.moerec.features.flink;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.moerec.features.PreferenceFeatureLogic;
import io.moerec.ingest.domain.Movie;
import io.moerec.ingest.domain.UserPreferenceFeatures;
import io.moerec.ingest.domain.ViewingEvent;
import io.moerec.ingest.json.MovieCodec;
import io.moerec.ingest.json.ViewingEventCodec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * An upgrade keeps the users' state: the job of today restores a savepoint written by the job of the
 * previous feature version (2, before the watched set joined the state; see the fixture's README),
 * at parallelism 2 from 1 with the job's fixed max parallelism, processes more events and emits what
 * the pure logic gives for all the events, old and new. The watched set of a restored user starts
 * from the recent-watch list the old state kept: movies that only were skipped before the upgrade
 * are not in it.
 */
class SavepointUpgradeTest {

    static final String FIXTURE = "/savepoints/feature-version-2/";
    static final long T = 1717200000000L;

    @RegisterExtension
    static final MiniClusterExtension CLUSTER = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    @Test
    void restoresTheStateOfFeatureVersion2(@TempDir Path checkpoints) throws Exception {
        List<ViewingEvent> before = new ArrayList<>();
        ViewingEventCodec eventCodec = new ViewingEventCodec();
        for (String line : lines("events.jsonl")) {
            before.add(eventCodec.decode(line.getBytes(StandardCharsets.UTF_8)));
        }
        MovieCodec movieCodec = new MovieCodec();
        Map<Long, Movie> catalog = new HashMap<>();
        List<byte[]> movieKeys = new ArrayList<>();
        List<byte[]> movieValues = new ArrayList<>();
        for (String line : lines("movies.jsonl")) {
            Movie m = movieCodec.decode(line.getBytes(StandardCharsets.UTF_8));
            catalog.put(m.movieId(), m);
            movieKeys.add(Long.toString(m.movieId()).getBytes(StandardCharsets.US_ASCII));
            movieValues.add(line.getBytes(StandardCharsets.UTF_8));
        }
        List<ViewingEvent> after = List.of(
                ViewingEvent.play("a6", "alice", 6, T + 600_000),
                ViewingEvent.complete("b4", "bob", 3, T + 660_000),
                ViewingEvent.play("d1", "dave", 1, T + 720_000));
        List<byte[]> keys = new ArrayList<>();
        List<byte[]> values = new ArrayList<>();
        for (ViewingEvent e : after) {
            keys.add(e.userId().getBytes(StandardCharsets.UTF_8));
            values.add(eventCodec.encode(e));
        }

        FeaturesJobConfig job = FeaturesJobConfig.fromMap(Map.of(FeaturesJobConfig.BOOTSTRAP_SERVERS, "unused:9092",
                FeaturesJobConfig.PARALLELISM, "2", FeaturesJobConfig.CHECKPOINT_DIR, checkpoints.toUri().toString(),
                FeaturesJobConfig.RESTORE, resource("savepoint").toUri().toString()));
        Configuration conf = job.flinkConfiguration();
        // The fixture's own sources and sink (not the job's uids) had state too; only the features operator's matters.
        conf.set(StateRecoveryOptions.SAVEPOINT_IGNORE_UNCLAIMED_STATE, true);
        // A state that cannot be read (an incompatible serializer) fails the test instead of restarting for ever.
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        CollectingSink<UserPreferenceFeatures> features = new CollectingSink<>();
        CollectingSink<ViewingEvent> late = new CollectingSink<>();
        CollectingSink<RejectedRecord> dlq = new CollectingSink<>();
        try {
            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
            new FeaturesPipeline(job.pipeline(), FeaturesPipelineMiniClusterTest.source("viewing-events", keys, values),
                    FeaturesPipelineMiniClusterTest.source("movies", movieKeys, movieValues), features, late, dlq).build(env);
            env.execute("savepoint-upgrade-test");

            Map<String, UserPreferenceFeatures> last = new HashMap<>();
            for (UserPreferenceFeatures f : features.results()) {
                last.put(f.userId(), f);
            }
            // alice and dave once each; bob twice: his event and, at the end of input, his old event of an
            // unknown movie that was waiting in the savepoint (applied without genres).
            assertEquals(4, features.results().size(), features.results().toString());
            List<ViewingEvent> all = new ArrayList<>(before);
            all.addAll(after);
            Map<String, UserPreferenceFeatures> want = new PreferenceFeatureLogic(job.pipeline().features())
                    .latest(all, catalog::get);
            for (String user : List.of("alice", "bob", "dave")) {
                UserPreferenceFeatures w = want.get(user);
                UserPreferenceFeatures got = last.get(user);
                assertEquals(w.asOf(), got.asOf(), user);
                assertEquals(w.firstEventTime(), got.firstEventTime(), user);
                assertArrayEquals(w.eventCounts(), got.eventCounts(), user);
                assertArrayEquals(w.recentWatches(), got.recentWatches(), user);
                assertArrayEquals(w.genreAffinity(), got.genreAffinity(), 1e-9, user);
                assertEquals(w.activity(), got.activity(), 1e-9, user);
                assertEquals(PreferenceFeatureLogic.FEATURE_VERSION, got.featureVersion(), user);
            }
            // The watched sets: the old recent lists (alice's skip of 4 is not in hers) and everything since.
            assertArrayEquals(new long[] {1, 2, 3, 5, 6}, last.get("alice").watched());
            assertArrayEquals(new long[] {2, 3, 6, 99}, last.get("bob").watched());
            assertArrayEquals(new long[] {1}, last.get("dave").watched());
            assertEquals(List.of(), late.results());
            assertEquals(List.of(), dlq.results());
        } finally {
            features.dispose();
            late.dispose();
            dlq.dispose();
        }
    }

    static Path resource(String name) throws Exception {
        return Path.of(SavepointUpgradeTest.class.getResource(FIXTURE + name).toURI());
    }

    static List<String> lines(String name) throws Exception {
        return Files.readAllLines(resource(name));
    }
}
