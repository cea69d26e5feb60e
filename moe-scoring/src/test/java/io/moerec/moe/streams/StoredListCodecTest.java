package io.moerec.moe.streams;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.moerec.ingest.domain.Genre;
import io.moerec.ingest.domain.RecommendationList;
import io.moerec.ingest.domain.RecommendationList.ExpertWeight;
import io.moerec.ingest.domain.RecommendationList.RecommendedItem;
import io.moerec.ingest.json.InvalidRecordException;
import io.moerec.ingest.json.RecommendationListCodec;
import io.moerec.ingest.json.RejectReason;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class StoredListCodecTest {

    static final RecommendationList LIST = new RecommendationList("user-ß-7", 1_764_000_000_123L, "moe-2026-12-03", "softmax",
            List.of(new RecommendedItem(318, 0.1 + 0.2, List.of(new ExpertWeight(Genre.DRAMA, 0.7), new ExpertWeight(Genre.WESTERN, 0.3)), 2571L),
                    new RecommendedItem(Long.MAX_VALUE, -1e-300, List.of(), null),
                    new RecommendedItem(1, Double.MIN_VALUE, List.of(new ExpertWeight(Genre.ofIndex(0), 1.0)))),
            "evt-9", 1_763_999_999_000L);

    private final StoredListCodec codec = new StoredListCodec();

    @Test
    void roundTripsEveryFieldExactly() throws InvalidRecordException {
        byte[] bytes = codec.encode(LIST);
        assertEquals(StoredListCodec.FORMAT, bytes[0]);
        assertEquals(LIST, codec.decode(bytes));
        RecommendationList empty = new RecommendationList("", 0, "m", "dense", List.of(), "e", 0);
        assertEquals(empty, codec.decode(codec.encode(empty)));
    }

    @Test
    void isSmallerThanTheTopicsJson() {
        byte[] json = new RecommendationListCodec().encode(LIST);
        assertTrue(codec.encode(LIST).length < json.length * 2 / 3, codec.encode(LIST).length + " bytes against JSON's " + json.length);
    }

    @Test
    void readsTheJsonThatEarlierVersionsStored() throws InvalidRecordException {
        assertEquals(LIST, codec.decode(new RecommendationListCodec().encode(LIST)));
    }

    @Test
    void aCutOrPaddedRecordIsRefusedWithTheReason() {
        byte[] bytes = codec.encode(LIST);
        for (int cut : new int[] {1, 2, 10, bytes.length / 2, bytes.length - 1}) {
            InvalidRecordException e = assertThrows(InvalidRecordException.class, () -> codec.decode(Arrays.copyOf(bytes, cut)), "cut at " + cut);
            assertEquals(RejectReason.MALFORMED_BINARY, e.reason(), e.getMessage());
        }
        assertEquals(RejectReason.MALFORMED_BINARY, assertThrows(InvalidRecordException.class,
                () -> codec.decode(Arrays.copyOf(bytes, bytes.length + 1))).reason());
        assertEquals(RejectReason.EMPTY, assertThrows(InvalidRecordException.class, () -> codec.decode(new byte[0])).reason());
        byte[] otherVocabulary = bytes.clone();
        otherVocabulary[1] = (byte) (Genre.VOCABULARY_VERSION + 1);
        assertEquals(RejectReason.UNSUPPORTED_SCHEMA_VERSION, assertThrows(InvalidRecordException.class,
                () -> codec.decode(otherVocabulary)).reason());
    }
}
