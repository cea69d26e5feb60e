package io.moerec.features.flink;

import static io.moerec.ingest.config.ConfigValues.requireInRange;
import static io.moerec.ingest.config.ConfigValues.requireNonNegative;
import static io.moerec.ingest.config.ConfigValues.requirePositive;
import static io.moerec.ingest.config.ValueParser.intIn;
import static io.moerec.ingest.config.ValueParser.nonNegativeMillis;
import static io.moerec.ingest.config.ValueParser.positiveMillis;

import io.moerec.features.FeatureConfig;
import io.moerec.ingest.config.ConfigSpec;
import io.moerec.ingest.config.LayeredConfig;
import io.moerec.ingest.json.StrictJson;
import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * The parameters of the features pipeline around the feature logic, immutable and validated when
 * built (errors name the key). Keys, defaults and descriptions live in {@link #SPEC} (the
 * {@code stream.*} keys below and the {@code features.*} keys of {@link FeatureConfig}); the
 * constructor checks the same ranges, for records built in code. {@link #fromMap(Map)} reads those
 * keys; other keys are left to their owners.
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

    /** Every {@code stream.*} and {@code features.*} key, declared once: name, default, description, type. */
    public static final ConfigSpec SPEC = ConfigSpec.builder()
            .include(FeatureConfig.SPEC)
            .key(MAX_OUT_OF_ORDERNESS_MS, "5000", nonNegativeMillis(), "watermark lag behind the largest event time seen, ms")
            .key(IDLENESS_MS, "30000", positiveMillis(), "a source split without events for this long stops holding watermarks back, ms")
            .key(UNKNOWN_MOVIE_MAX_BUFFERED, "64", intIn(0, 10_000),
                    "events per user buffered while their movie is not in the catalog (0 = apply without genres at once)")
            .key(UNKNOWN_MOVIE_MAX_WAIT_MS, "600000", nonNegativeMillis(),
                    "event time a buffered event waits for its movie before it is applied without genres, ms")
            .key(EMIT_MIN_INTERVAL_MS, "0", nonNegativeMillis(),
                    "at most one update per user per this much event time (0 = every update); the last is always emitted")
            .key(CATALOG_SETTLE_MS, "2000", nonNegativeMillis(),
                    "the catalog counts as loaded after this much processing time without a catalog record, ms")
            .key(MAX_RECORD_BYTES, Integer.toString(StrictJson.DEFAULT_MAX_RECORD_BYTES), StrictJson.recordLimitParser(),
                    "a `viewing-events` record longer than this goes to the DLQ as `OVERSIZE` before parsing, bytes")
            .build();

    public FeaturesPipelineConfig {
        Objects.requireNonNull(features, "features");
        requireNonNegative(MAX_OUT_OF_ORDERNESS_MS, maxOutOfOrdernessMs);
        requirePositive(IDLENESS_MS, idlenessMs);
        requireInRange(UNKNOWN_MOVIE_MAX_BUFFERED, unknownMovieMaxBuffered, 0, 10_000);
        requireNonNegative(UNKNOWN_MOVIE_MAX_WAIT_MS, unknownMovieMaxWaitMs);
        requireNonNegative(EMIT_MIN_INTERVAL_MS, emitMinIntervalMs);
        requireNonNegative(CATALOG_SETTLE_MS, catalogSettleMs);
        StrictJson.recordLimit(MAX_RECORD_BYTES, maxRecordBytes);
    }

    /**
     * The defaults of {@link #SPEC}: 5 s out-of-orderness, 30 s idleness, 64 buffered unknown-movie
     * events per user waiting up to 10 min of event time, no rate limit, catalog loaded after 2 s
     * without catalog records, events of at most {@link StrictJson#DEFAULT_MAX_RECORD_BYTES} (64 KiB).
     */
    public static FeaturesPipelineConfig defaults() {
        return fromMap(Map.of());
    }

    /** Reads the {@code stream.*} and {@code features.*} keys over the defaults; unknown ones among them fail. */
    public static FeaturesPipelineConfig fromMap(Map<String, String> settings) {
        return from(SPEC.parse(settings.entrySet().stream()
                .filter(e -> e.getKey().startsWith("stream.") || e.getKey().startsWith("features."))
                .collect(Collectors.toMap(Map.Entry::getKey, e -> String.valueOf(e.getValue())))));
    }

    /** The parameters from a configuration whose spec includes {@link #SPEC}. */
    public static FeaturesPipelineConfig from(LayeredConfig c) {
        return new FeaturesPipelineConfig(FeatureConfig.from(c),
                c.get(MAX_OUT_OF_ORDERNESS_MS, Long.class), c.get(IDLENESS_MS, Long.class),
                c.get(UNKNOWN_MOVIE_MAX_BUFFERED, Integer.class), c.get(UNKNOWN_MOVIE_MAX_WAIT_MS, Long.class),
                c.get(EMIT_MIN_INTERVAL_MS, Long.class), c.get(CATALOG_SETTLE_MS, Long.class),
                c.get(MAX_RECORD_BYTES, Integer.class));
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
