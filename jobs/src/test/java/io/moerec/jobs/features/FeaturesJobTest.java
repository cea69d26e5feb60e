package io.moerec.jobs.features;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.moerec.features.FeatureConfig;
import io.moerec.features.flink.FeaturesJobConfig;
import io.moerec.features.flink.FeaturesPipelineConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.ExecutionOptions;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.state.rocksdb.RocksDBConfigurableOptions;
import org.apache.flink.state.rocksdb.RocksDBOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.flink.streaming.api.graph.StreamNode;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Configuration parsing and validation of the job's main, and the wired job graph (no broker needed). */
@Tag("flink")
class FeaturesJobTest {

    static final Map<String, String> MINIMAL = Map.of(FeaturesJobConfig.BOOTSTRAP_SERVERS, "localhost:9092");

    @Test
    void restoreLatestPicksTheNewestCompleteCheckpointOfAnyJob(@TempDir Path dir) throws Exception {
        Map<String, String> m = new java.util.HashMap<>(MINIMAL);
        m.put(FeaturesJobConfig.CHECKPOINT_DIR, dir.toUri().toString());
        assertEquals(Optional.empty(), FeaturesJobConfig.fromMap(m).restorePath(), "restore defaults to none");
        m.put(FeaturesJobConfig.RESTORE, FeaturesJobConfig.RESTORE_LATEST);
        assertEquals(Optional.empty(), FeaturesJobConfig.fromMap(m).restorePath(), "nothing retained yet");
        Path old = Files.createDirectories(dir.resolve("job-a").resolve("chk-7"));
        Files.writeString(old.resolve("_metadata"), "x");
        Files.setLastModifiedTime(old.resolve("_metadata"), FileTime.fromMillis(1_000_000));
        Path newer = Files.createDirectories(dir.resolve("job-b").resolve("chk-2"));
        Files.writeString(newer.resolve("_metadata"), "x");
        Files.createDirectories(dir.resolve("job-b").resolve("chk-3")); // in progress: no _metadata
        assertEquals(Optional.of(newer.toUri().toString()), FeaturesJobConfig.fromMap(m).restorePath());
        assertEquals(newer.toUri().toString(), FeaturesJobConfig.fromMap(m).flinkConfiguration()
                .get(org.apache.flink.configuration.StateRecoveryOptions.SAVEPOINT_PATH), "the job resumes from it");
        m.put(FeaturesJobConfig.RESTORE, old.toString());
        assertEquals(Optional.of(old.toString()), FeaturesJobConfig.fromMap(m).restorePath());
        m.put(FeaturesJobConfig.CHECKPOINT_DIR, "s3://bucket/checkpoints");
        m.put(FeaturesJobConfig.RESTORE, FeaturesJobConfig.RESTORE_LATEST);
        assertThrows(IllegalArgumentException.class, () -> FeaturesJobConfig.fromMap(m));
    }

    @Test
    void defaultsAndOverrides() {
        FeaturesJobConfig c = FeaturesJobConfig.fromMap(Map.of(FeaturesJobConfig.BOOTSTRAP_SERVERS, "b:9092",
                FeaturesJobConfig.PARALLELISM, "2", FeatureConfig.HALF_LIFE_MS, "1000",
                FeaturesPipelineConfig.EMIT_MIN_INTERVAL_MS, "500", FeaturesJobConfig.TOPIC_FEATURES, "uf"));
        assertEquals(java.util.OptionalInt.of(2), c.parallelism());
        assertEquals("viewing-events", c.eventsTopic());
        assertEquals("uf", c.featuresTopic());
        assertEquals(1000, c.pipeline().features().halfLifeMs());
        assertEquals(500, c.pipeline().emitMinIntervalMs());
        assertEquals(900_000, c.transactionTimeoutMs());
        assertEquals("rocksdb", c.flinkConfiguration().get(StateBackendOptions.STATE_BACKEND));
        assertTrue(c.flinkConfiguration().get(CheckpointingOptions.INCREMENTAL_CHECKPOINTS));
        assertFalse(c.flinkConfiguration().get(PipelineOptions.GENERIC_TYPES));
        assertTrue(c.flinkConfiguration().get(RocksDBOptions.USE_PARTITIONED_INDEX_FILTERS));
        assertTrue(c.flinkConfiguration().get(RocksDBConfigurableOptions.USE_BLOOM_FILTER));
    }

