package io.moerec.ingest.json;

import io.moerec.ingest.domain.EventType;
import io.moerec.ingest.domain.ViewingEvent;

/**
 * JSON codec of {@link ViewingEvent}, schema {@code schemas/viewing-event.schema.json}. Decoding is
 * strict: unknown top-level fields are rejected, except {@code context}, an object for the producer's
 * own attributes (device, session, ...) that moerec carries past without reading.
 */
public final class ViewingEventCodec implements JsonCodec<ViewingEvent> {

    private final int maxBytes;

    public ViewingEventCodec() {
        this(StrictJson.DEFAULT_MAX_RECORD_BYTES);
    }

    /**
     * @param maxBytes records longer than this are rejected as {@link RejectReason#OVERSIZE}; in
     *                 [{@value StrictJson#MIN_RECORD_LIMIT}, {@value StrictJson#MAX_RECORD_LIMIT}]
     */
    public ViewingEventCodec(int maxBytes) {
        this.maxBytes = StrictJson.recordLimit("maxBytes", maxBytes);
    }

    public int maxBytes() {
        return maxBytes;
    }

    @Override
    public byte[] encode(ViewingEvent e) {
        return JsonWriter.write(160, g -> {
            g.writeStringField("eventId", e.eventId());
            g.writeStringField("userId", e.userId());
            g.writeNumberField("movieId", e.movieId());
            g.writeStringField("type", e.type().name());
            g.writeNumberField("eventTime", e.eventTime());
            if (e.watchedSeconds() != null) {
                g.writeNumberField("watchedSeconds", e.watchedSeconds());
            }
            if (e.durationSeconds() != null) {
                g.writeNumberField("durationSeconds", e.durationSeconds());
            }
            if (e.rating() != null) {
                g.writeNumberField("rating", e.rating());
            }
        });
    }

    @Override
    public ViewingEvent decode(byte[] bytes) throws InvalidRecordException {
        StrictJson.Fields f = StrictJson.parseObject(bytes, maxBytes);
        JsonWriter.checkSchemaVersion(f);
        String eventId = f.string("eventId");
        String userId = f.string("userId");
        long movieId = f.longValue("movieId");
        String typeName = f.string("type");
        EventType type;
        try {
            type = EventType.valueOf(typeName);
        } catch (IllegalArgumentException ex) {
            throw new InvalidRecordException(RejectReason.UNKNOWN_EVENT_TYPE,
                    "field 'type' is '" + StrictJson.abbreviate(typeName) + "', expected one of PLAY, PROGRESS, COMPLETE, RATE, SKIP");
        }
        long eventTime = f.longValue("eventTime");
        Integer watched = intOrNull(f, "watchedSeconds");
        Integer duration = intOrNull(f, "durationSeconds");
        Double rating = f.optionalDouble("rating");
        f.object("context", false);
        f.rejectUnknown();
        return EventRules.check(new ViewingEvent(eventId, userId, movieId, type, eventTime, watched, duration, rating));
    }

    private static Integer intOrNull(StrictJson.Fields f, String field) throws InvalidRecordException {
        Long v = f.optionalLong(field);
        if (v == null) {
            return null;
        }
        if (v < 0 || v > EventRules.MAX_SECONDS) {
            throw new InvalidRecordException(RejectReason.VALUE_OUT_OF_RANGE,
                    "field '" + field + "' is " + v + ", allowed are 0 to " + EventRules.MAX_SECONDS + " seconds");
        }
        return v.intValue();
    }
}
