package io.moerec.ingest.json;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.moerec.ingest.domain.EventType;
import io.moerec.ingest.domain.Genre;
import io.moerec.ingest.domain.UserPreferenceFeatures;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.function.Consumer;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import org.junit.jupiter.api.Test;

/**
 * {@link UserFeaturesCodec}: the binary form (format 2) round-trips bit for bit over random records
 * (watched sets empty, single, at the bound, with ids up to {@code Long.MAX_VALUE}; extreme times,
 * counts and doubles), its bytes are the layout {@code schemas/user-features.binary.md} specifies, the
 * JSON form (format 1) still reads, and every malformed record fails with an
 * {@link InvalidRecordException} naming its reason, never another exception.
 */
class UserFeaturesCodecTest {

    static final long T = 1_700_000_000_000L;
    private static final UserFeaturesCodec CODEC = new UserFeaturesCodec();

    @Provide
    Arbitrary<UserPreferenceFeatures> records() {
        // Seeds, not jqwik's combinators per field: each record is drawn whole from one generator.
        return Arbitraries.longs().map(UserFeaturesCodecTest::record);
    }

    @Property(tries = 3_000, seed = "2002", shrinking = ShrinkingMode.OFF)
    void everyRecordRoundTripsBitForBitAndEncodesCanonically(@ForAll("records") UserPreferenceFeatures f) throws Exception {
        byte[] bytes = CODEC.encode(f);
        assertEquals(2, bytes[0], "the format byte");
        UserPreferenceFeatures back = CODEC.decode(bytes);
        assertEquals(f, back);
        assertArrayEquals(bytes, CODEC.encode(back), "encoding is canonical");
    }

    /** Fifty valid records to mutate, drawn once. */
    private static final byte[][] VALID = java.util.stream.LongStream.range(0, 50)
            .mapToObj(seed -> CODEC.encode(record(seed))).toArray(byte[][]::new);

    @Provide
    Arbitrary<byte[]> mutated() {
        return Combinators.combine(Arbitraries.integers().between(0, VALID.length - 1), Arbitraries.longs())
                .as((i, mutation) -> mutate(VALID[i], new SplittableRandom(mutation)));
    }

    @Property(tries = 20_000, seed = "2003", shrinking = ShrinkingMode.OFF)
    void aMutatedRecordDecodesOrFailsWithAReason(@ForAll("mutated") byte[] bytes) {
        try {
            CODEC.decode(bytes);
        } catch (InvalidRecordException e) {
            assertTrue(e.getMessage().length() < 300, e::getMessage);
        } catch (RuntimeException e) {
            fail("not an InvalidRecordException: " + e, e);
        }
    }

    @Test
    void everyTruncationIsRefusedAsMalformed() throws Exception {
        byte[] valid = CODEC.encode(record(11));
        for (int n = 1; n < valid.length; n++) {
            byte[] cut = java.util.Arrays.copyOf(valid, n);
            InvalidRecordException e = assertThrows(InvalidRecordException.class, () -> CODEC.decode(cut), "length " + n);
            assertEquals(RejectReason.MALFORMED_BINARY, e.reason(), e.getMessage());
        }
    }

    @Test
    void theBytesAreTheSpecifiedLayout() throws Exception {
        double[] affinity = new double[Genre.COUNT];
        affinity[Genre.ACTION.ordinal()] = 1.5;
        affinity[Genre.DRAMA.ordinal()] = -0.25;
        UserPreferenceFeatures f = new UserPreferenceFeatures("u1", T, 3, affinity, 2.0, T - 1000, new long[] {300, 5},
                new long[] {5, 7, 300}, new long[] {1, 0, 2, 130, 0}, "e9", T);
        byte[] expected = layout(w -> {
            w.raw(0x02);
            w.varint(1).varint(3).string("u1");
            w.varint(zigzag(T)).varint(zigzag(-1000)).varint(zigzag(0)).string("e9");
            w.f64(2.0);
            w.varint((1L << Genre.ACTION.ordinal()) | (1L << Genre.DRAMA.ordinal())).f64(1.5).f64(-0.25);
            w.varint(1).varint(0).varint(2).varint(130).varint(0);
            w.varint(2).varint(300).varint(5);
            w.varint(3).varint(5).varint(2).varint(293);
        });
        assertArrayEquals(expected, CODEC.encode(f));
        assertEquals(f, CODEC.decode(expected));
    }

