package io.moerec.jobs.trainer;

import io.moerec.ingest.domain.ModelAnnouncement;
import io.moerec.ingest.topic.Topic;
import io.moerec.ingest.topic.Topics;
import io.moerec.moe.streams.ModelUpdater;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Publishes a bundle's announcement (its path and the sha256 of its manifest, keyed by version) on
 * the {@code models} topic and waits for the broker's acknowledgement, so that a caller that goes on
 * to record the announcement knows it was sent.
 */
public final class ModelAnnouncer implements AutoCloseable {

    private static final Duration SEND_TIMEOUT = Duration.ofSeconds(30);

    private final KafkaProducer<String, ModelAnnouncement> producer;
    private final String topicName;

    /** @param clientProperties {@code bootstrap.servers} and connection settings */
    public ModelAnnouncer(Map<String, Object> clientProperties, String topicName) {
        Topic<String, ModelAnnouncement> topic = Topics.MODELS.withName(topicName);
        Map<String, Object> p = new HashMap<>(clientProperties);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "moerec-model-announcer");
        this.producer = new KafkaProducer<>(p, topic.keySerde().serializer(), topic.valueSerde().serializer());
        this.topicName = topicName;
    }

    /** Announces the bundle in {@code bundleDir} of version {@code version}; returns what was sent. */
    public ModelAnnouncement announce(Path bundleDir, String version) throws IOException {
        ModelAnnouncement a = ModelUpdater.announce(bundleDir, version, System.currentTimeMillis());
        try {
            producer.send(new ProducerRecord<>(topicName, version, a)).get(SEND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            return a;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while announcing " + version, e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IOException("could not announce " + version + " on " + topicName + ": " + e, e);
        }
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
    }
}
