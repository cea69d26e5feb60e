package io.moerec.ingest.domain;

import java.util.Objects;

/**
 * One viewing event, the input of the whole engine. Keyed by {@link #userId()} on Kafka.
 * Instances are valid by construction only through {@link io.moerec.ingest.json.ViewingEventCodec}
 * or {@link io.moerec.ingest.json.EventRules#check(ViewingEvent)}; the canonical constructor checks
 * only nullness so that Flink's serializers can rebuild it cheaply.
 *
 * @param eventId         producer-assigned unique id (idempotence and tracing)
 * @param userId          who watched
 * @param movieId         what was watched (catalog id, positive)
 * @param type            what happened
 * @param eventTime       event time, epoch milliseconds
 * @param watchedSeconds  seconds watched so far, or {@code null}
 * @param durationSeconds the title's length in seconds, or {@code null}
 * @param rating          stars in [0.5, 5] for {@link EventType#RATE}, otherwise {@code null}
 */
public record ViewingEvent(
        String eventId,
        String userId,
        long movieId,
        EventType type,
        long eventTime,
        Integer watchedSeconds,
        Integer durationSeconds,
        Double rating) {

    public ViewingEvent {
        Objects.requireNonNull(eventId, "eventId");
        Objects.requireNonNull(userId, "userId");
        Objects.requireNonNull(type, "type");
    }

    public static ViewingEvent play(String eventId, String userId, long movieId, long eventTime) {
        return new ViewingEvent(eventId, userId, movieId, EventType.PLAY, eventTime, null, null, null);
    }

    public static ViewingEvent complete(String eventId, String userId, long movieId, long eventTime) {
        return new ViewingEvent(eventId, userId, movieId, EventType.COMPLETE, eventTime, null, null, null);
    }

    public static ViewingEvent skip(String eventId, String userId, long movieId, long eventTime) {
        return new ViewingEvent(eventId, userId, movieId, EventType.SKIP, eventTime, null, null, null);
    }

    public static ViewingEvent rate(String eventId, String userId, long movieId, long eventTime, double rating) {
        return new ViewingEvent(eventId, userId, movieId, EventType.RATE, eventTime, null, null, rating);
    }

    public static ViewingEvent progress(String eventId, String userId, long movieId, long eventTime,
                                        int watchedSeconds, int durationSeconds) {
        return new ViewingEvent(eventId, userId, movieId, EventType.PROGRESS, eventTime,
                watchedSeconds, durationSeconds, null);
    }
}