    @Test
    void theJsonFormStillReadsAsTheSameRecord() throws Exception {
        for (long seed = 0; seed < 200; seed++) {
            UserPreferenceFeatures f = record(seed);
            if (hasNegativeZero(f)) {
                continue; // JSON numbers have no -0.0
            }
            byte[] json = UserFeaturesCodec.encodeJson(f);
            assertEquals('{', json[0]);
            assertEquals(f, CODEC.decode(json));
            assertTrue(CODEC.encode(f).length < json.length, "binary is smaller");
        }
    }

    @Test
    void aRecordAtTheWatchedBoundWithTheLongestIdsFitsTheDefaultLimitInBothForms() throws Exception {
        long[] watched = new long[UserPreferenceFeatures.MAX_WATCHED];
        for (int i = 0; i < watched.length; i++) {
            watched[i] = Long.MAX_VALUE - (long) (watched.length - i) * 1_000_000_007L;
        }
        UserPreferenceFeatures f = new UserPreferenceFeatures("u".repeat(128), T, 3, new double[Genre.COUNT], 1.0 / 3, T,
                java.util.Arrays.copyOf(watched, 400), watched, new long[] {Long.MAX_VALUE, 1, 1, 1, 1}, "e".repeat(128), T);
        for (byte[] bytes : new byte[][] {CODEC.encode(f), UserFeaturesCodec.encodeJson(f)}) {
            assertTrue(bytes.length <= UserFeaturesCodec.MAX_BYTES, bytes.length + " bytes > " + UserFeaturesCodec.MAX_BYTES);
            assertEquals(f, CODEC.decode(bytes));
        }
    }

    @Test
    void malformedRecordsAreRefusedWithTheirReason() {
        refused(RejectReason.EMPTY, new byte[0]);
        refused(RejectReason.OVERSIZE, new byte[UserFeaturesCodec.MAX_BYTES + 1]);
        refused(RejectReason.UNSUPPORTED_SCHEMA_VERSION, valid(w -> w.raw(0x03)));
        refused(RejectReason.UNSUPPORTED_SCHEMA_VERSION, new byte[] {0, 0, 0, 0, 1});
        refused(RejectReason.MALFORMED_JSON, "not json".getBytes(StandardCharsets.UTF_8));
        refused(RejectReason.UNSUPPORTED_SCHEMA_VERSION, valid(w -> w.raw(0x02).varint(2)));
        refused(RejectReason.VALUE_OUT_OF_RANGE, valid(w -> w.raw(0x02).varint(1).varint(0)));
        refused(RejectReason.VALUE_OUT_OF_RANGE, valid(w -> w.raw(0x02).varint(1).varint(1L << 31)));
        refused(RejectReason.INVALID_ID, valid(w -> w.raw(0x02).varint(1).varint(3).string("u 1")));
        refused(RejectReason.INVALID_ID, valid(w -> w.raw(0x02).varint(1).varint(3).string("")));
        refused(RejectReason.INVALID_UTF8, valid(w -> w.raw(0x02).varint(1).varint(3).string("u1").varint(0).varint(0).varint(0)
                .varint(2).raw(0xc3).raw(0x28)));
        refused(RejectReason.MALFORMED_BINARY, valid(w -> w.raw(0x02).varint(1).varint(3).varint(1_000).raw('u')));
        refused(RejectReason.MALFORMED_BINARY, valid(w -> w.raw(0x02).varint(1).varint(3).string("u1")
                .raw(0xff).raw(0xff).raw(0xff).raw(0xff).raw(0xff).raw(0xff).raw(0xff).raw(0xff).raw(0xff).raw(0x02)));
        refused(RejectReason.NON_FINITE_NUMBER, valid(w -> head(w).f64(Double.NaN)));
        refused(RejectReason.NON_FINITE_NUMBER, valid(w -> head(w).f64(0).varint(1).f64(Double.POSITIVE_INFINITY)));
        refused(RejectReason.UNKNOWN_GENRE, valid(w -> head(w).f64(0).varint(1L << Genre.COUNT)));
        refused(RejectReason.MALFORMED_BINARY, valid(w -> counts(head(w).f64(0).varint(0)).varint(5).varint(1)));
        refused(RejectReason.VALUE_OUT_OF_RANGE, valid(w -> counts(head(w).f64(0).varint(0)).varint(0)
                .varint(UserPreferenceFeatures.MAX_WATCHED + 1)));
        refused(RejectReason.VALUE_OUT_OF_RANGE, valid(w -> counts(head(w).f64(0).varint(0)).varint(0).varint(2).varint(7).varint(0)));
        refused(RejectReason.VALUE_OUT_OF_RANGE, valid(w -> counts(head(w).f64(0).varint(0)).varint(0).varint(2)
                .varint(Long.MAX_VALUE).varint(1)));
        refused(RejectReason.MALFORMED_BINARY, valid(w -> counts(head(w).f64(0).varint(0)).varint(0).varint(0).raw(0)));
    }

