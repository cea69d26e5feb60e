package io.moerec.ingest.topic;

import io.moerec.ingest.json.InvalidRecordException;
import io.moerec.ingest.json.JsonCodec;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Adapts a {@link JsonCodec} to Kafka. A record that fails validation surfaces as a
 * {@link SerializationException} whose cause is the {@link InvalidRecordException}, which Kafka
 * Streams' deserialization handler and moerec's consumers route to the dead-letter topic.
 * {@code null} maps to {@code null} both ways (tombstones).
 */
public final class JsonSerde<T> implements Serde<T> {

    private final JsonCodec<T> codec;
    private final Serializer<T> serializer;
    private final Deserializer<T> deserializer;

    public JsonSerde(JsonCodec<T> codec) {
        this.codec = codec;
        this.serializer = (topic, data) -> data == null ? null : codec.encode(data);
        this.deserializer = (topic, data) -> {
            if (data == null) {
                return null;
            }
            try {
                return codec.decode(data);
            } catch (InvalidRecordException e) {
                throw new SerializationException("invalid record on " + topic + ": " + e, e);
            }
        };
    }

    public JsonCodec<T> codec() {
        return codec;
    }

    @Override
    public Serializer<T> serializer() {
        return serializer;
    }

    @Override
    public Deserializer<T> deserializer() {
        return deserializer;
    }
}
