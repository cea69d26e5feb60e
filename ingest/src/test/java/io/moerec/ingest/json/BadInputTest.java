package io.moerec.ingest.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The table of bad viewing events: each row is one kind of bad input, the reason it must get, a
 * fragment its detail must contain, and whether the published JSON Schema rejects it too (rows that
 * are not JSON, or break size or duplicate rules, are outside what a schema can say).
 */
class BadInputTest {

    private static final ViewingEventCodec CODEC = new ViewingEventCodec();

    /** A valid event with one field replaced (or removed when {@code value} is null). */
    static String with(String field, String value) {
        StringBuilder sb = new StringBuilder("{");
        String[][] fields = {
            {"eventId", "\"e1\""}, {"userId", "\"u1\""}, {"movieId", "42"}, {"type", "\"PLAY\""},
            {"eventTime", "1700000000000"}};
        boolean replaced = false;
        for (String[] f : fields) {
            String v = f[0].equals(field) ? value : f[1];
            replaced |= f[0].equals(field);
            if (v != null) {
                sb.append(sb.length() > 1 ? "," : "").append('"').append(f[0]).append("\":").append(v);
            }
        }
        if (!replaced && value != null) {
            sb.append(",\"").append(field).append("\":").append(value);
        }
        return sb.append('}').toString();
    }

    static Arguments row(String kind, String json, RejectReason reason, String detail, boolean schemaRejects) {
        return Arguments.of(kind, json.getBytes(StandardCharsets.UTF_8), reason, detail, schemaRejects);
    }

    static Arguments row(String kind, byte[] bytes, RejectReason reason, String detail) {
        return Arguments.of(kind, bytes, reason, detail, false);
    }

