package io.moerec.moe.lifecycle;

import java.util.Map;
import java.util.TreeMap;

/**
 * The model store's committed state, {@code state.json}: which entry serves, whether its announcement
 * went out, and the trainer's input position. Written only together (one atomic file), so that the
 * input position never runs ahead of the models it produced.
 *
 * @param serving     the serving entry's directory name, or null before the first model
 * @param announced   whether the serving entry's announcement was sent (false: send it again on start)
 * @param topic       the events topic the positions belong to (null before the first commit)
 * @param consumed    per partition, the offset after the last event the committed models account for
 * @param windowStart per partition, the offset to re-read from to rebuild the training window
 * @param lastTrainedAt wall-clock time of the last committed training, epoch ms (0: never)
 */
public record StoreState(String serving, boolean announced, String topic, Map<Integer, Long> consumed,
                         Map<Integer, Long> windowStart, long lastTrainedAt) {

    public StoreState {
        consumed = Map.copyOf(consumed == null ? Map.of() : new TreeMap<>(consumed));
        windowStart = Map.copyOf(windowStart == null ? Map.of() : new TreeMap<>(windowStart));
    }

    public static StoreState empty() {
        return new StoreState(null, false, null, Map.of(), Map.of(), 0);
    }

    public StoreState withServing(String entry, boolean wasAnnounced) {
        return new StoreState(entry, wasAnnounced, topic, consumed, windowStart, lastTrainedAt);
    }

    public StoreState withPositions(String eventsTopic, Map<Integer, Long> consumedTo, Map<Integer, Long> start, long trainedAt) {
        return new StoreState(serving, announced, eventsTopic, consumedTo, start, trainedAt);
    }
}
