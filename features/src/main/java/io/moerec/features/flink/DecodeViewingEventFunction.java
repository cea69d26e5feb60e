package io.moerec.features.flink;

import io.moerec.ingest.domain.ViewingEvent;
import io.moerec.ingest.json.InvalidRecordException;
import io.moerec.ingest.json.RejectReason;
import io.moerec.ingest.json.StrictJson;
import io.moerec.ingest.json.ViewingEventCodec;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Decodes raw {@code viewing-events} records with the strict ingest codec. A record that does not
 * decode never fails the job: it goes to {@link #DEAD_LETTERS} with its original bytes and the
 * reason, and is counted ({@code dlq}). A record whose Kafka key is present but differs from the
 * event's user id is rejected as {@link RejectReason#KEY_MISMATCH} (its producer partitions wrongly);
 * a missing key is accepted because the job re-keys by user anyway. A record longer than the configured
 * limit is rejected as {@link RejectReason#OVERSIZE} before it is parsed.
 */
public final class DecodeViewingEventFunction extends ProcessFunction<RawRecord, ViewingEvent> {

    private static final long serialVersionUID = 1L;

    /** Records that could not be decoded, with their original bytes. */
    public static final OutputTag<RejectedRecord> DEAD_LETTERS = new OutputTag<>("viewing-events-dlq") {
        private static final long serialVersionUID = 1L;
    };

    private final int maxRecordBytes;
    private transient ViewingEventCodec codec;
    private transient Counter dlq;

    /** Decodes records of at most {@link StrictJson#DEFAULT_MAX_RECORD_BYTES}. */
    public DecodeViewingEventFunction() {
        this(StrictJson.DEFAULT_MAX_RECORD_BYTES);
    }

    /** Decodes records of at most {@code maxRecordBytes} ({@value FeaturesPipelineConfig#MAX_RECORD_BYTES}). */
    public DecodeViewingEventFunction(int maxRecordBytes) {
        this.maxRecordBytes = StrictJson.recordLimit(FeaturesPipelineConfig.MAX_RECORD_BYTES, maxRecordBytes);
    }

    @Override
    public void open(OpenContext openContext) {
        codec = new ViewingEventCodec(maxRecordBytes);
        dlq = getRuntimeContext().getMetricGroup().counter("dlq");
    }

    @Override
    public void processElement(RawRecord raw, Context ctx, Collector<ViewingEvent> out) {
        if (raw.getValue() == null) {
            reject(raw, RejectReason.EMPTY, "the record is a tombstone (no value)", ctx);
            return;
        }
        ViewingEvent event;
        try {
            event = codec.decode(raw.getValue());
        } catch (InvalidRecordException e) {
            reject(raw, e.reason(), e.detail(), ctx);
            return;
        }
        byte[] key = raw.getKey();
        if (key != null && !Arrays.equals(key, event.userId().getBytes(StandardCharsets.UTF_8))) {
            reject(raw, RejectReason.KEY_MISMATCH, "the Kafka key differs from field 'userId'", ctx);
            return;
        }
        out.collect(event);
    }

    private void reject(RawRecord raw, RejectReason reason, String detail, Context ctx) {
        dlq.inc();
        ctx.output(DEAD_LETTERS, new RejectedRecord(raw, reason, detail));
    }
}
