package io.moerec.jobs.pipeline;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import org.HdrHistogram.Histogram;

/**
 * Event-to-recommendation latency of live events: from the moment an event was published (its Kafka
 * timestamp) to the moment a list it triggered was seen, in ms up to an hour. Thread-safe: every
 * method synchronizes on this object, and the listener is called under that lock.
 */
final class LatencyRecorder {

    private final Histogram latencyMs = new Histogram(3_600_000L, 3);
    private final Map<String, Long> publishedAtByEvent = new HashMap<>();
    private final PipelineObservations.LatencyListener listener;

    LatencyRecorder(PipelineObservations.LatencyListener listener) {
        this.listener = Objects.requireNonNull(listener, "latencyListener");
    }

    /** A live event: lists it triggers are measured. */
    synchronized void livePublished(String eventId, long publishedAt) {
        publishedAtByEvent.put(eventId, publishedAt);
    }

    synchronized void listPublished(String triggerEventId, long seenAt) {
        Long publishedAt = publishedAtByEvent.get(triggerEventId);
        if (publishedAt != null) {
            latencyMs.recordValue(Math.max(0, Math.min(seenAt - publishedAt, latencyMs.getHighestTrackableValue())));
            listener.measured(publishedAt, seenAt);
        }
    }

    /** Latency quantile in ms (0 when nothing was measured). */
    synchronized long atPercentile(double percentile) {
        return latencyMs.getTotalCount() == 0 ? 0 : latencyMs.getValueAtPercentile(percentile);
    }

    /** p50, p99 and maximum in ms (0 when nothing was measured) and the number of samples, read together. */
    synchronized Summary summary() {
        return new Summary(atPercentile(50), atPercentile(99), latencyMs.getTotalCount() == 0 ? 0 : latencyMs.getMaxValue(),
                latencyMs.getTotalCount());
    }

    record Summary(long p50Ms, long p99Ms, long maxMs, long samples) {
    }
}
