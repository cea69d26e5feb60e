package io.moerec.jobs.pipeline;

import io.moerec.features.flink.KafkaConnectors;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Counts and rates of the records on the pipeline's topics: published events (valid or not), features
 * updates and their duplicates, late events, dead letters by stage and reason, lists and their
 * duplicates. Thread-safe: every method synchronizes on this object.
 */
final class EventAccounting {

    private final RateMeter eventRate = new RateMeter();
    private final RateMeter listRate = new RateMeter();
    private final Set<String> updatedTriggers = new HashSet<>();
    private final Set<String> listTriggers = new HashSet<>();
    private final Map<String, Long> deadLettersByReason = new LinkedHashMap<>();
    private final Map<String, Long> invalidByReason = new LinkedHashMap<>();
    private final Map<String, Long> invalidFeaturesByReason = new LinkedHashMap<>();
    private long eventsSeen;
    private long invalidEvents;
    private long liveEvents;
    private long featureUpdates;
    private long duplicateUpdates;
    private long lateEvents;
    private long deadLetters;
    private long lists;
    private long duplicateLists;

    synchronized void eventPublished(boolean live, long publishedAt) {
        eventsSeen++;
        if (live) {
            liveEvents++;
            eventRate.add(publishedAt);
        }
    }

    synchronized void invalidEventPublished(String reason) {
        invalidEvents++;
        invalidByReason.merge(reason, 1L, Long::sum);
    }

    synchronized void invalidFeaturesPublished(String reason) {
        invalidFeaturesByReason.merge(reason, 1L, Long::sum);
    }

    synchronized void featuresUpdated(String triggerEventId) {
        featureUpdates++;
        if (!updatedTriggers.add(triggerEventId)) {
            duplicateUpdates++;
        }
    }

    synchronized void lateEvent() {
        lateEvents++;
    }

    /** Only the features job's dead letters balance published events; every one is counted by reason. */
    synchronized void deadLetter(String stage, String reason) {
        if (KafkaConnectors.DLQ_STAGE.equals(stage)) {
            deadLetters++;
        }
        deadLettersByReason.merge(stage + ":" + reason, 1L, Long::sum);
    }

    synchronized void listPublished(String userId, String triggerEventId, long seenAt) {
        lists++;
        if (!listTriggers.add(userId + '\u0000' + triggerEventId)) {
            duplicateLists++;
        }
        listRate.add(seenAt);
    }

    synchronized PipelineObservations.Accounting accounting() {
        return new PipelineObservations.Accounting(eventsSeen + invalidEvents, featureUpdates, duplicateUpdates, lateEvents,
                deadLetters, Map.copyOf(deadLettersByReason), invalidEvents, Map.copyOf(invalidByReason));
    }

    synchronized Set<String> featuresTriggers() {
        return Set.copyOf(updatedTriggers);
    }

    synchronized Map<String, Long> invalidFeaturesByReason() {
        return Map.copyOf(invalidFeaturesByReason);
    }

    synchronized long eventsSeen() {
        return eventsSeen;
    }

    synchronized long liveEvents() {
        return liveEvents;
    }

    synchronized long lists() {
        return lists;
    }

    synchronized long duplicateLists() {
        return duplicateLists;
    }

    synchronized double eventsPerSecond(long now) {
        return eventRate.perSecond(now);
    }

    synchronized double listsPerSecond(long now) {
        return listRate.perSecond(now);
    }
}
