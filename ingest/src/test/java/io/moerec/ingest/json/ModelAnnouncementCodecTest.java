package io.moerec.ingest.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import io.moerec.ingest.domain.ModelAnnouncement;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The model announcement's wire form: round trip, schema contract, strict rejections. */
class ModelAnnouncementCodecTest {

    private static final ModelAnnouncementCodec CODEC = new ModelAnnouncementCodec();
    private static final String SHA = "0123456789abcdef".repeat(4);

    @Test
    void roundTripsAndValidatesAgainstTheSchema() throws Exception {
        ModelAnnouncement a = new ModelAnnouncement("moe-0123abcd", "/var/lib/moerec/models/moe-0123abcd", SHA, 1_700_000_000_000L);
        byte[] bytes = CODEC.encode(a);
        assertEquals(a, CODEC.decode(bytes));
        JsonSchema schema = SchemaContractTest.schema("model-announcement");
        assertTrue(schema.validate(new ObjectMapper().readTree(bytes)).isEmpty());
    }

    @Test
    void rejectsABadHashAnUnknownFieldAndABadVersion() {
        String ok = "\"reference\":\"/m\",\"announcedAt\":1700000000000";
        assertEquals(RejectReason.VALUE_OUT_OF_RANGE, reject("{\"modelVersion\":\"v1\",\"manifestSha256\":\"ABC\"," + ok + "}"));
        assertEquals(RejectReason.UNKNOWN_FIELD,
                reject("{\"modelVersion\":\"v1\",\"manifestSha256\":\"" + SHA + "\",\"bytes\":\"x\"," + ok + "}"));
        assertEquals(RejectReason.INVALID_ID, reject("{\"modelVersion\":\"v 1\",\"manifestSha256\":\"" + SHA + "\"," + ok + "}"));
    }

    private static RejectReason reject(String json) {
        return assertThrows(InvalidRecordException.class, () -> CODEC.decode(json.getBytes(StandardCharsets.UTF_8))).reason();
    }
}
