package io.moerec.features.flink;

import io.moerec.ingest.domain.UserPreferenceFeatures;
import io.moerec.ingest.domain.ViewingEvent;
import io.moerec.ingest.json.RejectReason;
import io.moerec.ingest.json.UserFeaturesCodec;
import io.moerec.ingest.json.ViewingEventCodec;
import io.moerec.ingest.topic.DeadLetters;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.KafkaSourceBuilder;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * The production sources and sinks of {@link FeaturesPipeline}: Kafka sources of raw records
 * ({@code read_committed}, so that aborted transactions of upstream writers are never read) and
 * Kafka sinks writing the ingest codecs' bytes, exactly-once unless a factory is given another
 * {@link DeliveryGuarantee}. Each sink has its own transactional id prefix ({@code prefix + "-features"},
 * {@code "-late"}, {@code "-dlq"}): two sinks sharing one would fence each other's producers.
 *
 * <p>Each factory has a form taking {@code clientProperties}: standard Kafka client properties
 * (security: {@code security.protocol}, {@code sasl.*}, {@code ssl.*}) given to the underlying
 * consumer, admin client or producer; the settings these factories make themselves (bootstrap
 * servers, group id, isolation level, transactional ids, transaction timeout) are applied after them.
 */
public final class KafkaConnectors {

    /** The {@code moerec.stage} header of dead letters written by this job. */
    public static final String DLQ_STAGE = "features-job";

    private KafkaConnectors() {
    }

    /**
     * A source of raw records of one topic.
     *
     * @param start   where a fresh job starts (a restored job resumes from its checkpoint)
     * @param bounded stop at the offsets that are the latest when the job starts (benchmarks, tests)
     */
    public static KafkaSource<RawRecord> rawSource(String bootstrapServers, String topic, String groupId,
                                                   OffsetsInitializer start, boolean bounded) {
        return rawSource(bootstrapServers, Map.of(), topic, groupId, start, bounded);
    }

    /** {@link #rawSource(String, String, String, OffsetsInitializer, boolean)} with extra client properties. */
    public static KafkaSource<RawRecord> rawSource(String bootstrapServers, Map<String, String> clientProperties, String topic,
                                                   String groupId, OffsetsInitializer start, boolean bounded) {
        KafkaSourceBuilder<RawRecord> b = KafkaSource.<RawRecord>builder()
                .setProperties(properties(clientProperties))
                .setBootstrapServers(bootstrapServers)
                .setTopics(topic)
                .setGroupId(groupId)
                .setStartingOffsets(start)
                .setDeserializer(new RawRecordDeserializer())
                .setProperty("isolation.level", "read_committed")
                .setClientIdPrefix(groupId + "-" + topic);
        if (bounded) {
            b.setBounded(OffsetsInitializer.latest());
        }
        return b.build();
    }

    /**
     * Exactly-once sink of features to {@code topic}, keyed by user id, value = {@link UserFeaturesCodec}'s binary form;
     * a {@link UserPreferenceFeatures#isTombstone() tombstone} (a deleted user) is written with a
     * {@code null} value.
     */
    public static KafkaSink<UserPreferenceFeatures> featuresSink(String bootstrapServers, String topic,
                                                               String transactionalIdPrefix, long transactionTimeoutMs) {
        return featuresSink(bootstrapServers, Map.of(), topic, transactionalIdPrefix, transactionTimeoutMs);
    }

    public static KafkaSink<UserPreferenceFeatures> featuresSink(String bootstrapServers, Map<String, String> clientProperties,
                                                               String topic, String transactionalIdPrefix, long transactionTimeoutMs) {
        return featuresSink(bootstrapServers, clientProperties, topic, transactionalIdPrefix, transactionTimeoutMs,
                DeliveryGuarantee.EXACTLY_ONCE);
    }

    public static KafkaSink<UserPreferenceFeatures> featuresSink(String bootstrapServers, Map<String, String> clientProperties,
                                                               String topic, String transactionalIdPrefix, long transactionTimeoutMs,
                                                               DeliveryGuarantee guarantee) {
        return sink(bootstrapServers, clientProperties, transactionalIdPrefix + "-features", transactionTimeoutMs, guarantee,
                new FeaturesSerializer(topic));
    }

    /** Exactly-once sink of late events to {@code topic}, keyed by user id, value = {@link ViewingEventCodec}. */
    public static KafkaSink<ViewingEvent> lateSink(String bootstrapServers, String topic,
                                                   String transactionalIdPrefix, long transactionTimeoutMs) {
        return lateSink(bootstrapServers, Map.of(), topic, transactionalIdPrefix, transactionTimeoutMs);
    }

    public static KafkaSink<ViewingEvent> lateSink(String bootstrapServers, Map<String, String> clientProperties, String topic,
                                                   String transactionalIdPrefix, long transactionTimeoutMs) {
        return lateSink(bootstrapServers, clientProperties, topic, transactionalIdPrefix, transactionTimeoutMs,
                DeliveryGuarantee.EXACTLY_ONCE);
    }

    public static KafkaSink<ViewingEvent> lateSink(String bootstrapServers, Map<String, String> clientProperties, String topic,
                                                   String transactionalIdPrefix, long transactionTimeoutMs,
                                                   DeliveryGuarantee guarantee) {
        return sink(bootstrapServers, clientProperties, transactionalIdPrefix + "-late", transactionTimeoutMs, guarantee,
                new LateEventSerializer(topic));
    }

