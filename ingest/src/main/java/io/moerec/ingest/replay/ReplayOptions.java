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
 * @param rate             a fixed offered load instead: events per second of real time, whatever their
 *                         event times; {@link Double#POSITIVE_INFINITY} = not rate-limited. At most one
 *                         of {@code speed} and {@code rate} is finite.
 * @param progressInterval how often the progress listener hears from the replay
 * @param expectedRecords  how many lines the source holds, for the ETA; {@code -1} when unknown
 */
public record ReplayOptions(Topic<String, ViewingEvent> topic, String dlqTopic, double speed, double rate,
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
        if (Double.isNaN(rate) || rate <= 0) {
            throw new IllegalArgumentException("rate must be positive events/s (or infinite for unlimited), got " + rate);
        }
        if (!Double.isInfinite(speed) && !Double.isInfinite(rate)) {
            throw new IllegalArgumentException("speed and rate exclude each other: pace by event time or by a fixed rate, got speed "
                    + speed + " and rate " + rate);
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
                Double.POSITIVE_INFINITY, Duration.ofSeconds(1), -1);
    }

    public ReplayOptions withTopic(Topic<String, ViewingEvent> newTopic) {
        return new ReplayOptions(newTopic, dlqTopic, speed, rate, progressInterval, expectedRecords);
    }

    public ReplayOptions withDlqTopic(String newDlqTopic) {
        return new ReplayOptions(topic, newDlqTopic, speed, rate, progressInterval, expectedRecords);
    }

    public ReplayOptions withSpeed(double newSpeed) {
        return new ReplayOptions(topic, dlqTopic, newSpeed, rate, progressInterval, expectedRecords);
    }

    public ReplayOptions withProgressInterval(Duration newInterval) {
        return new ReplayOptions(topic, dlqTopic, speed, rate, newInterval, expectedRecords);
    }

    public ReplayOptions withExpectedRecords(long newExpected) {
        return new ReplayOptions(topic, dlqTopic, speed, rate, progressInterval, newExpected);
    }

    /** A fixed offered load of {@code eventsPerSecond}, regardless of event time (not with a finite speed). */
    public ReplayOptions withRate(double eventsPerSecond) {
        return new ReplayOptions(topic, dlqTopic, speed, eventsPerSecond, progressInterval, expectedRecords);
    }

    public boolean timeScaled() {
        return !Double.isInfinite(speed);
    }

    public boolean rateLimited() {
        return !Double.isInfinite(rate);
    }
}
