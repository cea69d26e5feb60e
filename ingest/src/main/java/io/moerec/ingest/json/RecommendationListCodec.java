package io.moerec.ingest.json;

import com.fasterxml.jackson.databind.JsonNode;
import io.moerec.ingest.domain.Genre;
import io.moerec.ingest.domain.RecommendationList;
import io.moerec.ingest.domain.RecommendationList.ExpertWeight;
import io.moerec.ingest.domain.RecommendationList.RecommendedItem;
import java.util.ArrayList;
import java.util.List;

/**
 * JSON codec of {@link RecommendationList}, schema {@code schemas/recommendation-list.schema.json}.
 * As an output record it tolerates unknown top-level fields.
 */
public final class RecommendationListCodec implements JsonCodec<RecommendationList> {

    public static final int MAX_BYTES = 1024 * 1024;

    @Override
    public byte[] encode(RecommendationList r) {
        return JsonWriter.write(256 + 96 * r.items().size(), g -> {
            g.writeStringField("userId", r.userId());
            g.writeNumberField("generatedAt", r.generatedAt());
            g.writeStringField("modelVersion", r.modelVersion());
            g.writeStringField("router", r.router());
            g.writeStringField("triggerEventId", r.triggerEventId());
            g.writeNumberField("triggerEventTime", r.triggerEventTime());
            g.writeArrayFieldStart("items");
            for (RecommendedItem item : r.items()) {
                g.writeStartObject();
                g.writeNumberField("movieId", item.movieId());
                g.writeNumberField("score", item.score());
                if (item.because() != null) {
                    g.writeNumberField("because", item.because());
                }
                g.writeArrayFieldStart("experts");
                for (ExpertWeight w : item.experts()) {
                    g.writeStartObject();
                    g.writeStringField("genre", w.genre().wireName());
                    g.writeNumberField("weight", w.weight());
                    g.writeEndObject();
                }
                g.writeEndArray();
                g.writeEndObject();
            }
            g.writeEndArray();
        });
    }

    @Override
    public RecommendationList decode(byte[] bytes) throws InvalidRecordException {
        StrictJson.Fields f = StrictJson.parseObject(bytes, MAX_BYTES);
        JsonWriter.checkSchemaVersion(f);
        JsonNode itemsNode = f.array("items", true);
        List<RecommendedItem> items = new ArrayList<>(itemsNode.size());
        for (JsonNode itemNode : itemsNode) {
            if (!itemNode.isObject()) {
                throw new InvalidRecordException(RejectReason.WRONG_TYPE, "field 'items' must hold objects");
            }
            StrictJson.Fields item = new StrictJson.Fields((com.fasterxml.jackson.databind.node.ObjectNode) itemNode, "items[]");
            List<ExpertWeight> experts = new ArrayList<>();
            for (JsonNode e : item.array("experts", true)) {
                if (!e.isObject()) {
                    throw new InvalidRecordException(RejectReason.WRONG_TYPE, "field 'items[].experts' must hold objects");
                }
                StrictJson.Fields ef = new StrictJson.Fields((com.fasterxml.jackson.databind.node.ObjectNode) e, "items[].experts[]");
                String name = ef.string("genre");
                Genre genre = Genre.fromWireName(name).orElseThrow(() -> new InvalidRecordException(
                        RejectReason.UNKNOWN_GENRE, "genre '" + StrictJson.abbreviate(name) + "' is not in the vocabulary"));
                experts.add(new ExpertWeight(genre, ef.doubleValue("weight")));
            }
            // Records written before "because" existed have none: read as null.
            items.add(new RecommendedItem(item.longValue("movieId"), item.doubleValue("score"), experts,
                    item.optionalLong("because")));
        }
        return new RecommendationList(f.string("userId"), f.longValue("generatedAt"), f.string("modelVersion"),
                f.string("router"), items, f.string("triggerEventId"), f.longValue("triggerEventTime"));
    }
}
