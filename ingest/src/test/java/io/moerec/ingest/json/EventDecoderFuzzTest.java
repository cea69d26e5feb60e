package io.moerec.ingest.json;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.moerec.ingest.domain.ViewingEvent;
import io.moerec.ingest.json.HostileEventRecords.Case;
import io.moerec.ingest.json.HostileEventRecords.Kind;
import io.moerec.ingest.source.JsonLinesDataSet;
import io.moerec.ingest.source.Parsed;
import io.moerec.ingest.source.RecordStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Fuzzes the one event decoder every entry point shares ({@link ViewingEventCodec}, behind the
 * replay's file reader, the Flink job's decode function and the Kafka serde) and the JSON-lines
 * reader around it, with {@link HostileEventRecords}. The property: no exception but
 * {@link InvalidRecordException} ever leaves the decoder; a hostile record is rejected with a reason
 * its kind allows and a short detail; a valid one decodes to exactly its event; the file reader keeps
 * every line, good ones in order and bad ones with their original bytes. Fixed seeds: a failure
 * repeats. Case counts: 20,000 single records, 200 files of 60 lines, every truncation and 14 byte
 * substitutions at every position of one valid record per event type (about 8,000), and 20,000 byte
 * strings for the UTF-8 check against the JDK's strict decoder.
 */
class EventDecoderFuzzTest {

    private static final int MAX = StrictJson.DEFAULT_MAX_RECORD_BYTES;
    private static final ViewingEventCodec CODEC = new ViewingEventCodec();

    @Provide
    Arbitrary<Case> cases() {
        // Each try draws its kind and its own seed; every kind, valid included, is equally likely.
        return Combinators.combine(Arbitraries.of(Kind.class), Arbitraries.longs())
                .as((kind, seed) -> new HostileEventRecords(seed, MAX, 50).next(kind));
    }

    @Property(tries = 20_000, seed = "7001", shrinking = net.jqwik.api.ShrinkingMode.OFF)
    void everyRecordDecodesOrIsRejectedWithAReasonItsKindAllows(@ForAll("cases") Case c) {
        check(c);
    }

    /** The oracle of a single case; returns the decoded event or {@code null} when rejected. */
    static ViewingEvent check(Case c) {
        ViewingEvent decoded;
        try {
            decoded = CODEC.decode(c.bytes());
        } catch (InvalidRecordException e) {
            assertNotNull(e.reason(), c::toString);
            assertTrue(!c.mustDecode(), () -> "a valid record was rejected: " + e + " " + c);
            assertTrue(c.reasons().contains(e.reason()), () -> "reason " + e + " is not one of " + c.reasons() + " for " + c);
            assertNotNull(e.detail(), c::toString);
            assertTrue(!e.detail().isBlank() && e.detail().length() <= 400, () -> "detail of " + e.detail().length() + " chars: " + c);
            return null;
        }
        assertTrue(c.mustDecode() || c.eitherWay(), () -> "accepted, but must be rejected with one of " + c.reasons() + ": " + c);
        if (c.mustDecode()) {
            assertEquals(c.valid(), decoded, c::toString);
        }
        // Whatever was accepted obeys every rule and survives its own round trip.
        try {
            assertEquals(decoded, EventRules.check(decoded));
            assertEquals(decoded, CODEC.decode(CODEC.encode(decoded)));
        } catch (InvalidRecordException e) {
            fail("an accepted record breaks a rule: " + e + " " + c);
        }
        return decoded;
    }

