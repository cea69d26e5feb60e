package io.moerec.ingest.replay;

import io.moerec.ingest.domain.ViewingEvent;
import io.moerec.ingest.topic.Topic;
import io.moerec.ingest.topic.Topics;
import java.time.Duration;
import java.util.Objects;

/**
 * How a {@link Replayer} publishes, validated when built so that a bad value fails before anything
 * is sent, with the setting's name in the message.
 *
 * @param topic            where valid events go (key = user id, value = the topic's serde)
 * @param dlqTopic         where rejected lines go, as {@link io.moerec.ingest.topic.DeadLetters} records
 * @param speed            event time per real time: 60 = one hour of events per minute;
 *                         {@link Double#POSITIVE_INFINITY} = as fast as possible
 * @param progressInterval how often the progress listener hears from the replay
 * @param expectedRecords  how many lines the source holds, for the ETA; {@code -1} when unknown
 */
public record ReplayOptions(Topic<String, ViewingEvent> topic, String dlqTopic, double speed,
                            Duration progressInterval, long expectedRecords) {

    public ReplayOptions {
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(dlqTopic, "dlqTopic");
        Objects.requireNonNull(progressInterval, "progressInterval");
        if (dlqTopic.isBlank()) {
            throw new IllegalArgumentException("dlqTopic must not be blank");
        }
        if (Double.isNaN(speed) || speed <= 0) {
            throw new IllegalArgumentException("speed must be positive (or infinite for as fast as possible), got " + speed);
        }
        if (progressInterval.isNegative() || progressInterval.isZero()) {
            throw new IllegalArgumentException("progressInterval must be positive, got " + progressInterval);
        }
        if (expectedRecords < -1) {
            throw new IllegalArgumentException("expectedRecords must be -1 (unknown) or a count, got " + expectedRecords);
        }
    }

    /** The project's topics, as fast as possible, progress every second, size unknown. */
    public static ReplayOptions defaults() {
        return new ReplayOptions(Topics.VIEWING_EVENTS, Topics.VIEWING_EVENTS_DLQ.name(), Double.POSITIVE_INFINITY,
                Duration.ofSeconds(1), -1);
    }

    public ReplayOptions withTopic(Topic<String, ViewingEvent> newTopic) {
        return new ReplayOptions(newTopic, dlqTopic, speed, progressInterval, expectedRecords);
    }

    public ReplayOptions withDlqTopic(String newDlqTopic) {
        return new ReplayOptions(topic, newDlqTopic, speed, progressInterval, expectedRecords);
    }

    public ReplayOptions withSpeed(double newSpeed) {
        return new ReplayOptions(topic, dlqTopic, newSpeed, progressInterval, expectedRecords);
    }

    public ReplayOptions withProgressInterval(Duration newInterval) {
        return new ReplayOptions(topic, dlqTopic, speed, newInterval, expectedRecords);
    }

    public ReplayOptions withExpectedRecords(long newExpected) {
        return new ReplayOptions(topic, dlqTopic, speed, progressInterval, newExpected);
    }

    public boolean timeScaled() {
        return !Double.isInfinite(speed);
    }
}
