package io.moerec.features.flink;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.moerec.ingest.domain.ViewingEvent;
import io.moerec.ingest.json.HostileEventRecords;
import io.moerec.ingest.json.HostileEventRecords.Case;
import io.moerec.ingest.json.InvalidRecordException;
import io.moerec.ingest.json.RejectReason;
import io.moerec.ingest.json.StrictJson;
import io.moerec.ingest.json.ViewingEventCodec;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;

/**
 * The Flink job's entry point for raw records, {@link DecodeViewingEventFunction}, fed 5,000 seeded
 * hostile and valid records ({@link HostileEventRecords}) with null, matching, mismatching and
 * non-UTF-8 keys and the odd tombstone: nothing throws (a throw would restart the job), every record
 * comes out exactly once, either decoded in input order or on the dead-letter side output with its
 * original key and value bytes and a reason.
 */
class DecodeViewingEventFunctionFuzzTest {

    @Test
    @SuppressWarnings("try") // the Flink test harness's close() declares Exception
    void everyRecordIsDecodedOrDeadLetteredWithItsBytesNeverThrown() throws Exception {
        HostileEventRecords gen = new HostileEventRecords(4242, StrictJson.DEFAULT_MAX_RECORD_BYTES, 30);
        SplittableRandom random = new SplittableRandom(4243);
        ViewingEventCodec codec = new ViewingEventCodec();
        List<RawRecord> inputs = new ArrayList<>();
        List<ViewingEvent> expectedOut = new ArrayList<>();
        List<RejectReason> expectedReasons = new ArrayList<>();
        try (OneInputStreamOperatorTestHarness<RawRecord, ViewingEvent> h =
                     ProcessFunctionTestHarnesses.forProcessFunction(new DecodeViewingEventFunction())) {
            for (int i = 0; i < 5_000; i++) {
                Case c = gen.next(0.5);
                byte[] value = random.nextInt(100) == 0 ? null : c.bytes();
                ViewingEvent decoded = null;
                RejectReason reason = null;
                if (value == null) {
                    reason = RejectReason.EMPTY;
                } else {
                    try {
                        decoded = codec.decode(value);
                    } catch (InvalidRecordException e) {
                        reason = e.reason();
                    }
                }
                String user = decoded != null ? decoded.userId() : "u1";
                byte[] key = switch (random.nextInt(4)) {
                    case 0 -> null;                                                    // a producer without keys
                    case 1 -> ("x" + user).getBytes(StandardCharsets.UTF_8);            // mis-keyed
                    case 2 -> new byte[] {(byte) 0xff, (byte) 0xc0, 0};                // not even UTF-8
                    default -> user.getBytes(StandardCharsets.UTF_8);
                };
                if (decoded != null && key != null && !new String(key, StandardCharsets.UTF_8).equals(user)) {
                    decoded = null;
                    reason = RejectReason.KEY_MISMATCH;
                }
                RawRecord raw = new RawRecord(key, value, "viewing-events", i % 4, i);
                inputs.add(raw);
                if (decoded != null) {
                    expectedOut.add(decoded);
                } else {
                    expectedReasons.add(reason);
                }
                h.processElement(raw, i);
            }
            assertEquals(expectedOut, h.extractOutputValues());
            List<RejectedRecord> dead = new ArrayList<>();
            for (StreamRecord<RejectedRecord> r : h.getSideOutput(DecodeViewingEventFunction.DEAD_LETTERS)) {
                dead.add(r.getValue());
            }
            assertEquals(5_000, expectedOut.size() + dead.size(), "each record exactly once");
            assertTrue(dead.size() > 2_000 && expectedOut.size() > 1_000, "a real mix: " + dead.size() + " dead");
            for (int k = 0; k < dead.size(); k++) {
                RejectedRecord d = dead.get(k);
                RawRecord in = inputs.get(Integer.parseInt(d.getPosition().substring(d.getPosition().indexOf(':') + 1)));
                assertArrayEquals(in.getValue(), d.getValue());
                assertArrayEquals(in.getKey(), d.getKey());
                assertEquals(expectedReasons.get(k).name(), d.getReason());
                assertTrue(!d.getDetail().isBlank());
            }
        }
    }
}
