package io.moerec.jobs.cli;

import io.moerec.ingest.domain.ViewingEvent;
import io.moerec.ingest.json.StrictJson;
import io.moerec.ingest.replay.ReplayOptions;
import io.moerec.ingest.replay.ReplayProducers;
import io.moerec.ingest.replay.ReplaySummary;
import io.moerec.ingest.replay.Replayer;
import io.moerec.ingest.source.DataSet;
import io.moerec.ingest.topic.Topic;
import io.moerec.ingest.topic.Topics;
import io.moerec.ingest.config.KafkaAccessCheck;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.producer.Producer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code moerec replay}: publishes a data set's events, see {@link Replayer}. */
@Command(name = "replay", mixinStandardHelpOptions = true,
        description = "Publishes a data set's viewing events to Kafka (key = user id) in the data set's order, "
                + "as fast as possible or time-scaled; invalid lines go to the dead-letter topic with their "
                + "original bytes and reason. Ends with a summary: sent, rejected by reason, seconds, events/s.")
final class ReplayCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "FILE|DIR", description = "A data set directory, or its events file.")
    Path path;

    @Mixin
    KafkaPublishOptions kafka;


    @Option(names = "--topic", paramLabel = "NAME", description = "Target topic (default: ${DEFAULT-VALUE}).")
    String topic = Topics.VIEWING_EVENTS.name();




    private double speed = Double.POSITIVE_INFINITY;

    private int maxRecordBytes = StrictJson.DEFAULT_MAX_RECORD_BYTES;

    @Option(names = "--max-record-bytes", paramLabel = "N",
            description = "A JSON-lines event longer than this goes to the dead-letter topic as OVERSIZE; set it to the "
                    + "features job's stream.max-record-bytes (default: 65536, range 256 to 16777216).")
    void setMaxRecordBytes(long value) {
        try {
            this.maxRecordBytes = StrictJson.recordLimit("--max-record-bytes", value);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "Invalid value for option " + e.getMessage());
        }
    }

    @Option(names = "--speed", paramLabel = "X",
            description = "Event time per real time: 60 = one hour of events per minute (default: as fast as possible).")
    void setSpeed(double value) {
        if (!(value > 0) || Double.isInfinite(value)) {
            throw new ParameterException(spec.commandLine(),
                    "Invalid value for option '--speed': must be a positive number, got " + value);
        }
        this.speed = value;
    }

    @Override
    public Integer call() {
        Map<String, Object> client = kafka.clientProperties(); // a bad setting fails before any work
        DataSet dataSet = DataSetOpener.open(path, kafka.format, maxRecordBytes);
        Topic<String, ViewingEvent> target = Topics.VIEWING_EVENTS.withName(topic);
        KafkaAccessCheck.check("replay", client, KafkaTopics.TIMEOUT);
        if (kafka.createTopics) {
            KafkaTopics.ensure(client, List.of(target, Topics.VIEWING_EVENTS_DLQ.withName(kafka.dlqTopic)));
        }
        boolean terminal = System.console() != null;
        PrintWriter out = spec.commandLine().getOut();
        ReplayOptions options = ReplayOptions.defaults().withTopic(target).withDlqTopic(kafka.dlqTopic).withSpeed(speed)
                .withProgressInterval(terminal ? Duration.ofMillis(250) : Duration.ofSeconds(5))
                .withExpectedRecords(DataSetOpener.countEventLines(path).orElse(-1));
        ProgressPrinter progress = new ProgressPrinter(out, terminal);
        ReplaySummary summary;
        try (Producer<byte[], byte[]> producer = ReplayProducers.create(ReplayProducers.config(kafka.bootstrap, client))) {
            summary = new Replayer(producer, options).replay(dataSet, progress);
        } finally {
            progress.done();
        }
        out.println("replayed " + dataSet.description() + " to " + topic + ": " + ProgressPrinter.summary(summary, "events"));
        out.flush();
        return 0;
    }
}
