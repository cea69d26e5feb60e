package io.moerec.it;

import io.moerec.ingest.replay.ReplayOptions;
import io.moerec.ingest.replay.ReplayProducers;
import io.moerec.ingest.replay.ReplaySummary;
import io.moerec.ingest.replay.Replayer;
import io.moerec.ingest.source.JsonLinesDataSet;
import io.moerec.ingest.topic.Topic;
import io.moerec.ingest.topic.Topics;
import io.moerec.jobs.broker.EmbeddedKafkaBroker;
import io.moerec.jobs.testing.EventLogFixture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.apache.kafka.clients.producer.Producer;

/**
 * Not a test (the name keeps surefire away): measures the embedded broker's start time and replay
 * throughput into it for a large JSON-lines log. One JVM per invocation so
 * that the first broker start is a cold one. Arguments: data directory (written if it has no log),
 * number of events, number of replays.
 */
public final class ReplayThroughputMeasurement {

    private ReplayThroughputMeasurement() {
    }

    public static void main(String[] args) {
        Path dir = Path.of(args[0]);
        int events = Integer.parseInt(args[1]);
        int replays = Integer.parseInt(args[2]);
        if (!Files.exists(dir.resolve(JsonLinesDataSet.EVENTS_FILE))) {
            long t0 = System.nanoTime();
            EventLogFixture.write(dir, events, 10_000, 1, true, false);
            System.out.printf(Locale.ROOT, "wrote %d events in %.1f s%n", events, (System.nanoTime() - t0) / 1e9);
        }
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start()) {
            System.out.printf(Locale.ROOT, "broker start: %d ms%n", broker.startupTime().toMillis());
            for (int i = 1; i <= replays; i++) {
                Topic<String, io.moerec.ingest.domain.ViewingEvent> topic = Topics.VIEWING_EVENTS.withName("events-" + i);
                Topic<byte[], byte[]> dlq = Topics.VIEWING_EVENTS_DLQ.withName("dlq-" + i);
                broker.createTopics(List.of(topic, dlq));
                try (Producer<byte[], byte[]> producer = ReplayProducers.create(broker.bootstrapServers())) {
                    ReplaySummary s = new Replayer(producer, ReplayOptions.defaults().withTopic(topic).withDlqTopic(dlq.name()))
                            .replay(new JsonLinesDataSet(dir));
                    System.out.printf(Locale.ROOT, "replay %d: %s%n", i, s);
                }
            }
        }
    }
}
