package io.moerec.ingest.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonFactoryBuilder;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.moerec.ingest.config.ConfigValues;
import io.moerec.ingest.config.ValueParser;
import java.io.IOException;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Set;

/**
 * The one strict JSON reader behind every codec: size limit first, then strict UTF-8, then syntax (no NaN
 * literals, no comments, no duplicate fields, no trailing data), then typed field access that names
 * the field in every failure, and a final check that no unknown field was present.
 */
public final class StrictJson {

    /** The default per-record size limit, 64 KiB. */
    public static final int DEFAULT_MAX_RECORD_BYTES = 64 * 1024;

    /** The smallest per-record size limit a codec takes: below it, valid records would be refused. */
    public static final int MIN_RECORD_LIMIT = 256;

    /** The largest per-record size limit a codec takes (16 MiB): a record is held whole in memory to decode. */
    public static final int MAX_RECORD_LIMIT = 16 * 1024 * 1024;

    /**
     * Checks a configured per-record size limit and returns it as an int; a value outside
     * [{@value #MIN_RECORD_LIMIT}, {@value #MAX_RECORD_LIMIT}] fails naming {@code key}. The one check
     * behind every codec constructor and every configuration key of a record limit.
     */
    public static int recordLimit(String key, long value) {
        if (value < MIN_RECORD_LIMIT || value > MAX_RECORD_LIMIT) {
            throw new IllegalArgumentException(key + " must be in [" + MIN_RECORD_LIMIT + ", " + MAX_RECORD_LIMIT
                    + "] bytes, got " + value);
        }
        return (int) value;
    }

    /** {@link #recordLimit} as the parser of a configuration key: a whole number of bytes. */
    public static ValueParser<Integer> recordLimitParser() {
        return ValueParser.allowing(MIN_RECORD_LIMIT + " to " + MAX_RECORD_LIMIT,
                (key, value) -> recordLimit(key, ConfigValues.parseLong(key, value)));
    }

    static final JsonFactory FACTORY = new JsonFactoryBuilder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .disable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .build();

    static final ObjectMapper MAPPER = new ObjectMapper(FACTORY)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

    private StrictJson() {
    }

    /** Parses one JSON object of at most {@code maxBytes} bytes. */
    public static Fields parseObject(byte[] bytes, int maxBytes) throws InvalidRecordException {
        if (bytes == null || bytes.length == 0) {
            throw new InvalidRecordException(RejectReason.EMPTY, "the record has no bytes");
        }
        if (bytes.length > maxBytes) {
            throw new InvalidRecordException(RejectReason.OVERSIZE,
                    "the record has " + bytes.length + " bytes, the limit is " + maxBytes);
        }
        int badUtf8 = firstInvalidUtf8(bytes);
        if (badUtf8 >= 0) {
            throw new InvalidRecordException(RejectReason.INVALID_UTF8,
                    "the bytes are not valid UTF-8 at byte offset " + badUtf8);
        }
        JsonNode node;
        try (JsonParser parser = FACTORY.createParser(bytes)) {
            node = MAPPER.readTree(parser);
        } catch (JsonParseException e) {
            String msg = e.getOriginalMessage();
            if (msg != null && msg.contains("Duplicate field")) {
                throw new InvalidRecordException(RejectReason.DUPLICATE_FIELD, firstLine(msg), e);
            }
            // No INVALID_UTF8 here: the bytes passed firstInvalidUtf8, so when Jackson speaks of UTF-8
            // it met a valid character where JSON allows none (e.g. a second byte-order mark).
            throw new InvalidRecordException(RejectReason.MALFORMED_JSON, firstLine(msg), e);
        } catch (IOException e) {
            throw new InvalidRecordException(RejectReason.MALFORMED_JSON, firstLine(e.getMessage()), e);
        }
        if (node == null || node.isMissingNode()) {
            throw new InvalidRecordException(RejectReason.MALFORMED_JSON, "no JSON value in the record");
        }
        if (!node.isObject()) {
            throw new InvalidRecordException(RejectReason.NOT_AN_OBJECT,
                    "expected a JSON object, got " + node.getNodeType().name().toLowerCase(java.util.Locale.ROOT));
        }
        return new Fields((ObjectNode) node, "");
    }

