package io.moerec.features.flink;

import io.moerec.ingest.json.InvalidRecordException;
import io.moerec.ingest.json.MovieCodec;
import io.moerec.ingest.topic.MovieIdSerde;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decodes raw {@code movies} records into {@link CatalogUpdate}s; a tombstone (keyed by movie id,
 * no value) deletes the movie. The catalog is owned by its loader, which has its own dead-letter
 * path; a bad catalog record here is logged, counted ({@code catalogRejected}) and skipped.
 */
public final class DecodeCatalogFunction extends ProcessFunction<RawRecord, CatalogUpdate> {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(DecodeCatalogFunction.class);

    private transient MovieCodec codec;
    private transient MovieIdSerde keys;
    private transient Counter rejected;
    private transient Counter updates;

    @Override
    public void open(OpenContext openContext) {
        codec = new MovieCodec();
        keys = new MovieIdSerde();
        rejected = getRuntimeContext().getMetricGroup().counter("catalogRejected");
        updates = getRuntimeContext().getMetricGroup().counter("catalogUpdates");
    }

    @Override
    public void processElement(RawRecord raw, Context ctx, Collector<CatalogUpdate> out) {
        try {
            if (raw.getValue() == null) {
                if (raw.getKey() == null) {
                    throw new IllegalArgumentException("a tombstone without a key");
                }
                out.collect(CatalogUpdate.deletion(keys.deserializer().deserialize(raw.getTopic(), raw.getKey())));
            } else {
                out.collect(CatalogUpdate.of(codec.decode(raw.getValue())));
            }
            updates.inc();
        } catch (InvalidRecordException | RuntimeException e) {
            rejected.inc();
            LOG.warn("skipping catalog record {}: {}", raw, e.toString());
        }
    }
}
