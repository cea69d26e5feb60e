package io.moerec.ingest.replay;

import io.moerec.ingest.json.RejectReason;
import java.time.Duration;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The outcome of a finished replay or catalog load, every record acknowledged by the broker.
 * Invariant, checked before a summary is built: {@code sent + rejectedTotal() == read}.
 *
 * @param source   what was replayed (the data set's description)
 * @param read     records read from the source (blank lines are not records)
 * @param sent     valid records on the target topic
 * @param rejected rejected lines on the dead-letter topic, by reason
 * @param elapsed  real time from start to the last acknowledgement
 */
public record ReplaySummary(String source, long read, long sent, Map<RejectReason, Long> rejected, Duration elapsed) {

    public ReplaySummary {
        EnumMap<RejectReason, Long> copy = new EnumMap<>(RejectReason.class);
        copy.putAll(rejected);
        rejected = Collections.unmodifiableMap(copy);
        long total = copy.values().stream().mapToLong(Long::longValue).sum();
        if (sent + total != read) {
            throw new IllegalStateException("sent " + sent + " + rejected " + total + " != read " + read);
        }
    }

    public long rejectedTotal() {
        return rejected.values().stream().mapToLong(Long::longValue).sum();
    }

    /** Records read per second of real time. */
    public double recordsPerSecond() {
        double s = elapsed.toNanos() / 1e9;
        return s <= 0 ? 0 : read / s;
    }

    /** One line for a terminal or a log: counts, reasons, time and rate. */
    @Override
    public String toString() {
        String reasons = rejected.isEmpty() ? "" : rejected.entrySet().stream()
                .map(e -> e.getKey() + " " + e.getValue())
                .collect(Collectors.joining(", ", " (", ")"));
        return String.format(java.util.Locale.ROOT, "read %d, sent %d, rejected %d%s in %.1f s, %.0f records/s",
                read, sent, rejectedTotal(), reasons, elapsed.toNanos() / 1e9, recordsPerSecond());
    }
}
