package io.moerec.moe.lifecycle;

import io.moerec.ingest.domain.ViewingEvent;
import java.util.ArrayList;
import java.util.List;

/**
 * The window cut for blessing: the newest {@code share} of its events by event time is held out.
 * Events strictly before {@code cut} train the candidate; {@code all} (the whole window) is replayed
 * when scoring, so that held-out events are predicted from the features their users had just before.
 *
 * @param cut   the event time of the first held-out event
 * @param train the events before {@code cut}
 * @param all   every event of the window
 */
public record HoldoutSplit(long cut, List<ViewingEvent> train, List<ViewingEvent> all) {

    public HoldoutSplit {
        train = List.copyOf(train);
        all = List.copyOf(all);
    }

    /** Holds out the events at or after the {@code 1 − share} quantile of event time. */
    public static HoldoutSplit of(List<ViewingEvent> window, double share) {
        if (!(share > 0 && share < 1)) {
            throw new IllegalArgumentException("the held-out share must be strictly between 0 and 1: " + share);
        }
        if (window.isEmpty()) {
            throw new IllegalArgumentException("an empty window has nothing to hold out");
        }
        long[] times = window.stream().mapToLong(ViewingEvent::eventTime).sorted().toArray();
        long cut = times[Math.min(times.length - 1, (int) Math.floor((1 - share) * times.length))];
        List<ViewingEvent> train = new ArrayList<>();
        for (ViewingEvent e : window) {
            if (e.eventTime() < cut) {
                train.add(e);
            }
        }
        return new HoldoutSplit(cut, train, window);
    }
}