    @Test
    void theClustersParallelismAndCheckpointDirectoryStandUnlessGiven(@TempDir Path dir) {
        // Not given: nothing in the job's configuration overrides flink run -p, parallelism.default or
        // the cluster's execution.checkpointing.dir (nor its storage).
        FeaturesJobConfig plain = FeaturesJobConfig.fromMap(MINIMAL);
        assertEquals(java.util.OptionalInt.empty(), plain.parallelism());
        assertEquals(Optional.empty(), plain.checkpointDir());
        org.apache.flink.configuration.Configuration conf = plain.flinkConfiguration();
        for (org.apache.flink.configuration.ConfigOption<?> clusters : List.of(CoreOptions.DEFAULT_PARALLELISM,
                CheckpointingOptions.CHECKPOINTS_DIRECTORY, CheckpointingOptions.CHECKPOINT_STORAGE, ExecutionOptions.BUFFER_TIMEOUT)) {
            assertFalse(conf.contains(clusters), clusters.key() + " is the cluster's");
        }
        // The job's environment sets no parallelism of its own either: Flink's default decides (locally, the cores).
        assertEquals(Runtime.getRuntime().availableProcessors(), FeaturesJob.environment(plain).getParallelism());
        // Given: mapped to Flink's own keys, and the environment runs with them.
        FeaturesJobConfig given = FeaturesJobConfig.fromMap(Map.of(FeaturesJobConfig.BOOTSTRAP_SERVERS, "b:9092",
                FeaturesJobConfig.PARALLELISM, "3", FeaturesJobConfig.CHECKPOINT_DIR, dir.toUri().toString(),
                FeaturesJobConfig.BUFFER_TIMEOUT_MS, "10"));
        conf = given.flinkConfiguration();
        assertEquals(3, conf.get(CoreOptions.DEFAULT_PARALLELISM));
        assertEquals(java.time.Duration.ofMillis(10), conf.get(ExecutionOptions.BUFFER_TIMEOUT));
        assertEquals(10, FeaturesJob.environment(given).getBufferTimeout());
        assertEquals(dir.toUri().toString(), conf.get(CheckpointingOptions.CHECKPOINTS_DIRECTORY));
        assertEquals("filesystem", conf.get(CheckpointingOptions.CHECKPOINT_STORAGE));
        assertEquals(3, FeaturesJob.environment(given).getParallelism());
        // restore=latest looks under the job's own directory, so it needs one.
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FeaturesJobConfig.fromMap(
                Map.of(FeaturesJobConfig.BOOTSTRAP_SERVERS, "b:9092", FeaturesJobConfig.RESTORE, FeaturesJobConfig.RESTORE_LATEST)));
        assertTrue(e.getMessage().contains(FeaturesJobConfig.CHECKPOINT_DIR), e.getMessage());
    }

    @Test
    void maxParallelismIsFixedUnlessTheClusterSetsIt(@TempDir Path confDir) throws Exception {
        // The job's key (default 128) becomes pipeline.max-parallelism, also on the environment...
        FeaturesJobConfig plain = FeaturesJobConfig.fromMap(MINIMAL);
        assertEquals(128, plain.maxParallelism());
        assertEquals(128, plain.flinkConfiguration().get(PipelineOptions.MAX_PARALLELISM));
        assertEquals(128, FeaturesJob.environment(plain).getMaxParallelism());
        FeaturesJobConfig given = FeaturesJobConfig.fromMap(Map.of(FeaturesJobConfig.BOOTSTRAP_SERVERS, "b:9092",
                FeaturesJobConfig.MAX_PARALLELISM, "512"));
        assertEquals(512, given.flinkConfiguration().get(PipelineOptions.MAX_PARALLELISM));
        // ... but a cluster whose config.yaml (FLINK_CONF_DIR) sets it keeps its own: the job sets nothing.
        assertEquals(128, plain.flinkConfiguration(FeaturesJob.clusterConfiguration(Map.of())).get(PipelineOptions.MAX_PARALLELISM));
        java.nio.file.Files.writeString(confDir.resolve("config.yaml"), "pipeline.max-parallelism: 256\n");
        org.apache.flink.configuration.Configuration cluster = FeaturesJob.clusterConfiguration(Map.of("FLINK_CONF_DIR", confDir.toString()));
        assertEquals(256, cluster.get(PipelineOptions.MAX_PARALLELISM));
        assertFalse(given.flinkConfiguration(cluster).contains(PipelineOptions.MAX_PARALLELISM), "the cluster's");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FeaturesJobConfig.fromMap(
                Map.of(FeaturesJobConfig.BOOTSTRAP_SERVERS, "b:9092", FeaturesJobConfig.MAX_PARALLELISM, "0")));
        assertTrue(e.getMessage().contains(FeaturesJobConfig.MAX_PARALLELISM), e.getMessage());
    }

    @Test
    void rocksDbReadPathCanBeTurnedOff() {
        FeaturesJobConfig c = FeaturesJobConfig.fromMap(Map.of(FeaturesJobConfig.BOOTSTRAP_SERVERS, "b:9092",
                FeaturesJobConfig.ROCKSDB_PARTITIONED_INDEX_FILTERS, "false", FeaturesJobConfig.ROCKSDB_BLOOM_FILTER, "false"));
        assertFalse(c.flinkConfiguration().get(RocksDBOptions.USE_PARTITIONED_INDEX_FILTERS));
        assertFalse(c.flinkConfiguration().get(RocksDBConfigurableOptions.USE_BLOOM_FILTER));
    }

    @Test
    void badValuesNameTheirKey() {
        assertNames(FeaturesJobConfig.BOOTSTRAP_SERVERS, Map.of());
        assertNames(FeaturesJobConfig.PARALLELISM, with(FeaturesJobConfig.PARALLELISM, "0"));
        assertNames(FeaturesJobConfig.BUFFER_TIMEOUT_MS, with(FeaturesJobConfig.BUFFER_TIMEOUT_MS, "-1"));
        assertNames(FeaturesJobConfig.TRANSACTION_TIMEOUT_MS, with(FeaturesJobConfig.TRANSACTION_TIMEOUT_MS, "3600000"));
        assertNames(FeaturesJobConfig.TRANSACTION_TIMEOUT_MS, with(FeaturesJobConfig.CHECKPOINT_INTERVAL_MS, "600000"));
        assertNames(FeaturesJobConfig.CHECKPOINT_DIR, with(FeaturesJobConfig.CHECKPOINT_DIR, "relative/dir"));
        assertNames(FeatureConfig.HALF_LIFE_MS, with(FeatureConfig.HALF_LIFE_MS, "-5"));
        assertNames(FeaturesPipelineConfig.IDLENESS_MS, with(FeaturesPipelineConfig.IDLENESS_MS, "x"));
        assertNames("checkpoint.intervall-ms", with("checkpoint.intervall-ms", "5"));
        assertNames(FeaturesJobConfig.ROCKSDB_BLOOM_FILTER, with(FeaturesJobConfig.ROCKSDB_BLOOM_FILTER, "yes"));
        assertNames(FeaturesJobConfig.SINK_DELIVERY_GUARANTEE, with(FeaturesJobConfig.SINK_DELIVERY_GUARANTEE, "none"));
        assertNames(FeaturesJobConfig.SINK_LINGER_MS, with(FeaturesJobConfig.SINK_LINGER_MS, "-1"));
        assertNames(FeaturesJobConfig.SINK_COMPRESSION, with(FeaturesJobConfig.SINK_COMPRESSION, "brotli"));
        // The sinks' producer settings have their own keys; kafka.* must not set them behind their back.
        assertNames(FeaturesJobConfig.SINK_LINGER_MS, with("kafka.linger.ms", "20"));
    }

    @Test
    void sinksAreExactlyOnceUnlessAtLeastOnceIsAsked() {
        FeaturesJobConfig d = FeaturesJobConfig.fromMap(MINIMAL);
        assertTrue(d.exactlyOnceSinks());
        assertEquals(Map.of("linger.ms", "5", "compression.type", "none"), d.sinkProducerProperties());
        FeaturesJobConfig c = FeaturesJobConfig.fromMap(Map.of(FeaturesJobConfig.BOOTSTRAP_SERVERS, "b:9092",
                FeaturesJobConfig.SINK_DELIVERY_GUARANTEE, FeaturesJobConfig.AT_LEAST_ONCE, FeaturesJobConfig.SINK_LINGER_MS, "20",
                FeaturesJobConfig.SINK_COMPRESSION, "lz4", "kafka.client.rack", "r1"));
        assertFalse(c.exactlyOnceSinks());
        assertEquals(Map.of("linger.ms", "20", "compression.type", "lz4", "client.rack", "r1"), c.sinkProducerProperties());
        // The wired job builds with at-least-once sinks (no transactional id needed).
        FeaturesJob.pipeline(c).build(StreamExecutionEnvironment.getExecutionEnvironment(c.flinkConfiguration()));
    }

    @Test
    void mainRejectsBadConfigurationBeforeStartingAnything() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> FeaturesJob.main(new String[] {"-s", "bootstrap.servers=b:9092", "-s", "features.half-life-ms=0"}));
        assertTrue(e.getMessage().contains(FeatureConfig.HALF_LIFE_MS), e.getMessage());
    }

    @Test
    void everyOperatorOfTheWiredJobHasAStableUid() {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(
                FeaturesJobConfig.fromMap(MINIMAL).flinkConfiguration());
        FeaturesJob.pipeline(FeaturesJobConfig.fromMap(MINIMAL)).build(env);
        StreamGraph graph = env.getStreamGraph();
        Set<String> uids = new HashSet<>();
        for (StreamNode node : graph.getStreamNodes()) {
            assertNotNull(node.getTransformationUID(), node.getOperatorName());
            assertTrue(uids.add(node.getTransformationUID()), "duplicate uid " + node.getTransformationUID());
        }
        assertTrue(uids.contains("user-preference-features"), uids.toString());
    }

    @Test
    void flinkTestsRunWithoutKafkaStreamsRocksDbOnTheClasspath() {
        // The surefire "flink-tests" fork excludes org.rocksdb:rocksdbjni (Flink's frocksdbjni and Kafka's rocksdbjni both ship org.rocksdb): guard it.
        String cp = System.getProperty("java.class.path").replace('\\', '/');
        assertFalse(cp.contains("/org/rocksdb/rocksdbjni/"), "rocksdbjni must not be on a Flink test classpath");
        assertTrue(cp.contains("frocksdbjni"), "Flink's frocksdbjni is expected");
    }

    private static Map<String, String> with(String key, String value) {
        return Map.of(FeaturesJobConfig.BOOTSTRAP_SERVERS, "b:9092", key, value);
    }

    private static void assertNames(String key, Map<String, String> settings) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FeaturesJobConfig.fromMap(settings));
        assertTrue(e.getMessage().contains(key), e.getMessage());
    }
}
