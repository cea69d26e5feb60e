package io.moerec.features.flink;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.moerec.ingest.domain.EventType;
import io.moerec.ingest.domain.ViewingEvent;
import io.moerec.ingest.json.StrictJson;
import io.moerec.ingest.json.ViewingEventCodec;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;

/**
 * The record limit of {@value FeaturesPipelineConfig#MAX_RECORD_BYTES}: read from configuration,
 * validated naming the key, and applied by {@link DecodeViewingEventFunction}: a record of exactly
 * the limit is decoded, one byte more is dead-lettered as {@code OVERSIZE} with the limit in its detail.
 */
class DecodeViewingEventFunctionLimitTest {

    private static byte[] pad(byte[] json, int size) {
        byte[] b = Arrays.copyOf(json, size);
        Arrays.fill(b, json.length, size, (byte) ' '); // trailing whitespace: still valid JSON
        return b;
    }

    @Test
    void aRecordOneByteOverTheConfiguredLimitIsDeadLetteredAndOneAtTheLimitDecoded() throws Exception {
        FeaturesPipelineConfig config = FeaturesPipelineConfig.fromMap(Map.of(FeaturesPipelineConfig.MAX_RECORD_BYTES, "300"));
        assertEquals(300, config.maxRecordBytes());
        ViewingEvent event = new ViewingEvent("e1", "u1", 7L, EventType.PLAY, 1_700_000_000_000L, null, null, null);
        byte[] json = new ViewingEventCodec().encode(event);
        byte[] key = "u1".getBytes(StandardCharsets.UTF_8);
        byte[] atLimit = pad(json, 300);
        byte[] overLimit = pad(json, 301);
        // Closed in finally, not by try-with-resources: the harness's close() may throw InterruptedException (-Xlint:try).
        OneInputStreamOperatorTestHarness<RawRecord, ViewingEvent> h =
                ProcessFunctionTestHarnesses.forProcessFunction(new DecodeViewingEventFunction(config.maxRecordBytes()));
        try {
            h.processElement(new RawRecord(key, overLimit, "viewing-events", 0, 0), 0);
            h.processElement(new RawRecord(key, atLimit, "viewing-events", 0, 1), 1);
            assertEquals(List.of(event), h.extractOutputValues());
            List<RejectedRecord> dead = h.getSideOutput(DecodeViewingEventFunction.DEAD_LETTERS).stream()
                    .map(StreamRecord::getValue).toList();
            assertEquals(1, dead.size());
            assertEquals("OVERSIZE", dead.get(0).getReason());
            assertTrue(dead.get(0).getDetail().contains("the limit is 300"), dead.get(0).getDetail());
            assertArrayEquals(overLimit, dead.get(0).getValue());
        } finally {
            h.close();
        }
    }

    @Test
    void aBadLimitNamesTheKey() {
        for (String bad : List.of("255", "16777217", "big")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> FeaturesPipelineConfig.fromMap(Map.of(FeaturesPipelineConfig.MAX_RECORD_BYTES, bad)));
            assertTrue(e.getMessage().contains(FeaturesPipelineConfig.MAX_RECORD_BYTES), e.getMessage());
        }
        assertEquals(StrictJson.DEFAULT_MAX_RECORD_BYTES, FeaturesPipelineConfig.defaults().maxRecordBytes());
    }
}