    static Stream<Arguments> badEvents() {
        byte[] invalidUtf8 = with("userId", "\"u\u00e9\"").getBytes(StandardCharsets.UTF_8);
        int lead = new String(invalidUtf8, StandardCharsets.ISO_8859_1).indexOf('\u00c3');
        invalidUtf8[lead + 1] = (byte) 0x28; // a two-byte lead followed by an ASCII byte: not UTF-8
        byte[] oversize = ("{\"eventId\":\"e1\",\"context\":{\"pad\":\"" + "x".repeat(70_000) + "\"}}")
                .getBytes(StandardCharsets.UTF_8);
        return Stream.of(
                row("empty", new byte[0], RejectReason.EMPTY, "no bytes"),
                row("whitespace only", " \n ".getBytes(StandardCharsets.UTF_8), RejectReason.MALFORMED_JSON, ""),
                row("not JSON", "hello".getBytes(StandardCharsets.UTF_8), RejectReason.MALFORMED_JSON, ""),
                row("truncated", with("type", "\"PLAY\"").substring(0, 30).getBytes(StandardCharsets.UTF_8), RejectReason.MALFORMED_JSON, ""),
                row("trailing garbage", (with("type", "\"PLAY\"") + "{}").getBytes(StandardCharsets.UTF_8), RejectReason.MALFORMED_JSON, ""),
                row("NaN literal", with("rating", "NaN").getBytes(StandardCharsets.UTF_8), RejectReason.MALFORMED_JSON, ""),
                row("invalid UTF-8", invalidUtf8, RejectReason.INVALID_UTF8, "UTF-8"),
                row("oversize", oversize, RejectReason.OVERSIZE, "limit is 65536"),
                row("duplicate field", "{\"eventId\":\"e1\",\"eventId\":\"e2\"}".getBytes(StandardCharsets.UTF_8), RejectReason.DUPLICATE_FIELD, "eventId"),
                row("array instead of object", "[1,2]", RejectReason.NOT_AN_OBJECT, "array", true),
                row("missing userId", with("userId", null), RejectReason.MISSING_FIELD, "'userId' is required", true),
                row("null movieId", with("movieId", "null"), RejectReason.MISSING_FIELD, "'movieId' is required", true),
                row("movieId as string", with("movieId", "\"42\""), RejectReason.WRONG_TYPE, "'movieId' must be an integer", true),
                row("movieId fractional", with("movieId", "4.5"), RejectReason.WRONG_TYPE, "'movieId' must be an integer", true),
                row("movieId zero", with("movieId", "0"), RejectReason.INVALID_ID, "'movieId' must be a positive", true),
                row("movieId beyond 64 bits", with("movieId", "123456789012345678901234567890"), RejectReason.VALUE_OUT_OF_RANGE, "64 bits", true),
                row("userId as number", with("userId", "7"), RejectReason.WRONG_TYPE, "'userId' must be a string", true),
                row("empty userId", with("userId", "\"\""), RejectReason.INVALID_ID, "'userId' is empty", true),
                row("userId of 10k characters", with("userId", "\"" + "u".repeat(10_000) + "\""), RejectReason.INVALID_ID, "10000 characters", true),
                row("control character in userId", with("userId", "\"u\\u0000x\""), RejectReason.INVALID_ID, "U+0000", true),
                row("path traversal in eventId", with("eventId", "\"../../etc/passwd\""), RejectReason.INVALID_ID, "U+002F", true),
                row("unknown event type", with("type", "\"WATCH\""), RejectReason.UNKNOWN_EVENT_TYPE, "'WATCH'", true),
                row("lower-case event type", with("type", "\"play\""), RejectReason.UNKNOWN_EVENT_TYPE, "'play'", true),
                row("negative timestamp", with("eventTime", "-5"), RejectReason.NEGATIVE_TIMESTAMP, "negative", true),
                row("timestamp in seconds", with("eventTime", "1700000000"), RejectReason.TIMESTAMP_IN_SECONDS, "epoch seconds", true),
                row("timestamp far future", with("eventTime", "4102444800000"), RejectReason.TIMESTAMP_OUT_OF_RANGE, "2100", true),
                row("timestamp as string", with("eventTime", "\"2023-11-14\""), RejectReason.WRONG_TYPE, "'eventTime' must be an integer", true),
                row("rating on a PLAY", with("rating", "4.0"), RejectReason.FIELD_NOT_ALLOWED_FOR_TYPE, "only valid on RATE", true),
                row("RATE without rating", with("type", "\"RATE\""), RejectReason.FIELD_REQUIRED_FOR_TYPE, "RATE events need 'rating'", true),
                row("rating too high", with("type", "\"RATE\"").replace("}", ",\"rating\":5.5}"), RejectReason.RATING_OUT_OF_RANGE, "5.5", true),
                row("rating zero", with("type", "\"RATE\"").replace("}", ",\"rating\":0}"), RejectReason.RATING_OUT_OF_RANGE, "0.0", true),
                row("rating overflowing to infinity", with("type", "\"RATE\"").replace("}", ",\"rating\":1e400}"), RejectReason.NON_FINITE_NUMBER, "finite", false),
                row("PROGRESS without duration", with("type", "\"PROGRESS\"").replace("}", ",\"watchedSeconds\":60}"), RejectReason.FIELD_REQUIRED_FOR_TYPE, "durationSeconds", true),
                row("negative watchedSeconds", with("watchedSeconds", "-1"), RejectReason.VALUE_OUT_OF_RANGE, "'watchedSeconds' is -1", true),
                row("zero duration", with("durationSeconds", "0"), RejectReason.VALUE_OUT_OF_RANGE, "'durationSeconds' must be positive", true),
                row("unknown field", with("device", "\"tv\""), RejectReason.UNKNOWN_FIELD, "'device'", true),
                row("context not an object", with("context", "\"tv\""), RejectReason.WRONG_TYPE, "'context' must be an object", true),
                row("future schema version", with("schemaVersion", "2"), RejectReason.UNSUPPORTED_SCHEMA_VERSION, "version 1", true));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badEvents")
    void eachKindOfBadInputGetsItsReason(String kind, byte[] bytes, RejectReason reason, String detail, boolean schemaRejects) {
        InvalidRecordException e = assertThrows(InvalidRecordException.class, () -> CODEC.decode(bytes), kind);
        assertEquals(reason, e.reason(), () -> kind + ": " + e.detail());
        assertTrue(e.detail().contains(detail), () -> kind + ": detail was '" + e.detail() + "'");
        assertTrue(e.detail().length() < 400, "details stay short even for huge input");
        if (schemaRejects) {
            assertFalse(SchemaContractTest.viewingEventSchemaAccepts(bytes), kind + ": the JSON Schema must reject it too");
        }
    }

    @Test
    void theTableCoversAtLeastTwentyDistinctReasons() {
        long distinct = badEvents().map(a -> a.get()[2]).distinct().count();
        assertTrue(distinct >= 20, "distinct reasons: " + distinct);
    }

    @Test
    void contextAndSchemaVersionAreAccepted() throws Exception {
        byte[] ok = with("context", "{\"device\":\"tv\",\"nested\":[1,2]}").replace("{\"eventId\"", "{\"schemaVersion\":1,\"eventId\"")
                .getBytes(StandardCharsets.UTF_8);
        assertEquals("u1", CODEC.decode(ok).userId());
        assertTrue(SchemaContractTest.viewingEventSchemaAccepts(ok));
    }

    @Test
    void sizeLimitIsConfigurable() {
        byte[] bytes = with("context", "{\"pad\":\"" + "x".repeat(500) + "\"}").getBytes(StandardCharsets.UTF_8);
        InvalidRecordException e = assertThrows(InvalidRecordException.class, () -> new ViewingEventCodec(300).decode(bytes));
        assertEquals(RejectReason.OVERSIZE, e.reason());
        assertThrows(IllegalArgumentException.class, () -> new ViewingEventCodec(10));
    }
}
