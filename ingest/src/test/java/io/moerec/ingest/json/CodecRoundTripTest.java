package io.moerec.ingest.json;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.moerec.ingest.domain.EventType;
import io.moerec.ingest.domain.Genre;
import io.moerec.ingest.domain.GenreSet;
import io.moerec.ingest.domain.Movie;
import io.moerec.ingest.domain.RecommendationList;
import io.moerec.ingest.domain.RecommendationList.ExpertWeight;
import io.moerec.ingest.domain.RecommendationList.RecommendedItem;
import io.moerec.ingest.domain.UserPreferenceFeatures;
import io.moerec.ingest.domain.ViewingEvent;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

class CodecRoundTripTest {

    static final long T = 1_700_000_000_000L;

    static Stream<ViewingEvent> events() {
        return Stream.of(
                ViewingEvent.play("e1", "u1", 1, T),
                ViewingEvent.complete("e2", "user:42@tenant-a", 9_000_000_000L, T + 1),
                ViewingEvent.skip("e3", "u1", 3, T + 2),
                ViewingEvent.rate("e4", "u1", 4, T + 3, 0.5),
                ViewingEvent.rate("e5", "u1", 4, T + 3, 5.0),
                ViewingEvent.progress("e6", "u1", 5, T + 4, 0, 5400),
                new ViewingEvent("e7", "u1", 6, EventType.PLAY, T, 10, 7200, null));
    }

    @ParameterizedTest
    @MethodSource("events")
    void viewingEventRoundTrips(ViewingEvent e) throws Exception {
        ViewingEventCodec codec = new ViewingEventCodec();
        byte[] bytes = codec.encode(e);
        assertEquals(e, codec.decode(bytes));
        assertArrayEquals(bytes, codec.encode(codec.decode(bytes)), "encoding is canonical");
    }

    @Test
    void movieRoundTrips() throws Exception {
        MovieCodec codec = new MovieCodec();
        for (Movie m : List.of(
                new Movie(1, "Toy Story (1995)", 1995, GenreSet.of(Genre.ADVENTURE, Genre.ANIMATION, Genre.CHILDREN)),
                new Movie(2, "Amélie, \"Le fabuleux destin\" (2001)", 2001, GenreSet.of(Genre.COMEDY, Genre.ROMANCE)),
                new Movie(3, "Untitled", null, GenreSet.EMPTY))) {
            assertEquals(m, codec.decode(codec.encode(m)));
        }
    }

    @Test
    void featuresRoundTripBitForBit() throws Exception {
        double[] affinity = new double[Genre.COUNT];
        for (int i = 0; i < affinity.length; i++) {
            affinity[i] = Math.sin(i) / 3.0 + Math.ulp(1.0) * i;
        }
        UserPreferenceFeatures f = new UserPreferenceFeatures("u1", T, 3, affinity, 12.345678901234567, T - 10_000,
                new long[] {5, 4, 3}, new long[] {1, 3, 4, 5, 9, Long.MAX_VALUE}, new long[] {1, 2, 3, 4, 5}, "e9", T - 5);
        UserFeaturesCodec codec = new UserFeaturesCodec();
        for (byte[] bytes : new byte[][] {codec.encode(f), UserFeaturesCodec.encodeJson(f)}) {
            UserPreferenceFeatures back = codec.decode(bytes);
            assertEquals(f, back);
            assertArrayEquals(f.genreAffinityNormalised(), back.genreAffinityNormalised());
        }
    }

    @Test
    void aRecordWithTheWatchedSetAtItsBoundFitsTheDefaultLimit() throws Exception {
        // The worst case: MAX_WATCHED 19-digit ids and a long recent list (8 x 50 ids, see the feature logic's bound).
        long[] watched = new long[UserPreferenceFeatures.MAX_WATCHED];
        for (int i = 0; i < watched.length; i++) {
            watched[i] = Long.MAX_VALUE - watched.length + i;
        }
        long[] recent = java.util.Arrays.copyOf(watched, 400);
        UserPreferenceFeatures f = new UserPreferenceFeatures("u".repeat(128), T, 3, new double[Genre.COUNT], 1.0 / 3, T,
                recent, watched, new long[] {Long.MAX_VALUE, 1, 1, 1, 1}, "e".repeat(128), T);
        UserFeaturesCodec codec = new UserFeaturesCodec();
        for (byte[] bytes : new byte[][] {codec.encode(f), UserFeaturesCodec.encodeJson(f)}) {
            org.junit.jupiter.api.Assertions.assertTrue(bytes.length <= UserFeaturesCodec.MAX_BYTES,
                    bytes.length + " bytes > " + UserFeaturesCodec.MAX_BYTES);
            assertEquals(f, codec.decode(bytes));
        }
    }

