package io.moerec.ingest.replay;

import io.moerec.ingest.topic.DeadLetters;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The producer settings replay and catalog loading rely on: idempotent ({@code enable.idempotence},
 * {@code acks=all}, at most 5 requests in flight) so that a retried batch is neither duplicated nor
 * reordered, which keeps each user's events in source order; batches sized for throughput.
 */
public final class ReplayProducers {

    private ReplayProducers() {
    }

    /** Settings for a bytes-to-bytes producer; {@code overrides} win (e.g. security settings). */
    public static Map<String, Object> config(String bootstrapServers, Map<String, ?> overrides) {
        Map<String, Object> p = new HashMap<>();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "moerec-replay");
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
        p.put(ProducerConfig.LINGER_MS_CONFIG, 10);
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
        p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, 64L * 1024 * 1024);
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 30_000);
        // The dead letter of a line as long as the record limit allows, headers added, must fit.
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, DeadLetters.MAX_DEAD_LETTER_BYTES);
        p.putAll(overrides);
        return p;
    }

    public static Producer<byte[], byte[]> create(String bootstrapServers) {
        return create(config(bootstrapServers, Map.of()));
    }

    public static Producer<byte[], byte[]> create(Map<String, Object> config) {
        return new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer());
    }
}
