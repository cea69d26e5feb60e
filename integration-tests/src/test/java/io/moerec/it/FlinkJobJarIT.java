package io.moerec.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.zip.ZipEntry;
import org.junit.jupiter.api.Test;

/**
 * What the shaded Flink job jar holds: the job, the Kafka connector with kafka-clients, merged
 * service files and the main class; and what it must not: Flink itself (the cluster provides it),
 * either RocksDB build, the broker and Scala, Kafka Streams, Tribuo, the CLI, signatures.
 */
class FlinkJobJarIT {

    static final List<String> MUST_HAVE = List.of(
            "io/moerec/jobs/features/FeaturesJob.class",
            "io/moerec/jobs/features/FeaturesJob$Version.class",
            "io/moerec/ingest/config/moerec-version.properties",
            "io/moerec/features/flink/FeaturesJobConfig.class",
            "io/moerec/ingest/config/LayeredConfig.class",
            "io/moerec/features/flink/FeaturesPipeline.class",
            "io/moerec/features/PreferenceFeatureLogic.class",
            "io/moerec/ingest/topic/Topics.class",
            "org/apache/flink/connector/kafka/source/KafkaSource.class",
            "org/apache/flink/connector/kafka/sink/KafkaSink.class",
            "org/apache/kafka/clients/producer/KafkaProducer.class",
            "com/fasterxml/jackson/databind/ObjectMapper.class",
            "picocli/CommandLine.class");

    static final List<String> MUST_NOT_HAVE_PREFIXES = List.of(
            "org/apache/flink/runtime/", "org/apache/flink/streaming/api/", "org/apache/flink/api/common/",
            "org/apache/flink/client/", "org/apache/flink/configuration/", "org/apache/flink/state/rocksdb/",
            "org/apache/flink/connector/base/", "org/apache/flink/shaded/", "org/rocksdb/", "librocksdbjni",
            "kafka/server/", "kafka/Kafka", "org/apache/kafka/controller/", "org/apache/kafka/coordinator/", "org/apache/kafka/streams/", "org/apache/kafka/raft/",
            "scala/", "org/tribuo/", "io/moerec/jobs/cli/", "io/moerec/jobs/broker/", "io/moerec/moe/streams/",
            "org/slf4j/", "org/apache/logging/log4j/", "log4j2.properties", "module-info.class");

    @Test
    void holdsTheJobAndItsConnectorButNotFlink() throws Exception {
        Path jar = FeaturesJobOnSessionClusterIT.requiredPath("moerec.flink.job.jar");
        try (JarFile j = new JarFile(jar.toFile())) {
            Manifest mf = j.getManifest();
            assertEquals("io.moerec.jobs.features.FeaturesJob", mf.getMainAttributes().getValue("Main-Class"));
            assertEquals(System.getProperty("moerec.project.version"), mf.getMainAttributes().getValue("Implementation-Version"));
            for (String entry : MUST_HAVE) {
                assertTrue(j.getEntry(entry) != null, "missing " + entry);
            }
            List<String> names = j.stream().map(ZipEntry::getName).toList();
            for (String name : names) {
                for (String bad : MUST_NOT_HAVE_PREFIXES) {
                    assertFalse(name.startsWith(bad), "must not be in the job jar: " + name);
                }
                assertFalse(name.matches("META-INF/[^/]+\\.(SF|DSA|RSA|EC)"), "signature left in: " + name);
            }
            // Services merged, not overwritten: kafka-clients' config providers are all listed.
            String providers = new String(j.getInputStream(j.getEntry("META-INF/services/org.apache.kafka.common.config.provider.ConfigProvider"))
                    .readAllBytes(), StandardCharsets.UTF_8);
            for (String p : Set.of("FileConfigProvider", "DirectoryConfigProvider", "EnvVarConfigProvider")) {
                assertTrue(providers.contains(p), p + " in ConfigProvider services: " + providers);
            }
        }
    }
}
