package io.moerec.moe.streams;

import io.moerec.ingest.domain.Genre;
import java.nio.ByteBuffer;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * One task's online state of the balanced router for one model version: the selection bias per
 * expert, the experts' load in the batch under way, and the total load seen. Stored (changelogged) so
 * that a restarted or moved task continues from the same bias instead of the bundle's calibrated one.
 *
 * @param bias      per genre expert
 * @param batchLoad users routed to each expert since the last bias update
 * @param totalLoad users routed to each expert under this model version
 */
record RouterState(double[] bias, long[] batchLoad, long[] totalLoad) {

    static RouterState initial(double[] bias) {
        return new RouterState(bias.clone(), new long[Genre.COUNT], new long[Genre.COUNT]);
    }

    long batchSize() {
        long n = 0;
        for (long l : batchLoad) {
            n += l;
        }
        return n;
    }

    /** Fixed-size binary form: 18 doubles then 2 × 18 longs. */
    static final class StateSerde implements Serde<RouterState> {
        private static final int BYTES = Genre.COUNT * (Double.BYTES + 2 * Long.BYTES);

        @Override
        public Serializer<RouterState> serializer() {
            return (topic, s) -> {
                if (s == null) {
                    return null;
                }
                ByteBuffer b = ByteBuffer.allocate(BYTES);
                for (double v : s.bias) {
                    b.putDouble(v);
                }
                for (long v : s.batchLoad) {
                    b.putLong(v);
                }
                for (long v : s.totalLoad) {
                    b.putLong(v);
                }
                return b.array();
            };
        }

        @Override
        public Deserializer<RouterState> deserializer() {
            return (topic, data) -> {
                if (data == null) {
                    return null;
                }
                if (data.length != BYTES) {
                    throw new SerializationException("router state needs " + BYTES + " bytes, got " + data.length);
                }
                ByteBuffer b = ByteBuffer.wrap(data);
                double[] bias = new double[Genre.COUNT];
                long[] batch = new long[Genre.COUNT];
                long[] total = new long[Genre.COUNT];
                for (int i = 0; i < Genre.COUNT; i++) {
                    bias[i] = b.getDouble();
                }
                for (int i = 0; i < Genre.COUNT; i++) {
                    batch[i] = b.getLong();
                }
                for (int i = 0; i < Genre.COUNT; i++) {
                    total[i] = b.getLong();
                }
                return new RouterState(bias, batch, total);
            };
        }
    }
}
