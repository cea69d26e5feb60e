package io.moerec.jobs.cli;

import io.moerec.ingest.topic.Topics;
import io.moerec.ingest.config.KafkaClientProperties;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import picocli.CommandLine.Option;

/**
 * The options every command that publishes a data set to Kafka shares (picocli mixin): where the
 * cluster is and how to connect to it (standard Kafka client properties, for security above all),
 * where rejected lines go, the data set's layout, and whether missing topics are created.
 */
final class KafkaPublishOptions {

    /** Client settings the commands derive from their own options. */
    private static final Map<String, String> OWNED = Map.of(
            "bootstrap.servers", "--bootstrap",
            "key.serializer", "nothing (the commands write bytes)",
            "value.serializer", "nothing (the commands write bytes)");

    @Option(names = "--bootstrap", required = true, paramLabel = "HOST:PORT", description = "Kafka bootstrap servers.")
    String bootstrap;

    @Option(names = "--kafka-config", paramLabel = "FILE",
            description = "A properties file of Kafka client properties for the producer and the admin client, e.g. "
                    + "security.protocol=SASL_SSL, sasl.mechanism=SCRAM-SHA-512, sasl.jaas.config=..., "
                    + "ssl.truststore.location=... Keep secrets here (readable by you only) rather than on the command line.")
    Path kafkaConfig;

    @Option(names = "--kafka-property", paramLabel = "KEY=VALUE",
            description = "One Kafka client property (repeatable); wins over --kafka-config. A mistyped key or a bad value "
                    + "stops the command naming the key.")
    Map<String, String> kafkaProperties = new LinkedHashMap<>();

    @Option(names = "--dlq-topic", paramLabel = "NAME", description = "Dead-letter topic (default: ${DEFAULT-VALUE}).")
    String dlqTopic = Topics.VIEWING_EVENTS_DLQ.name();

    @Option(names = "--format", paramLabel = "FORMAT",
            description = "Layout of the data set, detected when omitted: jsonl, ml-100k, ml-1m or ml-latest.")
    Optional<String> format = Optional.empty();

    @Option(names = "--create-topics", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Create the target and dead-letter topics if missing (default: ${DEFAULT-VALUE}).")
    boolean createTopics;

    /**
     * The validated client properties: those of {@code --kafka-config}, then {@code --kafka-property},
     * then {@code bootstrap.servers}.
     *
     * @throws IllegalArgumentException naming the key (never a secret value) or the unreadable file
     */
    Map<String, Object> clientProperties() {
        Map<String, String> given = new TreeMap<>();
        if (kafkaConfig != null) {
            Properties p = new Properties();
            try (Reader r = Files.newBufferedReader(kafkaConfig, StandardCharsets.UTF_8)) {
                p.load(r);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read --kafka-config " + kafkaConfig + ": " + e.getMessage(), e);
            }
            p.stringPropertyNames().forEach(k -> given.put(k, p.getProperty(k)));
        }
        given.putAll(kafkaProperties);
        Map<String, Object> out = new TreeMap<>(KafkaClientProperties.validate("", given, OWNED));
        out.put("bootstrap.servers", bootstrap);
        return out;
    }
}
