package io.moerec.ingest.topic;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Movie ids as keys: the decimal digits in ASCII, so that a consumer in any language reads the key
 * as text (the same convention as user ids).
 */
public final class MovieIdSerde implements Serde<Long> {

    private static final Serializer<Long> SERIALIZER =
            (topic, id) -> id == null ? null : Long.toString(id).getBytes(StandardCharsets.US_ASCII);

    private static final Deserializer<Long> DESERIALIZER = (topic, data) -> {
        if (data == null) {
            return null;
        }
        try {
            return Long.parseLong(new String(data, StandardCharsets.US_ASCII));
        } catch (NumberFormatException e) {
            throw new SerializationException("movie key on " + topic + " is not a decimal id", e);
        }
    };

    @Override
    public Serializer<Long> serializer() {
        return SERIALIZER;
    }

    @Override
    public Deserializer<Long> deserializer() {
        return DESERIALIZER;
    }
}
