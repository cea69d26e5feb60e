package io.moerec.jobs.pipeline;

import io.moerec.ingest.domain.RecommendationList;
import java.util.List;
import java.util.Map;

/**
 * The live view's figures at one instant: what the console view prints and the web page draws.
 *
 * @param at             wall-clock time of the snapshot (ms)
 * @param events         events published to {@code viewing-events} so far, all phases
 * @param liveEvents     of which in the measured (live) part
 * @param eventsPerSecond live events published per second, last few seconds
 * @param lists          recommendation lists seen so far
 * @param listsPerSecond lists per second, last few seconds
 * @param latencyP50Ms   event-to-recommendation latency, median over the live part so far
 * @param latencyP99Ms   its 99th percentile
 * @param latencyMaxMs   its maximum
 * @param latencySamples live events whose list has been seen
 * @param accounting     where every published event ended
 * @param routingLoad    users routed to each expert by the scoring app (its {@code moerec_expert_load_total})
 * @param featured       the latest lists of a few users
 */
public record LiveSnapshot(long at, long events, long liveEvents, double eventsPerSecond, long lists,
                           double listsPerSecond, long latencyP50Ms, long latencyP99Ms, long latencyMaxMs,
                           long latencySamples, PipelineObservations.Accounting accounting,
                           Map<String, Double> routingLoad, List<RecommendationList> featured) {
    public LiveSnapshot {
        routingLoad = Map.copyOf(routingLoad);
        featured = List.copyOf(featured);
    }
}
