package io.moerec.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.zip.ZipEntry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the shaded scoring app jar holds: the app, Kafka Streams with Kafka's own RocksDB build
 * ({@code org.rocksdb:rocksdbjni}), kafka-clients, moe-scoring with Tribuo, merged service files and
 * the main class; and what it must not: Flink and its {@code frocksdbjni}, the broker and Scala, the
 * CLI, signatures. And that {@code java -jar} starts it: {@code --help} exits 0.
 */
class ScoringAppJarIT {

    static final List<String> MUST_HAVE = List.of(
            "io/moerec/moe/streams/ScoringApp.class",
            "io/moerec/moe/streams/StarterBundle.class",
            "io/moerec/ingest/config/moerec-version.properties",
            "io/moerec/moe/streams/ScoringConfig.class",
            "io/moerec/ingest/config/LayeredConfig.class",
            "io/moerec/moe/bundle/ModelBundle.class",
            "io/moerec/features/PreferenceFeatureLogic.class",
            "io/moerec/ingest/topic/Topics.class",
            "org/apache/kafka/streams/KafkaStreams.class",
            "org/apache/kafka/clients/producer/KafkaProducer.class",
            "org/rocksdb/RocksDB.class",
            "librocksdbjni-linux64.so",
            "org/tribuo/Model.class",
            "com/fasterxml/jackson/databind/ObjectMapper.class",
            "picocli/CommandLine.class",
            "org/HdrHistogram/Histogram.class",
            "io/micrometer/prometheusmetrics/PrometheusMeterRegistry.class",
            "io/micrometer/core/instrument/binder/kafka/KafkaStreamsMetrics.class",
            "io/prometheus/metrics/expositionformats/PrometheusTextFormatWriter.class",
            "openapi/scoring-app.yaml",
            "org/apache/logging/slf4j/Log4jLoggerFactory.class",
            "log4j2.properties");

    static final List<String> MUST_NOT_HAVE_PREFIXES = List.of(
            "org/apache/flink/", "io/moerec/features/flink/", "kafka/server/", "kafka/Kafka", "kafka/log/",
            "org/apache/kafka/controller/", "org/apache/kafka/coordinator/", "org/apache/kafka/raft/",
            "org/apache/kafka/metadata/", "org/apache/kafka/storage/", "scala/", "io/moerec/jobs/cli/", "io/moerec/jobs/broker/",
            "io/moerec/jobs/features/", "module-info.class");

    @Test
    void holdsTheAppWithKafkaStreamsAndRocksDbButNotFlink() throws Exception {
        Path jar = FeaturesJobOnSessionClusterIT.requiredPath("moerec.scoring.app.jar");
        try (JarFile j = new JarFile(jar.toFile())) {
            Manifest mf = j.getManifest();
            assertEquals("io.moerec.moe.streams.ScoringApp", mf.getMainAttributes().getValue("Main-Class"));
            assertEquals(System.getProperty("moerec.project.version"), mf.getMainAttributes().getValue("Implementation-Version"));
            for (String entry : MUST_HAVE) {
                assertTrue(j.getEntry(entry) != null, "missing " + entry);
            }
            List<String> names = j.stream().map(ZipEntry::getName).toList();
            for (String name : names) {
                for (String bad : MUST_NOT_HAVE_PREFIXES) {
                    assertFalse(name.startsWith(bad), "must not be in the scoring app jar: " + name);
                }
                assertFalse(name.matches("META-INF/[^/]+\\.(SF|DSA|RSA|EC)"), "signature left in: " + name);
                assertFalse(name.contains("frocksdb"), "Flink's RocksDB build: " + name);
            }
            // Services merged, not overwritten: kafka-clients' config providers are all listed.
            String providers = new String(j.getInputStream(j.getEntry("META-INF/services/org.apache.kafka.common.config.provider.ConfigProvider"))
                    .readAllBytes(), StandardCharsets.UTF_8);
            for (String p : Set.of("FileConfigProvider", "DirectoryConfigProvider", "EnvVarConfigProvider")) {
                assertTrue(providers.contains(p), p + " in ConfigProvider services: " + providers);
            }
        }
    }

    /** Exit status and output (both streams) of {@code java -jar <jar> args}. */
    record Run(int exit, String text) {
    }

    static Run javaDashJar(Path dir, String... args) throws Exception {
        return javaDashJar(FeaturesJobOnSessionClusterIT.requiredPath("moerec.scoring.app.jar"), dir, args);
    }

    /** {@code java -jar <jar> args} to its end (at most 60 s), without the build shell's {@code MOEREC_*} variables. */
    static Run javaDashJar(Path jar, Path dir, String... args) throws Exception {
        Path out = Files.createTempFile(dir, "out", ".txt");
        List<String> cmd = new java.util.ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", jar.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile());
        // A stray MOEREC_SCORING_* or MOEREC_TRAINER_* variable of the build's shell must not decide the outcome.
        pb.environment().keySet().removeIf(k -> k.startsWith("MOEREC_"));
        Process p = pb.start();
        try {
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "java -jar " + String.join(" ", args) + " within 60 s");
        } finally {
            p.destroyForcibly();
        }
        return new Run(p.exitValue(), read(out));
    }

    @Test
    void javaDashJarHelpExitsZero(@TempDir Path dir) throws Exception {
        Run r = javaDashJar(dir, "--help");
        assertEquals(0, r.exit(), r.text());
        assertTrue(r.text().contains("Usage: scoring-app") && r.text().contains("MOEREC_SCORING_"), r.text());
    }

    @Test
    void versionAndABadKeyAnswerInOneLine(@TempDir Path dir) throws Exception {
        Run version = javaDashJar(dir, "--version");
        assertEquals(0, version.exit(), version.text());
        assertEquals("moerec scoring-app " + System.getProperty("moerec.project.version"), version.text().trim());
        Run bad = javaDashJar(dir, "-s", "bootstrap.servers=127.0.0.1:1", "-s", "model.path=/nowhere", "-s", "top.n=3");
        assertEquals(2, bad.exit(), bad.text());
        assertEquals(1, bad.text().lines().count(), bad.text());
        assertTrue(bad.text().startsWith("scoring-app: ") && bad.text().contains("top.n"), bad.text());
    }

    static String read(Path file) throws IOException {
        return Files.readString(file, StandardCharsets.UTF_8);
    }
}
