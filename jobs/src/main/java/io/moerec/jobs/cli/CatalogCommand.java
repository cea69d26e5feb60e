package io.moerec.jobs.cli;

import io.moerec.ingest.domain.Movie;
import io.moerec.ingest.replay.CatalogLoader;
import io.moerec.ingest.replay.ReplayProducers;
import io.moerec.ingest.replay.ReplaySummary;
import io.moerec.ingest.source.DataSet;
import io.moerec.ingest.topic.Topic;
import io.moerec.ingest.topic.Topics;
import io.moerec.ingest.config.KafkaAccessCheck;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.producer.Producer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
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

        @Mixin
        KafkaPublishOptions kafka;


        @Option(names = "--topic", paramLabel = "NAME", description = "Catalog topic (default: ${DEFAULT-VALUE}).")
        String topic = Topics.MOVIES.name();




        @Override
        public Integer call() {
            Map<String, Object> client = kafka.clientProperties(); // a bad setting fails before any work
            DataSet dataSet = DataSetOpener.open(path, kafka.format);
            Topic<Long, Movie> target = Topics.MOVIES.withName(topic);
            KafkaAccessCheck.check("catalog load", client, KafkaTopics.TIMEOUT);
            if (kafka.createTopics) {
                KafkaTopics.ensure(client, List.of(target, Topics.VIEWING_EVENTS_DLQ.withName(kafka.dlqTopic)));
            }
            ReplaySummary summary;
            try (Producer<byte[], byte[]> producer = ReplayProducers.create(ReplayProducers.config(kafka.bootstrap, client))) {
                summary = new CatalogLoader(producer, target, kafka.dlqTopic).load(dataSet);
            }
            spec.commandLine().getOut().println("loaded the catalog of " + dataSet.description() + " to " + topic + ": "
                    + ProgressPrinter.summary(summary, "movies"));
            spec.commandLine().getOut().flush();
            return 0;
        }
    }
}
