package io.moerec.moe.streams;

import java.nio.ByteBuffer;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/** Big-endian {@code long[]} for the watched-movies store: 8 bytes per id, no framing. */
final class LongArraySerde implements Serde<long[]> {

    @Override
    public Serializer<long[]> serializer() {
        return (topic, data) -> {
            if (data == null) {
                return null;
            }
            ByteBuffer b = ByteBuffer.allocate(data.length * Long.BYTES);
            for (long v : data) {
                b.putLong(v);
            }
            return b.array();
        };
    }

    @Override
    public Deserializer<long[]> deserializer() {
        return (topic, data) -> {
            if (data == null) {
                return null;
            }
            if (data.length % Long.BYTES != 0) {
                throw new SerializationException("a long[] needs a multiple of 8 bytes, got " + data.length);
            }
            ByteBuffer b = ByteBuffer.wrap(data);
            long[] out = new long[data.length / Long.BYTES];
            for (int i = 0; i < out.length; i++) {
                out[i] = b.getLong();
            }
            return out;
        };
    }
}
