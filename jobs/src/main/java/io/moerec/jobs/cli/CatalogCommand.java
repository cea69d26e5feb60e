package io.moerec.jobs.cli;

import io.moerec.ingest.domain.Movie;
import io.moerec.ingest.replay.CatalogLoader;
import io.moerec.ingest.replay.ReplayProducers;
import io.moerec.ingest.replay.ReplaySummary;
import io.moerec.ingest.source.DataSet;
import io.moerec.ingest.topic.Topic;
import io.moerec.ingest.topic.Topics;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.producer.Producer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code moerec catalog}: the movie catalog; today its one sub-command is {@code load}. */
@Command(name = "catalog", mixinStandardHelpOptions = true, description = "Works with the movie catalog.",
        subcommands = CatalogCommand.Load.class)
final class CatalogCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** {@code moerec catalog load}: see {@link CatalogLoader}. */
    @Command(name = "load", mixinStandardHelpOptions = true,
            description = "Publishes a data set's movies to the compacted movies topic (key = movie id); "
                    + "invalid lines go to the dead-letter topic. Loading twice is harmless.")
    static final class Load implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "DIR", description = "A data set directory.")
        Path path;

        @Option(names = "--bootstrap", required = true, paramLabel = "HOST:PORT", description = "Kafka bootstrap servers.")
        String bootstrap;

        @Option(names = "--topic", paramLabel = "NAME", description = "Catalog topic (default: ${DEFAULT-VALUE}).")
        String topic = Topics.MOVIES.name();

        @Option(names = "--dlq-topic", paramLabel = "NAME", description = "Dead-letter topic (default: ${DEFAULT-VALUE}).")
        String dlqTopic = Topics.VIEWING_EVENTS_DLQ.name();

        @Option(names = "--format", paramLabel = "FORMAT", description = "Layout of the data set, detected when omitted: jsonl, ml-100k, ml-1m or ml-latest.")
        Optional<String> format = Optional.empty();

        @Option(names = "--create-topics", negatable = true, defaultValue = "true", fallbackValue = "true",
                description = "Create the catalog and dead-letter topics if missing (default: ${DEFAULT-VALUE}).")
        boolean createTopics;

        @Override
        public Integer call() {
            DataSet dataSet = DataSetOpener.open(path, format);
            Topic<Long, Movie> target = Topics.MOVIES.withName(topic);
            if (createTopics) {
                KafkaTopics.ensure(bootstrap, List.of(target, Topics.VIEWING_EVENTS_DLQ.withName(dlqTopic)));
            }
            ReplaySummary summary;
            try (Producer<byte[], byte[]> producer = ReplayProducers.create(bootstrap)) {
                summary = new CatalogLoader(producer, target, dlqTopic).load(dataSet);
            }
            spec.commandLine().getOut().println("loaded the catalog of " + dataSet.description() + " to " + topic + ": "
                    + ProgressPrinter.summary(summary, "movies"));
            spec.commandLine().getOut().flush();
            return 0;
        }
    }
}