    @Provide
    Arbitrary<byte[]> utf8ish() {
        // Mostly bytes around the multi-byte boundaries, so that the interesting sequences are frequent.
        Arbitrary<Byte> b = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(2, Arbitraries.bytes().between((byte) 0x20, (byte) 0x7e)),
                net.jqwik.api.Tuple.of(3, Arbitraries.integers().between(0x80, 0xbf).map(i -> (byte) (int) i)),
                net.jqwik.api.Tuple.of(3, Arbitraries.integers().between(0xc0, 0xff).map(i -> (byte) (int) i)));
        return b.array(byte[].class).ofMaxSize(12);
    }

    /** The UTF-8 check agrees with the JDK's strict decoder on every byte string. */
    @Property(tries = 20_000, seed = "7003", shrinking = net.jqwik.api.ShrinkingMode.OFF)
    void utf8CheckAgreesWithTheJdkDecoder(@ForAll("utf8ish") byte[] bytes) {
        boolean jdkValid;
        try {
            java.nio.charset.StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                    .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(bytes));
            jdkValid = true;
        } catch (java.nio.charset.CharacterCodingException e) {
            jdkValid = false;
        }
        assertEquals(jdkValid, StrictJson.firstInvalidUtf8(bytes) < 0, () -> java.util.HexFormat.of().formatHex(bytes));
    }

    @Example
    void everyTruncationAndEverySingleByteSubstitutionOfValidRecords() {
        HostileEventRecords gen = new HostileEventRecords(11, MAX, 3);
        byte[] substitutes = {0, '"', '}', '{', ',', ':', '\\', '9', '-', ' ', 'x', (byte) 0x80, (byte) 0xc3, (byte) 0xff};
        Set<String> typesSeen = new java.util.HashSet<>();
        int cases = 0;
        while (typesSeen.size() < 5) {
            ViewingEvent e = gen.validEvent();
            if (!typesSeen.add(e.type().name())) {
                continue;
            }
            byte[] full = CODEC.encode(e);
            for (int cut = 0; cut < full.length; cut++) {
                check(new Case(Kind.TRUNCATED, Arrays.copyOf(full, cut), null, EnumSet.of(RejectReason.EMPTY, RejectReason.MALFORMED_JSON)));
                cases++;
            }
            for (int pos = 0; pos < full.length; pos++) {
                for (byte s : substitutes) {
                    byte[] b = full.clone();
                    b[pos] = s;
                    check(new Case(Kind.BYTE_FLIP, b, b[pos] == full[pos] ? e : null,
                            b[pos] == full[pos] ? Set.of() : HostileEventRecords.ANY_DECODER_REASON));
                    cases++;
                }
            }
        }
        assertTrue(cases > 4_000, "cases: " + cases);
    }

    @Example
    void aTenMebibytePayloadIsRejectedAsOversizeBeforeParsing() throws Exception {
        byte[] huge = new byte[10 * 1024 * 1024];
        Arrays.fill(huge, (byte) '[');
        InvalidRecordException e = org.junit.jupiter.api.Assertions.assertThrows(InvalidRecordException.class, () -> CODEC.decode(huge));
        assertEquals(RejectReason.OVERSIZE, e.reason());
        assertTrue(e.detail().contains("10485760 bytes"), e.detail());
        // And the configurable limit: the same codec type with 16 MiB parses it and rejects its syntax.
        InvalidRecordException deep = org.junit.jupiter.api.Assertions.assertThrows(InvalidRecordException.class,
                () -> new ViewingEventCodec(16 * 1024 * 1024).decode(huge));
        assertEquals(RejectReason.MALFORMED_JSON, deep.reason());
    }

    @Provide
    Arbitrary<Long> fileSeeds() {
        return Arbitraries.longs();
    }

    /**
     * The replay's reader over a file of valid and hostile lines (about a third bad, one in eight
     * oversized): every non-blank line comes out once, in file order; valid ones decode to their event;
     * rejected ones keep their original bytes (an oversized line its first limit+1) and a reason.
     */
    @Property(tries = 200, seed = "7002", shrinking = net.jqwik.api.ShrinkingMode.OFF)
    void theLineReaderKeepsEveryLineAndItsOrder(@ForAll("fileSeeds") long seed) throws IOException {
        HostileEventRecords gen = new HostileEventRecords(seed, MAX, 5);
        List<Case> lines = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            lines.add(gen.next(0.66).asLine());
        }
        Path dir = Files.createTempDirectory("fuzz-lines");
        try {
            try (OutputStream out = Files.newOutputStream(dir.resolve(JsonLinesDataSet.EVENTS_FILE))) {
                for (Case c : lines) {
                    out.write(c.bytes());
                    out.write(seed % 2 == 0 ? new byte[] {'\n'} : new byte[] {'\r', '\n'});
                }
            }
            List<Parsed<ViewingEvent>> parsed = new ArrayList<>();
            try (RecordStream<ViewingEvent> s = new JsonLinesDataSet(dir).events()) {
                s.forEachRemaining(parsed::add);
            }
            assertEquals(lines.size(), parsed.size(), "one result per line");
            for (int i = 0; i < lines.size(); i++) {
                Case c = lines.get(i);
                Parsed<ViewingEvent> p = parsed.get(i);
                assertEquals(i + 1, p.position());
                if (p instanceof Parsed.Ok<ViewingEvent> ok) {
                    assertTrue(c.mustDecode() || c.eitherWay(), () -> "accepted " + c);
                    if (c.mustDecode()) {
                        assertEquals(c.valid(), ok.value());
                    }
                } else {
                    Parsed.Rejected<ViewingEvent> r = (Parsed.Rejected<ViewingEvent>) p;
                    assertTrue(c.reasons().contains(r.reason()), () -> r.reason() + " for " + c);
                    byte[] expected = c.bytes().length > MAX ? Arrays.copyOf(c.bytes(), MAX + 1) : c.bytes();
                    assertArrayEquals(expected, r.original(), () -> "original bytes of line " + p.position());
                }
            }
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }
}
