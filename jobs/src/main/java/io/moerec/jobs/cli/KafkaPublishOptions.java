package io.moerec.jobs.cli;

import io.moerec.ingest.topic.Topics;
import java.util.Optional;
import picocli.CommandLine.Option;

/**
 * The options every command that publishes a data set to Kafka shares (picocli mixin): where the
 * cluster is, where rejected lines go, the data set's layout, and whether missing topics are created.
 */
final class KafkaPublishOptions {

    @Option(names = "--bootstrap", required = true, paramLabel = "HOST:PORT", description = "Kafka bootstrap servers.")
    String bootstrap;

    @Option(names = "--dlq-topic", paramLabel = "NAME", description = "Dead-letter topic (default: ${DEFAULT-VALUE}).")
    String dlqTopic = Topics.VIEWING_EVENTS_DLQ.name();

    @Option(names = "--format", paramLabel = "FORMAT",
            description = "Layout of the data set, detected when omitted: jsonl, ml-100k, ml-1m or ml-latest.")
    Optional<String> format = Optional.empty();

    @Option(names = "--create-topics", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Create the target and dead-letter topics if missing (default: ${DEFAULT-VALUE}).")
    boolean createTopics;
}
