package io.moerec.ingest.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import io.moerec.ingest.domain.EventType;
import io.moerec.ingest.domain.Genre;
import io.moerec.ingest.domain.GenreSet;
import io.moerec.ingest.domain.Movie;
import io.moerec.ingest.domain.RecommendationList;
import io.moerec.ingest.domain.RecommendationList.ExpertWeight;
import io.moerec.ingest.domain.RecommendationList.RecommendedItem;
import io.moerec.ingest.domain.UserPreferenceFeatures;
import io.moerec.ingest.domain.ViewingEvent;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The wire contract: every record the codecs write validates against the JSON Schema published for
 * consumers in other languages (ingest/src/main/resources/schemas), over randomised records.
 */
class SchemaContractTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final JsonSchemaFactory FACTORY = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);

    static JsonSchema schema(String name) {
        try (InputStream in = SchemaContractTest.class.getResourceAsStream("/schemas/" + name + ".schema.json")) {
            return FACTORY.getSchema(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static final JsonSchema EVENT = schema("viewing-event");
    private static final JsonSchema MOVIE = schema("movie");
    private static final JsonSchema FEATURES = schema("user-features");
    private static final JsonSchema RECS = schema("recommendation-list");

    static boolean viewingEventSchemaAccepts(byte[] bytes) {
        try {
            return EVENT.validate(MAPPER.readTree(bytes)).isEmpty();
        } catch (IOException e) {
            return false;
        }
    }

    private static void assertValid(JsonSchema schema, byte[] bytes) throws IOException {
        JsonNode node = MAPPER.readTree(bytes);
        Set<ValidationMessage> errors = schema.validate(node);
        assertTrue(errors.isEmpty(), () -> errors + " for " + node);
    }

    @Test
    void everyWrittenViewingEventValidates() throws Exception {
        SplittableRandom r = new SplittableRandom(1);
        ViewingEventCodec codec = new ViewingEventCodec();
        for (int i = 0; i < 500; i++) {
            EventType type = EventType.values()[r.nextInt(EventType.COUNT)];
            long t = EventRules.MIN_EVENT_TIME_MS + r.nextLong(EventRules.MAX_EVENT_TIME_MS - EventRules.MIN_EVENT_TIME_MS);
            Integer duration = type == EventType.PROGRESS || r.nextBoolean() ? 1 + r.nextInt(EventRules.MAX_SECONDS) : null;
            Integer watched = type == EventType.PROGRESS || duration != null && r.nextBoolean() ? r.nextInt(EventRules.MAX_SECONDS + 1) : null;
            Double rating = type == EventType.RATE ? 0.5 + r.nextInt(10) * 0.5 : null;
            ViewingEvent e = EventRules.check(new ViewingEvent("e-" + i, "user:" + r.nextInt(1000), 1 + r.nextLong(Long.MAX_VALUE - 1),
                    type, t, watched, duration, rating));
            assertValid(EVENT, codec.encode(e));
        }
    }

    @Test
    void everyWrittenMovieValidates() throws Exception {
        SplittableRandom r = new SplittableRandom(2);
        MovieCodec codec = new MovieCodec();
        for (int i = 0; i < 300; i++) {
            Integer year = r.nextInt(4) == 0 ? null : MovieCodec.MIN_YEAR + r.nextInt(MovieCodec.MAX_YEAR - MovieCodec.MIN_YEAR + 1);
            Movie m = new Movie(1 + r.nextInt(1_000_000), "Title \"" + i + "\", é", year, new GenreSet(r.nextInt(1 << Genre.COUNT)));
            assertValid(MOVIE, codec.encode(m));
        }
    }

    @Test
    void everyWrittenFeatureRecordValidates() throws Exception {
        SplittableRandom r = new SplittableRandom(3);
        UserFeaturesCodec codec = new UserFeaturesCodec();
        for (int i = 0; i < 200; i++) {
            double[] a = new double[Genre.COUNT];
            for (int g = 0; g < a.length; g++) {
                a[g] = r.nextDouble(-3, 10);
            }
            long[] recent = r.longs(r.nextInt(50), 1, 100_000).toArray();
            long[] watched = r.longs(r.nextInt(i == 0 ? 1 : 2_000), 1, Long.MAX_VALUE).sorted().distinct().toArray();
            long[] counts = r.longs(EventType.COUNT, 0, 10_000).toArray();
            UserPreferenceFeatures f = new UserPreferenceFeatures("u" + i, 1_700_000_000_000L + i, 3, a, r.nextDouble(0, 100),
                    1_600_000_000_000L, recent, watched, counts, "e" + i, 1_700_000_000_000L);
            assertValid(FEATURES, UserFeaturesCodec.encodeJson(f));
            assertEquals(f, codec.decode(UserFeaturesCodec.encodeJson(f)));
        }
    }

    @Test
    void everyWrittenRecommendationListValidates() throws Exception {
        SplittableRandom r = new SplittableRandom(4);
        RecommendationListCodec codec = new RecommendationListCodec();
        String[] routers = {"softmax", "balanced", "eigen", "dense"};
        for (int i = 0; i < 200; i++) {
            List<RecommendedItem> items = new ArrayList<>();
            for (int k = 0; k < r.nextInt(11); k++) {
                items.add(new RecommendedItem(1 + r.nextInt(10_000), r.nextDouble(),
                        List.of(new ExpertWeight(Genre.ofIndex(r.nextInt(Genre.COUNT)), r.nextDouble())),
                        r.nextBoolean() ? null : 1L + r.nextInt(10_000)));
            }
            RecommendationList l = new RecommendationList("u" + i, 1_700_000_000_000L, "m1", routers[i % 4], items, "e" + i, 1_700_000_000_000L);
            assertValid(RECS, codec.encode(l));
        }
    }

    @Test
    void schemasAgreeWithTheVocabulary() {
        JsonNode genres = MOVIE.getSchemaNode().at("/properties/genres/items/enum");
        assertEquals(Genre.COUNT, genres.size());
        for (Genre g : Genre.values()) {
            assertEquals(g.wireName(), genres.get(g.ordinal()).asText());
        }
        JsonNode types = EVENT.getSchemaNode().at("/properties/type/enum");
        for (EventType t : EventType.values()) {
            assertEquals(t.name(), types.get(t.ordinal()).asText());
        }
    }
}
