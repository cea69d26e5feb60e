package io.moerec.ingest.replay;

import java.time.Duration;
import java.util.Optional;

/**
 * A snapshot of a running replay. {@code sent} and {@code rejected} count records the broker has
 * acknowledged, so they trail {@code read} by what is in flight.
 *
 * @param read            lines (records) read from the source so far
 * @param sent            valid records acknowledged on the target topic
 * @param rejected        rejected lines acknowledged on the dead-letter topic
 * @param elapsed         real time since the replay started
 * @param expectedRecords the source's size if known, else {@code -1}
 */
public record ReplayProgress(long read, long sent, long rejected, Duration elapsed, long expectedRecords) {

    /** Lines read per second of real time so far. */
    public double recordsPerSecond() {
        double s = elapsed.toNanos() / 1e9;
        return s <= 0 ? 0 : read / s;
    }

    /** Fraction done in [0, 1], when the size is known. */
    public Optional<Double> fractionDone() {
        if (expectedRecords <= 0) {
            return Optional.empty();
        }
        return Optional.of(Math.min(1.0, read / (double) expectedRecords));
    }

    /** Time left at the rate so far, when the size is known and something has been read. */
    public Optional<Duration> eta() {
        double rate = recordsPerSecond();
        if (expectedRecords < 0 || rate <= 0) {
            return Optional.empty();
        }
        long left = Math.max(0, expectedRecords - read);
        return Optional.of(Duration.ofMillis((long) (left / rate * 1000)));
    }
}
