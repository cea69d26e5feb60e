package io.moerec.ingest.json;

import io.moerec.ingest.domain.EventType;
import io.moerec.ingest.domain.ViewingEvent;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * A seeded generator of viewing-event records for fuzz tests, valid and hostile: invalid JSON,
 * truncated bytes, wrong types, missing and extra fields, NaN and infinite numbers, negative and
 * far-future timestamps, 10k-character ids, control characters, invalid UTF-8, oversized records,
 * deep nesting, huge numbers, and random byte flips of valid records. Each {@link Case} says what the
 * decoder must do with it: decode to exactly {@link Case#valid}, reject with one of
 * {@link Case#reasons}, or (for blind mutations) either of the two. Same seed, same cases; shared with
 * the replay fuzz test in {@code jobs} through this module's test-jar.
 */
public final class HostileEventRecords {

    /** What a generated record is and what the decoder must make of it. */
    public enum Kind {
        VALID, RANDOM_BYTES, TRUNCATED, BYTE_FLIP, WRONG_TYPE, MISSING_FIELD, EXTRA_FIELD, NON_FINITE,
        BAD_TIMESTAMP, LONG_ID, CONTROL_CHARS, INVALID_UTF8, OVERSIZE, DEEP_NESTING, HUGE_NUMBER,
        DUPLICATE_FIELD, TRAILING_DATA, NOT_AN_OBJECT, UNKNOWN_TYPE, OUT_OF_RANGE, NOT_JSON_SYNTAX
    }

    /** Every reason the decoder itself may give (the Kafka- and file-level ones excluded). */
    public static final Set<RejectReason> ANY_DECODER_REASON = EnumSet.complementOf(EnumSet.of(
            RejectReason.NULL_KEY, RejectReason.KEY_MISMATCH, RejectReason.UNPARSEABLE_LINE, RejectReason.LATE));

    /**
     * One record.
     *
     * @param kind    how it was made
     * @param bytes   the record's bytes
     * @param valid   the event it must decode to, or {@code null}
     * @param reasons the reasons it may be rejected with; empty when it must decode
     */
    public record Case(Kind kind, byte[] bytes, ViewingEvent valid, Set<RejectReason> reasons) {
        public Case {
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(bytes, "bytes");
            reasons = reasons.isEmpty() ? Set.of() : EnumSet.copyOf(reasons);
        }

        /** A blind mutation: may still be valid, or rejected for any reason. */
        public boolean eitherWay() {
            return valid == null && reasons.equals(ANY_DECODER_REASON);
        }

        public boolean mustDecode() {
            return valid != null;
        }

        /**
         * The same case as one line of a file: a newline inside would make two lines, a line of only
         * blanks is no record, and a trailing carriage return is the line ending's; such bytes are
         * replaced so the case stays one line.
         */
        public Case asLine() {
            Case c = this;
            byte[] b = c.bytes().clone();
            boolean changed = false;
            for (int i = 0; i < b.length; i++) {
                if (b[i] == '\n' || (b[i] == '\r' && i == b.length - 1)) {
                    b[i] = 'x';
                    changed = true;
                }
            }
            boolean blank = true;
            for (byte x : b) {
                blank &= x == ' ' || x == '\t';
            }
            if (blank) {
                b = Arrays.copyOf(b, b.length + 1);
                b[b.length - 1] = 'x';
                changed = true;
            }
            // A changed record may change its verdict (a raw newline was its only fault): either way is fine.
            return changed ? new Case(c.kind(), b, null, HostileEventRecords.ANY_DECODER_REASON) : c;
        }

        @Override
        public String toString() {
            String text = new String(bytes, 0, Math.min(bytes.length, 160), StandardCharsets.UTF_8);
            return kind + "[" + bytes.length + " bytes: " + text + (bytes.length > 160 ? "..." : "") + "]";
        }
    }

    private static final long T0 = 1_700_000_000_000L;
    private static final String ID_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._:@-";

    private final SplittableRandom random;
    private final int maxBytes;
    private final int users;
    private long eventCounter;

    /**
     * @param seed     fixes every case
     * @param maxBytes the decoder's record limit, for {@link Kind#OVERSIZE}
     * @param users    how many distinct user ids valid events draw from (small = long per-user sequences)
     */
    public HostileEventRecords(long seed, int maxBytes, int users) {
        this.random = new SplittableRandom(seed);
        this.maxBytes = maxBytes;
        this.users = users;
    }

    /** A valid event: every type, with the fields its type needs, ids unique per generator. */
    public ViewingEvent validEvent() {
        String eventId = "e" + (eventCounter++) + "-" + randomId(1 + random.nextInt(8));
        String userId = "u" + random.nextInt(users);
        long movieId = 1 + random.nextInt(50_000);
        long t = T0 + random.nextLong(365L * 24 * 3600 * 1000);
        EventType type = EventType.values()[random.nextInt(EventType.values().length)];
        return switch (type) {
            case PLAY -> ViewingEvent.play(eventId, userId, movieId, t);
            case COMPLETE -> ViewingEvent.complete(eventId, userId, movieId, t);
            case SKIP -> new ViewingEvent(eventId, userId, movieId, EventType.SKIP, t, null, null, null);
            case RATE -> ViewingEvent.rate(eventId, userId, movieId, t, 0.5 * (1 + random.nextInt(10)));
            case PROGRESS -> {
                int duration = 1 + random.nextInt(EventRules.MAX_SECONDS);
                yield new ViewingEvent(eventId, userId, movieId, EventType.PROGRESS, t,
                        random.nextInt(duration + 1), duration, null);
            }
        };
    }

    /** The next case of a kind drawn at random, valid with probability {@code validShare}. */
    public Case next(double validShare) {
        if (random.nextDouble() < validShare) {
            return next(Kind.VALID);
        }
        Kind[] kinds = Kind.values();
        return next(kinds[1 + random.nextInt(kinds.length - 1)]);
    }

    /** The next case of one kind. */
    public Case next(Kind kind) {
        ViewingEvent e = validEvent();
        Map<String, String> f = fields(e);
        return switch (kind) {
            case VALID -> {
                if (random.nextInt(4) == 0) {
                    // Valid too: a free-form context object (with non-ASCII text) and an explicit schemaVersion.
                    f.put("context", "{\"device\":\"tv\",\"title\":\"Am\u00e9lie \u2013 \u6f22\u5b57 \ud83c\udfac\",\"n\":[1,2.5,null]}");
                    f.put("schemaVersion", "1");
                }
                yield new Case(kind, render(shuffled(f)), e, Set.of());
            }
            case RANDOM_BYTES -> {
                byte[] b = new byte[random.nextInt(300)];
                for (int i = 0; i < b.length; i++) {
                    b[i] = (byte) random.nextInt(256);
                }
                yield new Case(kind, b, null, ANY_DECODER_REASON);
            }
            case TRUNCATED -> {
                byte[] full = render(f);
                yield new Case(kind, Arrays.copyOf(full, random.nextInt(full.length)), null,
                        EnumSet.of(RejectReason.EMPTY, RejectReason.MALFORMED_JSON));
            }
            case BYTE_FLIP -> {
                byte[] b = render(f);
                int flips = 1 + random.nextInt(3);
                for (int i = 0; i < flips; i++) {
                    b[random.nextInt(b.length)] = (byte) random.nextInt(256);
                }
                yield new Case(kind, b, null, ANY_DECODER_REASON);
            }
            case WRONG_TYPE -> {
                String field = pick(new ArrayList<>(f.keySet()));
                boolean numeric = !field.equals("eventId") && !field.equals("userId") && !field.equals("type");
                String wrong = numeric ? pick(List.of("\"5\"", "true", "false", "[]", "{}", "[1]", "{\"v\":1}"))
                        : pick(List.of("5", "1.5", "true", "[]", "{}", "[\"u1\"]", "{\"id\":\"u1\"}"));
                if (!numeric || field.equals("rating")) {
                    f.put(field, wrong);
                } else {
                    f.put(field, random.nextBoolean() ? wrong : "1.5"); // 1.5 is no integer
                }
                yield new Case(kind, render(shuffled(f)), null, EnumSet.of(RejectReason.WRONG_TYPE));
            }
            case MISSING_FIELD -> {
                String field = pick(List.of("eventId", "userId", "movieId", "type", "eventTime"));
                if (random.nextBoolean()) {
                    f.remove(field);
                } else {
                    f.put(field, "null");
                }
                yield new Case(kind, render(shuffled(f)), null, EnumSet.of(RejectReason.MISSING_FIELD));
            }
            case EXTRA_FIELD -> {
                f.put(pick(List.of("userid", "extra", "eventID", "\u00fcser", "", "rating2", randomId(10000))),
                        pick(List.of("1", "\"x\"", "null", "{}", "[]")));
                yield new Case(kind, render(shuffled(f)), null, EnumSet.of(RejectReason.UNKNOWN_FIELD));
            }
            case NON_FINITE -> {
                ViewingEvent r = ViewingEvent.rate(e.eventId(), e.userId(), e.movieId(), e.eventTime(), 3.0);
                Map<String, String> rf = fields(r);
                String v = pick(List.of("NaN", "Infinity", "-Infinity", "+Infinity", "\"NaN\"", "1e400", "-1e400", "1E999"));
                rf.put("rating", v);
                Set<RejectReason> why = v.startsWith("\"") ? EnumSet.of(RejectReason.WRONG_TYPE)
                        : v.contains("e") || v.contains("E") ? EnumSet.of(RejectReason.NON_FINITE_NUMBER)
                        : EnumSet.of(RejectReason.MALFORMED_JSON);
                yield new Case(kind, render(shuffled(rf)), null, why);
            }
            case BAD_TIMESTAMP -> {
                int which = random.nextInt(6);
                String t;
                RejectReason why;
                switch (which) {
                    case 0 -> { t = Long.toString(-1 - random.nextLong(Long.MAX_VALUE)); why = RejectReason.NEGATIVE_TIMESTAMP; }
                    case 1 -> { t = Long.toString(EventRules.MAX_EVENT_TIME_MS + random.nextLong(Long.MAX_VALUE - EventRules.MAX_EVENT_TIME_MS)); why = RejectReason.TIMESTAMP_OUT_OF_RANGE; }
                    case 2 -> { t = Long.toString(T0 / 1000 + random.nextInt(1_000_000)); why = RejectReason.TIMESTAMP_IN_SECONDS; }
                    case 3 -> { t = Long.toString(random.nextLong(EventRules.MIN_EVENT_TIME_MS / 1000)); why = RejectReason.TIMESTAMP_OUT_OF_RANGE; }
                    case 4 -> { t = "9223372036854775808"; why = RejectReason.VALUE_OUT_OF_RANGE; }
                    default -> { t = "-9223372036854775809"; why = RejectReason.VALUE_OUT_OF_RANGE; }
                }
                f.put("eventTime", t);
                yield new Case(kind, render(shuffled(f)), null, EnumSet.of(why));
            }
            case LONG_ID -> {
                f.put(pick(List.of("eventId", "userId")), quote(randomId(pick(List.of(129, 1000, 10_000)))));
                yield new Case(kind, render(shuffled(f)), null, EnumSet.of(RejectReason.INVALID_ID));
            }
            case CONTROL_CHARS -> {
                String field = pick(List.of("eventId", "userId"));
                int c = random.nextInt(32);
                int variant = random.nextInt(4);
                String id = randomId(3);
                if (variant == 0) {
                    // A raw control byte inside a string: not JSON at all.
                    f.put(field, "\"" + id + (char) c + "\"");
                    yield new Case(kind, render(shuffled(f)), null, EnumSet.of(RejectReason.MALFORMED_JSON));
                }
                String inner = switch (variant) {
                    case 1 -> String.format("\\u%04x", c);              // an escaped control character
                    case 2 -> pick(List.of("\\ud800", "\\udfff", "\\u202e", "\\u0085", "\\ufeff")); // lone surrogates, bidi, NEL, BOM
                    default -> pick(List.of("\u00e9", "\u4e2d", "\ud83d\ude00", " ", "/", "\\\\", "%2F")); // outside the id alphabet
                };
                f.put(field, "\"" + id + inner + "\"");
                yield new Case(kind, render(shuffled(f)), null, EnumSet.of(RejectReason.INVALID_ID));
            }
            case INVALID_UTF8 -> {
                byte[][] bad = {
                        {(byte) 0xff}, {(byte) 0xfe}, {(byte) 0xc3, 0x28}, {(byte) 0x80}, {(byte) 0xe2, (byte) 0x82},
                        {(byte) 0xc0, (byte) 0xaf}, {(byte) 0xe0, (byte) 0x80, (byte) 0xaf}, // overlong '/'
                        {(byte) 0xed, (byte) 0xa0, (byte) 0x80},                              // UTF-8 encoded surrogate
                        {(byte) 0xf4, (byte) 0x90, (byte) 0x80, (byte) 0x80},                 // above U+10FFFF
                        {(byte) 0xf8, (byte) 0x88, (byte) 0x80, (byte) 0x80, (byte) 0x80}};
                byte[] b = bad[random.nextInt(bad.length)];
                // Inside a string value (an id, or the free-form context where nothing else would object).
                String field = pick(List.of("userId", "eventId", "context"));
                String marker = "\u0001MARK\u0001";
                f.put(field, field.equals("context") ? "{\"note\":\"" + marker + "\"}" : "\"ab" + marker + "\"");
                byte[] text = render(shuffled(f));
                yield new Case(kind, replace(text, marker.getBytes(StandardCharsets.UTF_8), b), null,
                        EnumSet.of(RejectReason.INVALID_UTF8));
            }
            case OVERSIZE -> {
                int size = maxBytes + 1 + random.nextInt(maxBytes);
                f.put("context", "{\"pad\":\"" + "x".repeat(size) + "\"}");
                yield new Case(kind, render(f), null, EnumSet.of(RejectReason.OVERSIZE));
            }
            case DEEP_NESTING -> {
                int depth = 1_001 + random.nextInt(20_000);
                f.put("context", "{\"a\":" + "[".repeat(depth) + "]".repeat(depth) + "}");
                yield new Case(kind, render(f), null, EnumSet.of(RejectReason.MALFORMED_JSON));
            }
            case HUGE_NUMBER -> {
                String field = pick(List.of("movieId", "eventTime", "watchedSeconds", "rating"));
                int digits = pick(List.of(20, 400, 5_000));
                f.put(field, "9".repeat(digits));
                // A number too long for the parser's limits is malformed; a long one it accepts is out of range.
                yield new Case(kind, render(shuffled(f)), null, field.equals("rating")
                        ? EnumSet.of(RejectReason.MALFORMED_JSON, RejectReason.NON_FINITE_NUMBER, RejectReason.RATING_OUT_OF_RANGE, RejectReason.FIELD_NOT_ALLOWED_FOR_TYPE)
                        : EnumSet.of(RejectReason.MALFORMED_JSON, RejectReason.VALUE_OUT_OF_RANGE));
            }
            case DUPLICATE_FIELD -> {
                String field = pick(new ArrayList<>(f.keySet()));
                String json = new String(render(f), StandardCharsets.UTF_8);
                String dup = json.substring(0, json.length() - 1) + ",\"" + field + "\":" + f.get(field) + "}";
                yield new Case(kind, dup.getBytes(StandardCharsets.UTF_8), null, EnumSet.of(RejectReason.DUPLICATE_FIELD));
            }
            case TRAILING_DATA -> {
                String tail = pick(List.of("x", "{}", " {\"a\":1}", "]", "\u0000", ",", " 1"));
                yield new Case(kind, concat(render(f), tail.getBytes(StandardCharsets.UTF_8)), null,
                        EnumSet.of(RejectReason.MALFORMED_JSON));
            }
            case NOT_AN_OBJECT -> {
                String json = new String(render(f), StandardCharsets.UTF_8);
                String v = pick(List.of("[" + json + "]", "\"" + e.userId() + "\"", "42", "null", "true", "[]", "-0.0"));
                yield new Case(kind, v.getBytes(StandardCharsets.UTF_8), null, EnumSet.of(RejectReason.NOT_AN_OBJECT));
            }
            case UNKNOWN_TYPE -> {
                f.put("type", quote(pick(List.of("PAUSE", "play", "", " PLAY", "PLAY ", "RATE\\u0000", "x".repeat(5000)))));
                yield new Case(kind, render(shuffled(f)), null, EnumSet.of(RejectReason.UNKNOWN_EVENT_TYPE));
            }
            case OUT_OF_RANGE -> {
                int which = random.nextInt(6);
                RejectReason why;
                switch (which) {
                    case 0 -> { f.put("movieId", pick(List.of("0", "-1", "-9223372036854775808"))); why = RejectReason.INVALID_ID; }
                    case 1 -> {
                        f = fields(ViewingEvent.rate(e.eventId(), e.userId(), e.movieId(), e.eventTime(), 3.0));
                        f.put("rating", pick(List.of("0", "0.49", "5.01", "-3", "1e3")));
                        why = RejectReason.RATING_OUT_OF_RANGE;
                    }
                    case 2 -> {
                        f.put("type", "\"PROGRESS\"");
                        f.put("watchedSeconds", pick(List.of("-1", "604801", "2147483648")));
                        f.put("durationSeconds", "100");
                        f.remove("rating");
                        why = RejectReason.VALUE_OUT_OF_RANGE;
                    }
                    case 3 -> {
                        f.put("type", "\"PROGRESS\"");
                        f.put("watchedSeconds", "0");
                        f.put("durationSeconds", "0");
                        f.remove("rating");
                        why = RejectReason.VALUE_OUT_OF_RANGE;
                    }
                    case 4 -> {
                        f.put("type", "\"PLAY\"");
                        f.remove("watchedSeconds");
                        f.remove("durationSeconds");
                        f.put("rating", "4");
                        why = RejectReason.FIELD_NOT_ALLOWED_FOR_TYPE;
                    }
                    default -> { f.put("schemaVersion", pick(List.of("0", "2", "99"))); why = RejectReason.UNSUPPORTED_SCHEMA_VERSION; }
                }
                yield new Case(kind, render(shuffled(f)), null, EnumSet.of(why));
            }
            case NOT_JSON_SYNTAX -> {
                String json = new String(render(f), StandardCharsets.UTF_8);
                String v = pick(List.of(
                        json.replace('"', '\''),                        // single quotes
                        "/* c */" + json,                                // comments
                        json.replace("\"eventId\"", "eventId"),          // unquoted names
                        json.substring(0, json.length() - 1) + ",}",     // trailing comma
                        json.replace("{", "{{"),
                        "   \t ",                                        // whitespace only
                        "\uFEFF\uFEFF" + json));                         // two byte-order marks
                yield new Case(kind, v.getBytes(StandardCharsets.UTF_8), null,
                        EnumSet.of(RejectReason.MALFORMED_JSON));
            }
        };
    }

    /** The codec's own field order and token text of {@code e}. */
    public static Map<String, String> fields(ViewingEvent e) {
        Map<String, String> f = new LinkedHashMap<>();
        f.put("eventId", quote(e.eventId()));
        f.put("userId", quote(e.userId()));
        f.put("movieId", Long.toString(e.movieId()));
        f.put("type", quote(e.type().name()));
        f.put("eventTime", Long.toString(e.eventTime()));
        if (e.watchedSeconds() != null) {
            f.put("watchedSeconds", Integer.toString(e.watchedSeconds()));
        }
        if (e.durationSeconds() != null) {
            f.put("durationSeconds", Integer.toString(e.durationSeconds()));
        }
        if (e.rating() != null) {
            f.put("rating", Double.toString(e.rating()));
        }
        return f;
    }

    public static byte[] render(Map<String, String> fields) {
        StringBuilder sb = new StringBuilder("{");
        for (Map.Entry<String, String> en : fields.entrySet()) {
            if (sb.length() > 1) {
                sb.append(',');
            }
            sb.append(quote(en.getKey())).append(':').append(en.getValue());
        }
        return sb.append('}').toString().getBytes(StandardCharsets.UTF_8);
    }

    private Map<String, String> shuffled(Map<String, String> f) {
        List<String> keys = new ArrayList<>(f.keySet());
        for (int i = keys.size() - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            String k = keys.get(i);
            keys.set(i, keys.get(j));
            keys.set(j, k);
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (String k : keys) {
            out.put(k, f.get(k));
        }
        return out;
    }

    private static String quote(String s) {
        return "\"" + s + "\"";
    }

    private String randomId(int length) {
        StringBuilder sb = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            sb.append(ID_CHARS.charAt(random.nextInt(ID_CHARS.length())));
        }
        return sb.toString();
    }

    private <T> T pick(List<T> options) {
        return options.get(random.nextInt(options.size()));
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static byte[] replace(byte[] text, byte[] marker, byte[] with) {
        for (int i = 0; i + marker.length <= text.length; i++) {
            if (Arrays.equals(text, i, i + marker.length, marker, 0, marker.length)) {
                byte[] out = new byte[text.length - marker.length + with.length];
                System.arraycopy(text, 0, out, 0, i);
                System.arraycopy(with, 0, out, i, with.length);
                System.arraycopy(text, i + marker.length, out, i + with.length, text.length - i - marker.length);
                return out;
            }
        }
        throw new IllegalArgumentException("marker not found");
    }
}
