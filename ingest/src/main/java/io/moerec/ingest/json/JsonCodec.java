package io.moerec.ingest.json;

/**
 * Encodes and strictly decodes one record type: as UTF-8 JSON, but for {@link UserFeaturesCodec}, which
 * writes a compact binary form and reads both. Implementations are immutable and
 * thread-safe, so one instance may serve a Kafka serde, a Flink schema and a file reader at once.
 *
 * @param <T> the record type
 */
public interface JsonCodec<T> {

    byte[] encode(T value);

    /** Decodes and validates, or says precisely why not. Never returns {@code null}. */
    T decode(byte[] bytes) throws InvalidRecordException;
}
