package io.moerec.ingest.json;

import io.moerec.ingest.domain.EventType;
import io.moerec.ingest.domain.Genre;
import io.moerec.ingest.domain.UserPreferenceFeatures;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The binary form (format 2) of {@link UserPreferenceFeatures}: one format byte, then the fields in a
 * fixed order as LEB128 varints, IEEE 754 doubles and length-prefixed UTF-8, the watched set as the
 * gaps between its ascending ids. The layout is specified in {@code schemas/user-features.binary.md};
 * this class is its only implementation. Decoding checks every length against the bytes left before
 * allocating, and everything the JSON form's reader checks.
 */
final class UserFeaturesBinary {

    /** The first byte of every record in this form; the JSON form starts with '{'. */
    static final byte FORMAT = 2;

    private static final VarHandle DOUBLE_LE = MethodHandles.byteArrayViewVarHandle(double[].class, ByteOrder.LITTLE_ENDIAN);
    private static final int MAX_VARINT = 10;

    private UserFeaturesBinary() {
    }

    static byte[] encode(UserPreferenceFeatures f) {
        byte[] userId = f.userId().getBytes(StandardCharsets.UTF_8);
        byte[] trigger = f.triggerEventId().getBytes(StandardCharsets.UTF_8);
        long[] recent = f.recentWatches();
        long[] watched = f.watched();
        // An upper bound of the size: every varint at its longest.
        int bound = 1 + 2 * 5 + 2 * 5 + userId.length + trigger.length + 3 * MAX_VARINT + 8 + 5 + 8 * Genre.COUNT
                + MAX_VARINT * EventType.COUNT + 2 * 5 + MAX_VARINT * (recent.length + watched.length);
        Writer w = new Writer(new byte[bound]);
        w.out[w.pos++] = FORMAT;
        w.varlong(Genre.VOCABULARY_VERSION);
        w.varlong(f.featureVersion());
        w.bytes(userId);
        long asOf = f.asOf();
        w.varlong(zigzag(asOf));
        w.varlong(zigzag(f.firstEventTime() - asOf));
        w.varlong(zigzag(f.triggerEventTime() - asOf));
        w.bytes(trigger);
        w.float64(f.activity());
        double[] affinity = f.genreAffinity();
        long mask = 0;
        for (int g = 0; g < Genre.COUNT; g++) {
            if (Double.doubleToRawLongBits(affinity[g]) != 0) {
                mask |= 1L << g;
            }
        }
        w.varlong(mask);
        for (int g = 0; g < Genre.COUNT; g++) {
            if ((mask & (1L << g)) != 0) {
                w.float64(affinity[g]);
            }
        }
        for (long c : f.eventCounts()) {
            w.varlong(c);
        }
        w.varlong(recent.length);
        for (long id : recent) {
            w.varlong(id);
        }
        w.varlong(watched.length);
        long previous = 0;
        for (long id : watched) {
            w.varlong(id - previous);
            previous = id;
        }
        return Arrays.copyOf(w.out, w.pos);
    }

    static UserPreferenceFeatures decode(byte[] b) throws InvalidRecordException {
        Reader r = new Reader(b);
        r.pos = 1; // the format byte, checked by the caller
        long vocab = r.varlong("genreVocabularyVersion");
        if (vocab != Genre.VOCABULARY_VERSION) {
            throw new InvalidRecordException(RejectReason.UNSUPPORTED_SCHEMA_VERSION,
                    "field 'genreVocabularyVersion' is " + Long.toUnsignedString(vocab) + ", this reader knows " + Genre.VOCABULARY_VERSION);
        }
        long featureVersion = r.varlong("featureVersion");
        if (featureVersion < 1 || featureVersion > Integer.MAX_VALUE) {
            // 0 would read back as an in-job tombstone marker.
            throw new InvalidRecordException(RejectReason.VALUE_OUT_OF_RANGE,
                    "field 'featureVersion' must be in [1, " + Integer.MAX_VALUE + "], got " + Long.toUnsignedString(featureVersion));
        }
        String userId = r.string("userId");
        EventRules.checkId("userId", userId);
        long asOf = unzigzag(r.varlong("asOf"));
        long firstEventTime = asOf + unzigzag(r.varlong("firstEventTime"));
        long triggerEventTime = asOf + unzigzag(r.varlong("triggerEventTime"));
        String triggerEventId = r.string("triggerEventId");
        double activity = r.float64("activity");
        long mask = r.varlong("genreAffinity");
        if ((mask >>> Genre.COUNT) != 0) {
            throw new InvalidRecordException(RejectReason.UNKNOWN_GENRE,
                    "field 'genreAffinity' marks genres beyond the vocabulary's " + Genre.COUNT);
        }
        double[] affinity = new double[Genre.COUNT];
        for (int g = 0; g < Genre.COUNT; g++) {
            if ((mask & (1L << g)) != 0) {
                affinity[g] = r.float64("genreAffinity");
            }
        }
        long[] counts = new long[EventType.COUNT];
        for (int t = 0; t < counts.length; t++) {
            counts[t] = r.varlong("eventCounts");
        }
        long[] recent = new long[r.count("recentWatches", Integer.MAX_VALUE)];
        for (int i = 0; i < recent.length; i++) {
            recent[i] = r.varlong("recentWatches");
        }
        long[] watched = new long[r.count("watched", UserPreferenceFeatures.MAX_WATCHED)];
        long previous = 0;
        for (int i = 0; i < watched.length; i++) {
            long id = previous + r.varlong("watched");
            if (i > 0 && id <= previous) {
                throw new InvalidRecordException(RejectReason.VALUE_OUT_OF_RANGE, "field 'watched' must be strictly ascending");
            }
            watched[i] = id;
            previous = id;
        }
        if (r.pos != b.length) {
            throw new InvalidRecordException(RejectReason.MALFORMED_BINARY,
                    (b.length - r.pos) + " bytes follow the end of the record at byte offset " + r.pos);
        }
        return new UserPreferenceFeatures(userId, asOf, (int) featureVersion, affinity, activity, firstEventTime, recent,
                watched, counts, triggerEventId, triggerEventTime);
    }