    @Test
    void theSmallestValidRecordDecodes() throws Exception {
        UserPreferenceFeatures f = CODEC.decode(valid(w -> counts(head(w).f64(0).varint(0)).varint(0).varint(0)));
        assertEquals(new UserPreferenceFeatures("u1", T, 3, new double[Genre.COUNT], 0, T, new long[0], new long[0],
                new long[EventType.COUNT], "e1", T), f);
    }

    @Test
    void aTombstoneHasNoEncodedForm() {
        UserPreferenceFeatures t = UserPreferenceFeatures.tombstone("u1", T);
        assertThrows(IllegalArgumentException.class, () -> CODEC.encode(t));
        assertThrows(IllegalArgumentException.class, () -> UserFeaturesCodec.encodeJson(t));
    }

    private static void refused(RejectReason reason, byte[] bytes) {
        InvalidRecordException e = assertThrows(InvalidRecordException.class, () -> CODEC.decode(bytes));
        assertEquals(reason, e.reason(), e.getMessage());
    }

    /** The fields up to activity of a valid record of user u1 at time T, trigger e1. */
    private static Layout head(Layout w) {
        return w.raw(0x02).varint(1).varint(3).string("u1").varint(zigzag(T)).varint(0).varint(0).string("e1");
    }

    private static Layout counts(Layout w) {
        return w.varint(0).varint(0).varint(0).varint(0).varint(0);
    }

    private static byte[] valid(Consumer<Layout> body) {
        return layout(body);
    }

    private static byte[] layout(Consumer<Layout> body) {
        Layout w = new Layout();
        body.accept(w);
        return w.out.toByteArray();
    }

    static long zigzag(long v) {
        return (v << 1) ^ (v >> 63);
    }

    /** The layout written from its specification, independently of the codec. */
    static final class Layout {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Layout raw(int b) {
            out.write(b);
            return this;
        }

        Layout varint(long v) {
            while (Long.compareUnsigned(v, 0x80) >= 0) {
                out.write((int) (v & 0x7f) | 0x80);
                v >>>= 7;
            }
            out.write((int) v);
            return this;
        }

        Layout f64(double d) {
            out.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putDouble(d).array());
            return this;
        }

