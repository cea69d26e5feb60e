package io.moerec.features.flink;

import static io.moerec.ingest.config.ConfigValues.parseInt;
import static io.moerec.ingest.config.ConfigValues.parseLong;

import io.moerec.features.FeatureConfig;
import io.moerec.ingest.json.StrictJson;
import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The parameters of the features pipeline around the feature logic, immutable and validated when
 * built (errors name the key). {@link #fromMap(Map)} reads the {@code stream.*} keys below and the
 * {@code features.*} keys of {@link FeatureConfig}; other keys are left to their owners.
 *
 * @param features               the feature logic's parameters
 * @param maxOutOfOrdernessMs    {@code stream.max-out-of-orderness-ms}: watermark lag behind the largest event time seen
 * @param idlenessMs             {@code stream.idleness-ms}: a source split without events for this long stops holding watermarks back
 * @param unknownMovieMaxBuffered {@code stream.unknown-movie.max-buffered}: events per user held while their movie is not in the catalog
 * @param unknownMovieMaxWaitMs  {@code stream.unknown-movie.max-wait-ms}: event time an event waits for its movie before it is applied without genres
 * @param emitMinIntervalMs      {@code stream.emit.min-interval-ms}: at most one update per user per this much event time (0 = every update); the last is always emitted
 * @param catalogSettleMs        {@code stream.catalog-settle-ms}: the catalog counts as loaded after this much processing time without a catalog record
 * @param maxRecordBytes         {@code stream.max-record-bytes}: a {@code viewing-events} record longer than this is dead-lettered as {@code OVERSIZE} before parsing
 */
public record FeaturesPipelineConfig(
        FeatureConfig features,
        long maxOutOfOrdernessMs,
        long idlenessMs,
        int unknownMovieMaxBuffered,
        long unknownMovieMaxWaitMs,
        long emitMinIntervalMs,
        long catalogSettleMs,
        int maxRecordBytes) implements Serializable {

    private static final long serialVersionUID = 1L;

    public static final String MAX_OUT_OF_ORDERNESS_MS = "stream.max-out-of-orderness-ms";
    public static final String IDLENESS_MS = "stream.idleness-ms";
    public static final String UNKNOWN_MOVIE_MAX_BUFFERED = "stream.unknown-movie.max-buffered";
    public static final String UNKNOWN_MOVIE_MAX_WAIT_MS = "stream.unknown-movie.max-wait-ms";
    public static final String EMIT_MIN_INTERVAL_MS = "stream.emit.min-interval-ms";
    public static final String CATALOG_SETTLE_MS = "stream.catalog-settle-ms";
    public static final String MAX_RECORD_BYTES = "stream.max-record-bytes";

    public FeaturesPipelineConfig {
        Objects.requireNonNull(features, "features");
        if (maxOutOfOrdernessMs < 0) {
            throw new IllegalArgumentException(MAX_OUT_OF_ORDERNESS_MS + " must not be negative, got " + maxOutOfOrdernessMs);
        }
        if (idlenessMs <= 0) {
            throw new IllegalArgumentException(IDLENESS_MS + " must be positive, got " + idlenessMs);
        }
        if (unknownMovieMaxBuffered < 0 || unknownMovieMaxBuffered > 10_000) {
            throw new IllegalArgumentException(UNKNOWN_MOVIE_MAX_BUFFERED + " must be in [0, 10000], got " + unknownMovieMaxBuffered);
        }
        if (unknownMovieMaxWaitMs < 0) {
            throw new IllegalArgumentException(UNKNOWN_MOVIE_MAX_WAIT_MS + " must not be negative, got " + unknownMovieMaxWaitMs);
        }
        if (emitMinIntervalMs < 0) {
            throw new IllegalArgumentException(EMIT_MIN_INTERVAL_MS + " must not be negative, got " + emitMinIntervalMs);
        }
        if (catalogSettleMs < 0) {
            throw new IllegalArgumentException(CATALOG_SETTLE_MS + " must not be negative, got " + catalogSettleMs);
        }
        StrictJson.recordLimit(MAX_RECORD_BYTES, maxRecordBytes);
    }

    /**
     * 5 s out-of-orderness, 30 s idleness, 64 buffered unknown-movie events per user waiting up to
     * 10 min of event time, no rate limit, catalog loaded after 2 s without catalog records, events of
     * at most {@link StrictJson#DEFAULT_MAX_RECORD_BYTES} (64 KiB).
     */
    public static FeaturesPipelineConfig defaults() {
        return new FeaturesPipelineConfig(FeatureConfig.defaults(), 5_000, 30_000, 64, 600_000, 0, 2_000,
                StrictJson.DEFAULT_MAX_RECORD_BYTES);
    }

    public static FeaturesPipelineConfig fromMap(Map<String, String> settings) {
        Map<String, String> values = defaults().streamKeys();
        for (Map.Entry<String, String> e : settings.entrySet()) {
            if (!e.getKey().startsWith("stream.")) {
                continue;
            }
            if (!values.containsKey(e.getKey())) {
                throw new IllegalArgumentException("unknown configuration key " + e.getKey() + "; known are " + values.keySet());
            }
            values.put(e.getKey(), e.getValue().trim());
        }
        return new FeaturesPipelineConfig(FeatureConfig.fromMap(settings),
                parseLong(values, MAX_OUT_OF_ORDERNESS_MS), parseLong(values, IDLENESS_MS),
                parseInt(values, UNKNOWN_MOVIE_MAX_BUFFERED),
                parseLong(values, UNKNOWN_MOVIE_MAX_WAIT_MS), parseLong(values, EMIT_MIN_INTERVAL_MS),
                parseLong(values, CATALOG_SETTLE_MS), StrictJson.recordLimit(MAX_RECORD_BYTES, parseLong(values, MAX_RECORD_BYTES)));
    }

    /** Every key of this and the feature logic with its value. */
    public Map<String, String> toMap() {
        Map<String, String> m = new LinkedHashMap<>(features.toMap());
        m.putAll(streamKeys());
        return m;
    }

    private Map<String, String> streamKeys() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(MAX_OUT_OF_ORDERNESS_MS, Long.toString(maxOutOfOrdernessMs));
        m.put(IDLENESS_MS, Long.toString(idlenessMs));
        m.put(UNKNOWN_MOVIE_MAX_BUFFERED, Integer.toString(unknownMovieMaxBuffered));
        m.put(UNKNOWN_MOVIE_MAX_WAIT_MS, Long.toString(unknownMovieMaxWaitMs));
        m.put(EMIT_MIN_INTERVAL_MS, Long.toString(emitMinIntervalMs));
        m.put(CATALOG_SETTLE_MS, Long.toString(catalogSettleMs));
        m.put(MAX_RECORD_BYTES, Integer.toString(maxRecordBytes));
        return m;
    }

    public FeaturesPipelineConfig withFeatures(FeatureConfig f) {
        return new FeaturesPipelineConfig(f, maxOutOfOrdernessMs, idlenessMs, unknownMovieMaxBuffered,
                unknownMovieMaxWaitMs, emitMinIntervalMs, catalogSettleMs, maxRecordBytes);
    }

    public FeaturesPipelineConfig withEmitMinIntervalMs(long v) {
        return new FeaturesPipelineConfig(features, maxOutOfOrdernessMs, idlenessMs, unknownMovieMaxBuffered,
                unknownMovieMaxWaitMs, v, catalogSettleMs, maxRecordBytes);
    }

    public FeaturesPipelineConfig withUnknownMovie(int maxBuffered, long maxWaitMs) {
        return new FeaturesPipelineConfig(features, maxOutOfOrdernessMs, idlenessMs, maxBuffered, maxWaitMs,
                emitMinIntervalMs, catalogSettleMs, maxRecordBytes);
    }

    public FeaturesPipelineConfig withMaxRecordBytes(int v) {
        return new FeaturesPipelineConfig(features, maxOutOfOrdernessMs, idlenessMs, unknownMovieMaxBuffered,
                unknownMovieMaxWaitMs, emitMinIntervalMs, catalogSettleMs, v);
    }
}
