package io.moerec.moe.lifecycle;

import io.moerec.ingest.domain.ViewingEvent;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The last {@code capacity} events in arrival order, each with where it came from (a source
 * partition and its offset there), so that the window can be rebuilt after a restart by re-reading
 * from {@link #startPositions}. Adding to a full window drops the oldest event. Not thread-safe.
 */
public final class TrainingWindow {

    /** An event and its source position. */
    public record Entry(ViewingEvent event, int partition, long offset) {
    }

    private final int capacity;
    private final ArrayDeque<Entry> entries;

    public TrainingWindow(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("a training window holds at least one event: " + capacity);
        }
        this.capacity = capacity;
        this.entries = new ArrayDeque<>(Math.min(capacity, 1 << 16));
    }

    public void add(ViewingEvent event, int partition, long offset) {
        if (entries.size() == capacity) {
            entries.removeFirst();
        }
        entries.addLast(new Entry(event, partition, offset));
    }

    public int size() {
        return entries.size();
    }

    public int capacity() {
        return capacity;
    }

    public boolean isFull() {
        return entries.size() == capacity;
    }

    /** The events, oldest first (a copy). */
    public List<ViewingEvent> events() {
        List<ViewingEvent> out = new ArrayList<>(entries.size());
        entries.forEach(e -> out.add(e.event()));
        return out;
    }

    /**
     * Per partition, the offset of its oldest event still in the window: re-reading every partition
     * from here (and from the consumed position for partitions with no event in the window) restores
     * the window. Partitions are given with their consumed positions so that every one is named.
     */
    public Map<Integer, Long> startPositions(Map<Integer, Long> consumed) {
        Map<Integer, Long> out = new TreeMap<>(consumed);
        Map<Integer, Long> oldest = new TreeMap<>();
        for (Entry e : entries) {
            oldest.merge(e.partition(), e.offset(), Math::min);
        }
        out.putAll(oldest);
        return out;
    }
}
