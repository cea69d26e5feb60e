package io.moerec.ingest.generate;

import io.moerec.ingest.domain.EventType;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;

/**
 * What one generator run produced: the counts (events exactly equal the configured target), the
 * event-time range and the planted structure. Immutable.
 *
 * @param config          the configuration that was run
 * @param movies          catalog entries written
 * @param events          events written
 * @param sessions        viewing sessions started
 * @param eventsByType    events per type, every type present as a key
 * @param firstEventTime  event time of the first event (epoch ms), or -1 without events
 * @param lastEventTime   event time of the last event (epoch ms), or -1 without events
 * @param structure       the planted taste clusters and each user's cluster
 */
public record GenerationResult(GeneratorConfig config, int movies, long events, long sessions,
                               Map<EventType, Long> eventsByType, long firstEventTime, long lastEventTime,
                               PlantedStructure structure) {

    public GenerationResult {
        EnumMap<EventType, Long> copy = new EnumMap<>(EventType.class);
        for (EventType t : EventType.values()) {
            copy.put(t, eventsByType.getOrDefault(t, 0L));
        }
        eventsByType = Collections.unmodifiableMap(copy);
    }
}