    @Test
    void aWatchedSetOutOfOrderOrOverItsBoundIsRefusedInTheJsonForm() throws Exception {
        UserFeaturesCodec codec = new UserFeaturesCodec();
        String json = new String(UserFeaturesCodec.encodeJson(new UserPreferenceFeatures("u1", T, 3, new double[Genre.COUNT], 0, T,
                new long[0], new long[] {2, 7}, new long[5], "e1", T)), java.nio.charset.StandardCharsets.UTF_8);
        byte[] unsorted = json.replace("\"watched\":[2,7]", "\"watched\":[7,2]").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(RejectReason.VALUE_OUT_OF_RANGE, org.junit.jupiter.api.Assertions.assertThrows(InvalidRecordException.class,
                () -> codec.decode(unsorted)).reason());
        byte[] missing = json.replace("\"watched\":[2,7],", "").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(RejectReason.MISSING_FIELD, org.junit.jupiter.api.Assertions.assertThrows(InvalidRecordException.class,
                () -> codec.decode(missing)).reason());
        StringBuilder many = new StringBuilder("\"watched\":[1");
        for (int i = 2; i <= UserPreferenceFeatures.MAX_WATCHED + 1; i++) {
            many.append(',').append(i);
        }
        byte[] tooMany = json.replace("\"watched\":[2,7]", many.append(']')).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(RejectReason.VALUE_OUT_OF_RANGE, org.junit.jupiter.api.Assertions.assertThrows(InvalidRecordException.class,
                () -> codec.decode(tooMany)).reason());
    }

    @Test
    void aFeaturesTombstoneHasNoEncodedFormAndVersionZeroIsRefused() throws Exception {
        UserFeaturesCodec codec = new UserFeaturesCodec();
        UserPreferenceFeatures t = UserPreferenceFeatures.tombstone("u1", T);
        org.junit.jupiter.api.Assertions.assertTrue(t.isTombstone());
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> codec.encode(t));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> UserFeaturesCodec.encodeJson(t));
        String json = new String(UserFeaturesCodec.encodeJson(new UserPreferenceFeatures("u1", T, 1, new double[Genre.COUNT], 0, T,
                new long[0], new long[0], new long[5], "e1", T)), java.nio.charset.StandardCharsets.UTF_8);
        byte[] zero = json.replace("\"featureVersion\":1", "\"featureVersion\":0").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        InvalidRecordException e = org.junit.jupiter.api.Assertions.assertThrows(InvalidRecordException.class, () -> codec.decode(zero));
        assertEquals(RejectReason.VALUE_OUT_OF_RANGE, e.reason());
    }

    @Test
    void recommendationListRoundTrips() throws Exception {
        RecommendationList r = new RecommendationList("u1", T + 100, "moe-20261123-abc", "balanced",
                List.of(new RecommendedItem(10, 0.91, List.of(new ExpertWeight(Genre.DRAMA, 0.7), new ExpertWeight(Genre.WAR, 0.3))),
                        new RecommendedItem(11, 0.5, List.of(new ExpertWeight(Genre.SCI_FI, 1.0)), 260L)),
                "e9", T);
        RecommendationListCodec codec = new RecommendationListCodec();
        assertEquals(r, codec.decode(codec.encode(r)));
        assertEquals(260L, codec.decode(codec.encode(r)).items().get(1).because());
    }

    @Test
    void aRecommendationListWrittenBeforeBecauseExistedReadsWithoutIt() throws Exception {
        String old = "{\"schemaVersion\":1,\"userId\":\"u1\",\"generatedAt\":5,\"modelVersion\":\"m\",\"router\":\"softmax\","
                + "\"triggerEventId\":\"e1\",\"triggerEventTime\":4,\"items\":[{\"movieId\":7,\"score\":0.5,\"experts\":[]}]}";
        RecommendationList r = new RecommendationListCodec().decode(old.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertEquals(new RecommendedItem(7, 0.5, List.of()), r.items().get(0));
        assertEquals(null, r.items().get(0).because());
    }
}
