package io.moerec.ingest.json;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import io.moerec.ingest.domain.EventType;
import io.moerec.ingest.domain.Genre;
import io.moerec.ingest.domain.UserPreferenceFeatures;
import java.io.IOException;

/**
 * The JSON form (format 1) of {@link UserPreferenceFeatures}, schema {@code schemas/user-features.schema.json}.
 * Per-genre and per-type values are objects keyed by wire name so that consumers in other languages
 * need not know the vocabulary order. As an output record it tolerates unknown top-level fields
 * (newer writers may add some); the vocabulary inside must match exactly.
 */
final class UserFeaturesJson {

    private UserFeaturesJson() {
    }

    static byte[] encode(UserPreferenceFeatures f) {
        return JsonWriter.write(1024, g -> {
            g.writeStringField("userId", f.userId());
            g.writeNumberField("asOf", f.asOf());
            g.writeNumberField("featureVersion", f.featureVersion());
            g.writeNumberField("genreVocabularyVersion", Genre.VOCABULARY_VERSION);
            writeGenres(g, "genreAffinity", f.genreAffinity());
            writeGenres(g, "genreAffinityNormalised", f.genreAffinityNormalised());
            g.writeNumberField("activity", f.activity());
            g.writeNumberField("firstEventTime", f.firstEventTime());
            g.writeArrayFieldStart("recentWatches");
            for (long id : f.recentWatches()) {
                g.writeNumber(id);
            }
            g.writeEndArray();
            g.writeArrayFieldStart("watched");
            for (long id : f.watched()) {
                g.writeNumber(id);
            }
            g.writeEndArray();
            g.writeObjectFieldStart("eventCounts");
            for (EventType t : EventType.values()) {
                g.writeNumberField(t.name(), f.eventCounts()[t.ordinal()]);
            }
            g.writeEndObject();
            g.writeStringField("triggerEventId", f.triggerEventId());
            g.writeNumberField("triggerEventTime", f.triggerEventTime());
        });
    }

    private static void writeGenres(JsonGenerator g, String field, double[] values) throws IOException {
        g.writeObjectFieldStart(field);
        for (Genre genre : Genre.values()) {
            g.writeNumberField(genre.wireName(), values[genre.ordinal()]);
        }
        g.writeEndObject();
    }

    static UserPreferenceFeatures decode(byte[] bytes, int maxBytes) throws InvalidRecordException {
        StrictJson.Fields f = StrictJson.parseObject(bytes, maxBytes);
        JsonWriter.checkSchemaVersion(f);
        long vocab = f.longValue("genreVocabularyVersion");
        if (vocab != Genre.VOCABULARY_VERSION) {
            throw new InvalidRecordException(RejectReason.UNSUPPORTED_SCHEMA_VERSION,
                    "field 'genreVocabularyVersion' is " + vocab + ", this reader knows " + Genre.VOCABULARY_VERSION);
        }
        String userId = f.string("userId");
        EventRules.checkId("userId", userId);
        long featureVersion = f.longValue("featureVersion");
        if (featureVersion < 1 || featureVersion > Integer.MAX_VALUE) {
            // The schema's minimum; 0 would read back as an in-job tombstone marker.
            throw new InvalidRecordException(RejectReason.VALUE_OUT_OF_RANGE, "field 'featureVersion' must be at least 1");
        }
        double[] affinity = new double[Genre.COUNT];
        StrictJson.Fields a = f.object("genreAffinity", true);
        for (Genre genre : Genre.values()) {
            affinity[genre.ordinal()] = a.doubleValue(genre.wireName());
        }
        a.rejectUnknown();
        f.object("genreAffinityNormalised", false); // derived from genreAffinity; read for its type only
        long[] counts = new long[EventType.COUNT];
        StrictJson.Fields c = f.object("eventCounts", true);
        for (EventType t : EventType.values()) {
            counts[t.ordinal()] = c.longValue(t.name());
        }
        c.rejectUnknown();
        long[] watches = longs(f, "recentWatches");
        long[] watched = longs(f, "watched");
        if (watched.length > UserPreferenceFeatures.MAX_WATCHED) {
            throw new InvalidRecordException(RejectReason.VALUE_OUT_OF_RANGE,
                    "field 'watched' holds " + watched.length + " ids, at most " + UserPreferenceFeatures.MAX_WATCHED + " allowed");
        }
        for (int i = 1; i < watched.length; i++) {
            if (watched[i - 1] >= watched[i]) {
                throw new InvalidRecordException(RejectReason.VALUE_OUT_OF_RANGE, "field 'watched' must be strictly ascending");
            }
        }
        return new UserPreferenceFeatures(userId, f.longValue("asOf"), (int) featureVersion, affinity,
                f.doubleValue("activity"), f.longValue("firstEventTime"), watches, watched, counts,
                f.string("triggerEventId"), f.longValue("triggerEventTime"));
    }

    private static long[] longs(StrictJson.Fields f, String field) throws InvalidRecordException {
        JsonNode array = f.array(field, true);
        long[] out = new long[array.size()];
        for (int i = 0; i < out.length; i++) {
            JsonNode n = array.get(i);
            if (!n.isIntegralNumber() || !n.canConvertToLong()) {
                throw new InvalidRecordException(RejectReason.WRONG_TYPE, "field '" + field + "' must hold integers");
            }
            out[i] = n.longValue();
        }
        return out;
    }
}