        Layout string(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            varint(b.length);
            out.writeBytes(b);
            return this;
        }
    }

    /**
     * A record drawn from {@code seed}: watched sets empty, single, at the bound or of random size, over
     * small, MovieLens-sized or 64-bit ids; times, counts and doubles including their extremes.
     */
    static UserPreferenceFeatures record(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        long maxId = switch (r.nextInt(3)) {
            case 0 -> 1_000;
            case 1 -> 200_000;
            default -> Long.MAX_VALUE;
        };
        int size = switch (r.nextInt(5)) {
            case 0 -> 0;
            case 1 -> 1;
            case 2 -> (int) Math.min(maxId, UserPreferenceFeatures.MAX_WATCHED);
            default -> r.nextInt((int) Math.min(maxId, 3_000));
        };
        TreeSet<Long> ids = new TreeSet<>();
        if (size == maxId) {
            for (long id = 1; id <= size; id++) {
                ids.add(id);
            }
        }
        while (ids.size() < size) {
            ids.add(r.nextLong(1, maxId) + (maxId == Long.MAX_VALUE && r.nextInt(4) == 0 ? 1 : 0));
        }
        long[] watched = ids.stream().mapToLong(Long::longValue).toArray();
        long[] recent = new long[r.nextInt(4) == 0 ? 0 : r.nextInt(1, 60)];
        for (int i = 0; i < recent.length; i++) {
            recent[i] = r.nextInt(10) == 0 ? r.nextLong() : r.nextLong(1, maxId);
        }
        double[] affinity = new double[Genre.COUNT];
        for (int g = 0; g < affinity.length; g++) {
            affinity[g] = switch (r.nextInt(8)) {
                case 0 -> 0.0;
                case 1 -> -0.0;
                case 2 -> Double.MIN_VALUE;
                case 3 -> r.nextBoolean() ? Double.MAX_VALUE : -Double.MAX_VALUE;
                default -> r.nextDouble(-5, 50);
            };
        }
        long[] counts = new long[EventType.COUNT];
        for (int t = 0; t < counts.length; t++) {
            counts[t] = r.nextInt(10) == 0 ? Long.MAX_VALUE : r.nextLong(0, 100_000);
        }
        long asOf = r.nextInt(10) == 0 ? (r.nextBoolean() ? Long.MIN_VALUE : Long.MAX_VALUE) : T + r.nextLong(-T, T);
        long first = r.nextInt(10) == 0 ? Long.MIN_VALUE : asOf - r.nextLong(0, 1L << 40);
        long trigger = r.nextInt(10) == 0 ? Long.MAX_VALUE : asOf - r.nextLong(0, 10_000);
        String user = r.nextInt(10) == 0 ? "u".repeat(128) : "user:" + r.nextInt(1_000_000) + "@tenant-a";
        String triggerId = switch (r.nextInt(3)) {
            case 0 -> "e" + r.nextLong();
            case 1 -> "évènement-€-😀-" + r.nextInt();
            default -> "";
        };
        return new UserPreferenceFeatures(user, asOf, 1 + r.nextInt(Integer.MAX_VALUE), affinity, r.nextDouble(0, 1e6), first,
                recent, watched, counts, triggerId, trigger);
    }

    private static boolean hasNegativeZero(UserPreferenceFeatures f) {
        for (double d : f.genreAffinity()) {
            if (Double.doubleToRawLongBits(d) == Long.MIN_VALUE) {
                return true;
            }
        }
        return false;
    }

    private static byte[] mutate(byte[] valid, SplittableRandom r) {
        byte[] b;
        switch (r.nextInt(5)) {
            case 0 -> b = java.util.Arrays.copyOf(valid, r.nextInt(valid.length));
            case 1 -> {
                b = valid.clone();
                for (int k = 1 + r.nextInt(4); k > 0; k--) {
                    b[r.nextInt(b.length)] = (byte) r.nextInt(256);
                }
            }
            case 2 -> {
                b = valid.clone();
                int at = 1 + r.nextInt(b.length - 1);
                java.util.Arrays.fill(b, at, Math.min(b.length, at + 1 + r.nextInt(12)), (byte) 0xff);
            }
            case 3 -> {
                b = java.util.Arrays.copyOf(valid, valid.length + 1 + r.nextInt(8));
                b[valid.length] = (byte) r.nextInt(256);
            }
            default -> {
                b = new byte[1 + r.nextInt(200)];
                r.nextBytes(b);
                b[0] = 2;
            }
        }
        return b;
    }
}
