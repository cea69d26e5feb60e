package io.moerec.jobs.features;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.moerec.features.FeatureConfig;
import io.moerec.features.flink.FeaturesJobConfig;
import io.moerec.features.flink.FeaturesPipelineConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The job's command line and environment: precedence file < environment < -s, and names in errors. */
class FeaturesJobArgsTest {

    @Test
    void fileThenEnvironmentThenSettings(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("features.properties");
        Files.writeString(file, "bootstrap.servers=file:9092\nparallelism=3\ngroup.id=from-file\n");
        Map<String, String> env = Map.of("MOEREC_FEATURES_PARALLELISM", "4", "MOEREC_FEATURES_FEATURES_HALF_LIFE_MS", "1000",
                "MOEREC_FEATURES_STREAM_EMIT_MIN_INTERVAL_MS", "250", "PATH", "/usr/bin");
        FeaturesJobConfig c = FeaturesJob.parseArgs(new String[] {"--config", file.toString(), "-s", "group.id=from-args"}, env)
                .orElseThrow();
        assertEquals("file:9092", c.bootstrapServers());
        assertEquals(java.util.OptionalInt.of(4), c.parallelism());
        assertEquals("from-args", c.groupId());
        assertEquals(1000, c.pipeline().features().halfLifeMs());
        assertEquals(250, c.pipeline().emitMinIntervalMs());
    }

    @Test
    void everyKnownKeyHasOneVariable() {
        assertEquals("MOEREC_FEATURES_BOOTSTRAP_SERVERS", FeaturesJobConfig.SPEC.environmentVariable(FeaturesJobConfig.BOOTSTRAP_SERVERS));
        assertEquals("MOEREC_FEATURES_TOPIC_VIEWING_EVENTS", FeaturesJobConfig.SPEC.environmentVariable(FeaturesJobConfig.TOPIC_EVENTS));
        assertTrue(FeaturesJobConfig.SPEC.environmentKeys().contains(FeatureConfig.RATING_PRIOR_WEIGHT));
        assertTrue(FeaturesJobConfig.SPEC.environmentKeys().contains(FeaturesPipelineConfig.CATALOG_SETTLE_MS));
        assertEquals(FeaturesJobConfig.SPEC.environmentKeys().size(),
                FeaturesJobConfig.SPEC.environmentKeys().stream().map(FeaturesJobConfig.SPEC::environmentVariable).distinct().count(),
                "no two keys share a variable");
    }

    @Test
    void unknownVariableBadValueAndBadArgumentAreNamed() throws Exception {
        IllegalArgumentException typo = assertThrows(IllegalArgumentException.class,
                () -> FeaturesJob.parseArgs(new String[] {"-s", "bootstrap.servers=b:9092"}, Map.of("MOEREC_FEATURES_PARALELISM", "2")));
        assertTrue(typo.getMessage().contains("MOEREC_FEATURES_PARALELISM"), typo.getMessage());
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                () -> FeaturesJob.parseArgs(new String[0], Map.of("MOEREC_FEATURES_BOOTSTRAP_SERVERS", "b:9092",
                        "MOEREC_FEATURES_CHECKPOINT_INTERVAL_MS", "ten")));
        assertTrue(bad.getMessage().contains(FeaturesJobConfig.CHECKPOINT_INTERVAL_MS), bad.getMessage());
        IllegalArgumentException limit = assertThrows(IllegalArgumentException.class,
                () -> FeaturesJob.parseArgs(new String[0], Map.of("MOEREC_FEATURES_BOOTSTRAP_SERVERS", "b:9092",
                        "MOEREC_FEATURES_STREAM_MAX_RECORD_BYTES", "100")));
        assertTrue(limit.getMessage().contains(FeaturesPipelineConfig.MAX_RECORD_BYTES), limit.getMessage());
        assertEquals(131072, FeaturesJob.parseArgs(new String[] {"-s", "bootstrap.servers=b:9092", "-s",
                FeaturesPipelineConfig.MAX_RECORD_BYTES + "=131072"}, Map.of()).orElseThrow().pipeline().maxRecordBytes());
        IllegalArgumentException arg = assertThrows(IllegalArgumentException.class,
                () -> FeaturesJob.parseArgs(new String[] {"--confg", "x"}, Map.of()));
        assertTrue(arg.getMessage().contains("--confg"), arg.getMessage());
    }

    @Test
    void helpParsesToNothing() throws Exception {
        assertTrue(FeaturesJob.parseArgs(new String[] {"--help"}, Map.of()).isEmpty());
    }

    @Test
    void versionPrintsTheBuildsVersion() {
        java.io.StringWriter out = new java.io.StringWriter();
        picocli.CommandLine cmd = new picocli.CommandLine(new FeaturesJob());
        cmd.setOut(new java.io.PrintWriter(out, true));
        assertEquals(0, cmd.execute("--version"));
        assertEquals("moerec features-job " + io.moerec.ingest.config.MoerecVersion.current(), out.toString().trim());
    }
}
