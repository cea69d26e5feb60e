package io.moerec.jobs.pipeline;

import io.moerec.ingest.domain.RecommendationList;
import io.moerec.ingest.domain.UserPreferenceFeatures;
import io.moerec.ingest.domain.ViewingEvent;
import io.moerec.ingest.json.InvalidRecordException;
import io.moerec.ingest.json.RejectReason;
import io.moerec.ingest.json.UserFeaturesCodec;
import io.moerec.ingest.json.ViewingEventCodec;
import io.moerec.ingest.topic.DeadLetters;
import io.moerec.ingest.topic.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads what a running pipeline writes, as a platform backend would ({@code read_committed}, every
 * partition from the beginning, no consumer group), and folds it into {@link PipelineObservations}
 * on its own thread: {@code viewing-events}, {@code user-features}, {@code viewing-events-late},
 * {@code viewing-events-dlq} and {@code recommendations}.
 *
 * <p>{@code viewing-events} and {@code user-features} may hold records their writers did not check
 * (anyone with write access can produce there): a record the features job would reject (it does not
 * decode with the same strict codec, is a tombstone, or its key is not its user id) is folded as
 * published but invalid, with the reason the job gives it; a {@code user-features} record that does
 * not decode is folded as an invalid features record. Valid records are decoded as strictly as before.
 */
public final class PipelineMonitor implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PipelineMonitor.class);

    private final PipelineObservations observations;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Thread thread;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final Deserializer<ViewingEvent> events = Topics.VIEWING_EVENTS.valueSerde().deserializer();
    /** The features job's own decoder (same record limit): the verdicts must be the job's. */
    private final ViewingEventCodec eventCodec = new ViewingEventCodec();
    private final UserFeaturesCodec featuresCodec = new UserFeaturesCodec();
    private final Deserializer<RecommendationList> lists = Topics.RECOMMENDATIONS.valueSerde().deserializer();

    /** Starts reading at once; {@code clientProperties} are extra Kafka client settings (security, say). */
    public PipelineMonitor(String bootstrapServers, Map<String, Object> clientProperties, PipelineObservations observations) {
        this.observations = Objects.requireNonNull(observations, "observations");
        Map<String, Object> config = new HashMap<>(clientProperties);
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000);
        this.consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> partitions = new ArrayList<>();
        for (String topic : List.of(Topics.VIEWING_EVENTS.name(), Topics.USER_FEATURES.name(), Topics.VIEWING_EVENTS_LATE.name(),
                Topics.VIEWING_EVENTS_DLQ.name(), Topics.RECOMMENDATIONS.name())) {
            consumer.partitionsFor(topic, Duration.ofSeconds(30))
                    .forEach(p -> partitions.add(new TopicPartition(p.topic(), p.partition())));
        }
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        this.thread = new Thread(this::run, "moerec-pipeline-monitor");
        thread.setDaemon(true);
        thread.start();
    }

    public PipelineObservations observations() {
        return observations;
    }

    /** Throws if the reading thread died. */
    public void check() {
        Throwable t = failure.get();
        if (t != null) {
            throw new IllegalStateException("the pipeline monitor failed: " + t, t);
        }
    }

    private void run() {
        try {
            while (running.get()) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    fold(r, System.currentTimeMillis());
                }
            }
        } catch (WakeupException e) {
            if (running.get()) {
                failure.set(e);
            }
        } catch (RuntimeException e) {
            LOG.error("pipeline monitor stopped", e);
            failure.set(e);
        } finally {
            consumer.close(org.apache.kafka.clients.consumer.CloseOptions.timeout(Duration.ofSeconds(5)));
        }
    }

    private void fold(ConsumerRecord<byte[], byte[]> r, long now) {
        String topic = r.topic();
        if (topic.equals(Topics.VIEWING_EVENTS.name())) {
            foldEvent(r);
        } else if (topic.equals(Topics.USER_FEATURES.name())) {
            if (r.value() != null) {
                UserPreferenceFeatures f;
                try {
                    f = featuresCodec.decode(r.value());
                } catch (InvalidRecordException e) {
                    observations.invalidFeaturesPublished(e.reason().name());
                    return;
                }
                observations.featuresUpdated(f);
            }
        } else if (topic.equals(Topics.VIEWING_EVENTS_LATE.name())) {
            observations.lateEvent(events.deserialize(topic, r.value()));
        } else if (topic.equals(Topics.VIEWING_EVENTS_DLQ.name())) {
            observations.deadLetter(String.valueOf(DeadLetters.header(r.headers(), DeadLetters.STAGE)),
                    String.valueOf(DeadLetters.header(r.headers(), DeadLetters.REASON)));
        } else if (r.value() != null) {
            observations.listPublished(lists.deserialize(topic, r.value()), now);
        }
    }

    /** The features job's verdict on a {@code viewing-events} record ({@code DecodeViewingEventFunction}). */
    private void foldEvent(ConsumerRecord<byte[], byte[]> r) {
        if (r.value() == null) {
            observations.invalidEventPublished(RejectReason.EMPTY.name());
            return;
        }
        ViewingEvent e;
        try {
            e = eventCodec.decode(r.value());
        } catch (InvalidRecordException invalid) {
            observations.invalidEventPublished(invalid.reason().name());
            return;
        }
        if (r.key() != null && !Arrays.equals(r.key(), e.userId().getBytes(StandardCharsets.UTF_8))) {
            observations.invalidEventPublished(RejectReason.KEY_MISMATCH.name());
            return;
        }
        observations.eventPublished(e, r.timestamp());
    }

    @Override
    public void close() {
        running.set(false);
        consumer.wakeup();
        try {
            thread.join(Duration.ofSeconds(10).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
