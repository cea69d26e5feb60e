package io.moerec.jobs.bench;

import io.moerec.ingest.domain.ViewingEvent;
import io.moerec.ingest.replay.ReplayOptions;
import io.moerec.ingest.replay.ReplaySummary;
import io.moerec.ingest.replay.Replayer;
import io.moerec.ingest.source.DataSet;
import io.moerec.ingest.topic.Topic;
import io.moerec.ingest.topic.Topics;
import io.moerec.jobs.pipeline.PipelineSession;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The broker alone on the benchmark's records: the replayer (the session's producer, so the same
 * settings the pipeline's replay uses) publishes the data set's events to a fresh topic with the
 * events topic's partitions until every record is acknowledged, then one consumer reads them all back
 * as bytes ({@code read_committed}, as the pipeline's consumers read). What it leaves out is exactly
 * the pipeline: the features job, the scoring app and their transactions.
 */
final class BrokerRoundTrip {

    static final String TOPIC = "bench-broker-events";
    private static final Duration CONSUME_TIMEOUT = Duration.ofMinutes(10);

    private BrokerRoundTrip() {
    }

    static BenchReport.RoundTrip measure(PipelineSession session, DataSet data) {
        Topic<String, ViewingEvent> topic = Topics.VIEWING_EVENTS.withName(TOPIC);
        Topic<byte[], byte[]> dlq = Topics.VIEWING_EVENTS_DLQ.withName("bench-broker-dlq");
        session.broker().createTopics(List.of(topic, dlq));
        long t0 = System.nanoTime();
        ReplaySummary sent = new Replayer(session.producer(), ReplayOptions.defaults().withTopic(topic).withDlqTopic(dlq.name()))
                .replay(data);
        double produceSeconds = (System.nanoTime() - t0) / 1e9;

        Map<String, Object> config = new HashMap<>();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, session.bootstrapServers());
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000);
        long t1 = System.nanoTime();
        long read = 0;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            consumer.partitionsFor(TOPIC, Duration.ofSeconds(30)).forEach(p -> partitions.add(new TopicPartition(TOPIC, p.partition())));
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long deadline = t1 + CONSUME_TIMEOUT.toNanos();
            while (read < sent.sent()) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("read back only " + read + " of " + sent.sent() + " records within " + CONSUME_TIMEOUT);
                }
                read += consumer.poll(Duration.ofMillis(200)).count();
            }
        }
        double consumeSeconds = (System.nanoTime() - t1) / 1e9;
        return new BenchReport.RoundTrip(TOPIC, sent.sent(), produceSeconds, consumeSeconds);
    }
}