    /**
     * The offset of the first byte that does not belong to a well-formed UTF-8 sequence (Unicode
     * Table 3-7), or -1. Jackson's own decoder is lenient: it accepts overlong forms, encoded
     * surrogates and code points above U+10FFFF, so a record could carry them past the parser
     * (fuzz-tested in {@code EventDecoderFuzzTest}).
     */
    static int firstInvalidUtf8(byte[] b) {
        int i = 0;
        int n = b.length;
        while (i < n) {
            int c = b[i] & 0xff;
            if (c < 0x80) {
                i++;
                continue;
            }
            int len;
            int lo = 0x80;
            int hi = 0xbf;
            if (c >= 0xc2 && c <= 0xdf) {
                len = 2;
            } else if (c >= 0xe0 && c <= 0xef) {
                len = 3;
                if (c == 0xe0) {
                    lo = 0xa0;
                } else if (c == 0xed) {
                    hi = 0x9f;
                }
            } else if (c >= 0xf0 && c <= 0xf4) {
                len = 4;
                if (c == 0xf0) {
                    lo = 0x90;
                } else if (c == 0xf4) {
                    hi = 0x8f;
                }
            } else {
                return i;
            }
            if (i + len > n) {
                return i;
            }
            int second = b[i + 1] & 0xff;
            if (second < lo || second > hi) {
                return i;
            }
            for (int k = 2; k < len; k++) {
                int cont = b[i + k] & 0xff;
                if (cont < 0x80 || cont > 0xbf) {
                    return i;
                }
            }
            i += len;
        }
        return -1;
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "unreadable JSON";
        }
        int nl = s.indexOf('\n');
        String line = nl < 0 ? s : s.substring(0, nl);
        return line.length() > 200 ? line.substring(0, 200) + "..." : line;
    }

    /**
     * Typed, strict access to the fields of one JSON object. Every accessor records the name it was
     * asked for, so that {@link #rejectUnknown(Set)} can report any field nobody read.
     */
    public static final class Fields {
        private final ObjectNode node;
        private final String path;
        private final Set<String> seen = new HashSet<>();

        Fields(ObjectNode node, String path) {
            this.node = node;
            this.path = path;
        }

        private String name(String field) {
            return path.isEmpty() ? field : path + "." + field;
        }

        private JsonNode get(String field, boolean required) throws InvalidRecordException {
            seen.add(field);
            JsonNode v = node.get(field);
            if (v == null || v.isNull()) {
                if (required) {
                    throw new InvalidRecordException(RejectReason.MISSING_FIELD, "field '" + name(field) + "' is required");
                }
                return null;
            }
            return v;
        }

        public boolean has(String field) {
            JsonNode v = node.get(field);
            return v != null && !v.isNull();
        }

        public String string(String field) throws InvalidRecordException {
            return stringOrNull(get(field, true), field);
        }

        public String optionalString(String field) throws InvalidRecordException {
            return stringOrNull(get(field, false), field);
        }

        private String stringOrNull(JsonNode v, String field) throws InvalidRecordException {
            if (v == null) {
                return null;
            }
            if (!v.isTextual()) {
                throw wrongType(field, "a string", v);
            }
            return v.textValue();
        }

        public long longValue(String field) throws InvalidRecordException {
            return integral(get(field, true), field);
        }

        public Long optionalLong(String field) throws InvalidRecordException {
            JsonNode v = get(field, false);
            return v == null ? null : integral(v, field);
        }

        private long integral(JsonNode v, String field) throws InvalidRecordException {
            if (v.isIntegralNumber()) {
                if (!v.canConvertToLong()) {
                    throw new InvalidRecordException(RejectReason.VALUE_OUT_OF_RANGE,
                            "field '" + name(field) + "' does not fit in 64 bits");
                }
                return v.longValue();
            }
            if (v.isNumber()) {
                // 1.0 is an integer to JSON Schema; 1.5 is not.
                java.math.BigDecimal d = v.decimalValue();
                if (d.stripTrailingZeros().scale() <= 0) {
                    try {
                        return d.longValueExact();
                    } catch (ArithmeticException e) {
                        throw new InvalidRecordException(RejectReason.VALUE_OUT_OF_RANGE,
                                "field '" + name(field) + "' does not fit in 64 bits");
                    }
                }
                throw new InvalidRecordException(RejectReason.WRONG_TYPE,
                        "field '" + name(field) + "' must be an integer, got " + v.asText());
            }
            throw wrongType(field, "an integer", v);
        }

        public double doubleValue(String field) throws InvalidRecordException {
            return number(get(field, true), field);
        }

        public Double optionalDouble(String field) throws InvalidRecordException {
            JsonNode v = get(field, false);
            return v == null ? null : number(v, field);
        }

        private double number(JsonNode v, String field) throws InvalidRecordException {
            if (!v.isNumber()) {
                throw wrongType(field, "a number", v);
            }
            double d = v.doubleValue();
            if (!Double.isFinite(d)) {
                throw new InvalidRecordException(RejectReason.NON_FINITE_NUMBER,
                        "field '" + name(field) + "' is not a finite number");
            }
            return d;
        }

        /** An array field's elements, or {@code null} when absent and not required. */
        public JsonNode array(String field, boolean required) throws InvalidRecordException {
            JsonNode v = get(field, required);
            if (v != null && !v.isArray()) {
                throw wrongType(field, "an array", v);
            }
            return v;
        }

        /** A nested object's fields, or {@code null} when absent and not required. */
        public Fields object(String field, boolean required) throws InvalidRecordException {
            JsonNode v = get(field, required);
            if (v == null) {
                return null;
            }
            if (!v.isObject()) {
                throw wrongType(field, "an object", v);
            }
            return new Fields((ObjectNode) v, name(field));
        }

        /** Marks a field as allowed without reading it (free-form extension points). */
        public void allow(String field) {
            seen.add(field);
        }

        /** Fails on the first field that no accessor asked for. */
        public void rejectUnknown() throws InvalidRecordException {
            Iterator<String> names = node.fieldNames();
            while (names.hasNext()) {
                String n = names.next();
                if (!seen.contains(n)) {
                    throw new InvalidRecordException(RejectReason.UNKNOWN_FIELD,
                            "field '" + name(abbreviate(n)) + "' is not part of the schema");
                }
            }
        }

        public java.util.List<String> fieldNames() {
            java.util.List<String> out = new java.util.ArrayList<>();
            node.fieldNames().forEachRemaining(out::add);
            return out;
        }

        InvalidRecordException wrongType(String field, String expected, JsonNode got) {
            return new InvalidRecordException(RejectReason.WRONG_TYPE,
                    "field '" + name(field) + "' must be " + expected + ", got "
                            + got.getNodeType().name().toLowerCase(java.util.Locale.ROOT));
        }

        public String path(String field) {
            return name(field);
        }
    }

    static String abbreviate(String s) {
        return s.length() > 64 ? s.substring(0, 64) + "...(" + s.length() + " chars)" : s;
    }
}