    /**
     * Exactly-once sink of dead letters: original key and value, reason headers ({@link DeadLetters}),
     * requests up to {@link DeadLetters#MAX_DEAD_LETTER_BYTES}.
     */
    public static KafkaSink<RejectedRecord> deadLetterSink(String bootstrapServers, String topic,
                                                          String transactionalIdPrefix, long transactionTimeoutMs) {
        return deadLetterSink(bootstrapServers, Map.of(), topic, transactionalIdPrefix, transactionTimeoutMs);
    }

    public static KafkaSink<RejectedRecord> deadLetterSink(String bootstrapServers, Map<String, String> clientProperties,
                                                          String topic, String transactionalIdPrefix, long transactionTimeoutMs) {
        return deadLetterSink(bootstrapServers, clientProperties, topic, transactionalIdPrefix, transactionTimeoutMs,
                DeliveryGuarantee.EXACTLY_ONCE);
    }

    public static KafkaSink<RejectedRecord> deadLetterSink(String bootstrapServers, Map<String, String> clientProperties,
                                                          String topic, String transactionalIdPrefix, long transactionTimeoutMs,
                                                          DeliveryGuarantee guarantee) {
        // A rejected record may be as large as its topic allows; with the headers it needs more than the
        // producer's default 1 MiB request (an explicit max.request.size among the client properties wins).
        Map<String, String> props = new HashMap<>(clientProperties);
        props.putIfAbsent(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Integer.toString(DeadLetters.MAX_DEAD_LETTER_BYTES));
        return sink(bootstrapServers, props, transactionalIdPrefix + "-dlq", transactionTimeoutMs, guarantee,
                new DeadLetterSerializer(topic));
    }

    private static Properties properties(Map<String, String> clientProperties) {
        Properties p = new Properties();
        p.putAll(clientProperties);
        return p;
    }

    /** Only EXACTLY_ONCE and AT_LEAST_ONCE: NONE would drop what a crash left unflushed without a word. */
    private static <T> KafkaSink<T> sink(String bootstrapServers, Map<String, String> clientProperties,
                                         String transactionalIdPrefix, long transactionTimeoutMs, DeliveryGuarantee guarantee,
                                         KafkaRecordSerializationSchema<T> serializer) {
        if (guarantee == DeliveryGuarantee.NONE) {
            throw new IllegalArgumentException("the job's sinks are exactly-once or at-least-once, not " + guarantee);
        }
        return KafkaSink.<T>builder()
                .setKafkaProducerConfig(properties(clientProperties))
                .setBootstrapServers(bootstrapServers)
                .setDeliveryGuarantee(guarantee)
                .setTransactionalIdPrefix(transactionalIdPrefix)
                // The connector's default (1 h) exceeds the broker's default maximum (15 min).
                .setProperty("transaction.timeout.ms", Long.toString(transactionTimeoutMs))
                .setRecordSerializer(serializer)
                .build();
    }

    static final class RawRecordDeserializer implements KafkaRecordDeserializationSchema<RawRecord> {
        private static final long serialVersionUID = 1L;

        @Override
        public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<RawRecord> out) {
            out.collect(new RawRecord(record.key(), record.value(), record.topic(), record.partition(), record.offset()));
        }

        @Override
        public TypeInformation<RawRecord> getProducedType() {
            return TypeInformation.of(RawRecord.class);
        }
    }

    static final class FeaturesSerializer implements KafkaRecordSerializationSchema<UserPreferenceFeatures> {
        private static final long serialVersionUID = 1L;
        private final String topic;
        private transient UserFeaturesCodec codec;

        FeaturesSerializer(String topic) {
            this.topic = Objects.requireNonNull(topic, "topic");
        }

        @Override
        public ProducerRecord<byte[], byte[]> serialize(UserPreferenceFeatures f, KafkaSinkContext context, Long timestamp) {
            byte[] key = f.userId().getBytes(StandardCharsets.UTF_8);
            if (f.isTombstone()) {
                // An expired user: a null value deletes the key from the compacted topic and downstream state.
                return new ProducerRecord<>(topic, null, timestamp, key, (byte[]) null);
            }
            if (codec == null) {
                codec = new UserFeaturesCodec();
            }
            return new ProducerRecord<>(topic, null, timestamp, key, codec.encode(f));
        }
    }

    static final class LateEventSerializer implements KafkaRecordSerializationSchema<ViewingEvent> {
        private static final long serialVersionUID = 1L;
        private final String topic;
        private transient ViewingEventCodec codec;

        LateEventSerializer(String topic) {
            this.topic = Objects.requireNonNull(topic, "topic");
        }

        @Override
        public ProducerRecord<byte[], byte[]> serialize(ViewingEvent e, KafkaSinkContext context, Long timestamp) {
            if (codec == null) {
                codec = new ViewingEventCodec();
            }
            return new ProducerRecord<>(topic, null, timestamp, e.userId().getBytes(StandardCharsets.UTF_8), codec.encode(e));
        }
    }

    static final class DeadLetterSerializer implements KafkaRecordSerializationSchema<RejectedRecord> {
        private static final long serialVersionUID = 1L;
        private final String topic;

        DeadLetterSerializer(String topic) {
            this.topic = Objects.requireNonNull(topic, "topic");
        }

        @Override
        public ProducerRecord<byte[], byte[]> serialize(RejectedRecord r, KafkaSinkContext context, Long timestamp) {
            return DeadLetters.record(topic, r.getKey(), r.getValue(), RejectReason.valueOf(r.getReason()),
                    r.getDetail(), r.getSource(), r.getPosition(), DLQ_STAGE);
        }
    }
}