    static long zigzag(long v) {
        return (v << 1) ^ (v >> 63);
    }

    static long unzigzag(long v) {
        return (v >>> 1) ^ -(v & 1);
    }

    private static final class Writer {
        final byte[] out;
        int pos;

        Writer(byte[] out) {
            this.out = out;
        }

        /** Unsigned LEB128 of all 64 bits. */
        void varlong(long v) {
            while ((v & ~0x7FL) != 0) {
                out[pos++] = (byte) ((v & 0x7F) | 0x80);
                v >>>= 7;
            }
            out[pos++] = (byte) v;
        }

        void float64(double d) {
            DOUBLE_LE.set(out, pos, d);
            pos += 8;
        }

        void bytes(byte[] b) {
            varlong(b.length);
            System.arraycopy(b, 0, out, pos, b.length);
            pos += b.length;
        }
    }

    private static final class Reader {
        final byte[] in;
        int pos;

        Reader(byte[] in) {
            this.in = in;
        }

        private InvalidRecordException early(String field) {
            return new InvalidRecordException(RejectReason.MALFORMED_BINARY,
                    "the record ends inside field '" + field + "' (" + in.length + " bytes)");
        }

        long varlong(String field) throws InvalidRecordException {
            long v = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                if (pos >= in.length) {
                    throw early(field);
                }
                int b = in[pos++];
                if (shift == 63 && (b & 0xFE) != 0) {
                    break;
                }
                v |= (long) (b & 0x7F) << shift;
                if (b >= 0) {
                    return v;
                }
            }
            throw new InvalidRecordException(RejectReason.MALFORMED_BINARY,
                    "field '" + field + "' holds a varint longer than 64 bits at byte offset " + (pos - 1));
        }

        /** A count of elements of at least one byte each, at most {@code max} and at most the bytes left. */
        int count(String field, int max) throws InvalidRecordException {
            long n = varlong(field);
            if (Long.compareUnsigned(n, max) > 0) {
                throw new InvalidRecordException(RejectReason.VALUE_OUT_OF_RANGE,
                        "field '" + field + "' holds " + Long.toUnsignedString(n) + " ids, at most " + max + " allowed");
            }
            if (n > in.length - pos) {
                throw new InvalidRecordException(RejectReason.MALFORMED_BINARY,
                        "field '" + field + "' claims " + n + " ids, only " + (in.length - pos) + " bytes are left");
            }
            return (int) n;
        }

        double float64(String field) throws InvalidRecordException {
            if (in.length - pos < 8) {
                throw early(field);
            }
            double d = (double) DOUBLE_LE.get(in, pos);
            pos += 8;
            if (!Double.isFinite(d)) {
                throw new InvalidRecordException(RejectReason.NON_FINITE_NUMBER, "field '" + field + "' is not a finite number");
            }
            return d;
        }

        String string(String field) throws InvalidRecordException {
            long n = varlong(field);
            if (Long.compareUnsigned(n, in.length - pos) > 0) {
                throw early(field);
            }
            int len = (int) n;
            int start = pos;
            pos += len;
            boolean ascii = true;
            for (int i = start; i < pos; i++) {
                if (in[i] < 0) {
                    ascii = false;
                    break;
                }
            }
            if (ascii) {
                return new String(in, start, len, StandardCharsets.ISO_8859_1);
            }
            try {
                // Java's UTF-8 decoder refuses overlong forms, encoded surrogates and code points above U+10FFFF.
                return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(in, start, len)).toString();
            } catch (CharacterCodingException e) {
                throw new InvalidRecordException(RejectReason.INVALID_UTF8, "field '" + field + "' is not valid UTF-8");
            }
        }
    }
}
