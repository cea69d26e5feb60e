package io.moerec.jobs.bench;

import java.util.Arrays;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * How the benchmark splits the live part (the events at or after the cut, by event time) into its two
 * consecutive phases: the first {@code fixedEvents} at a fixed offered rate, then the next
 * {@code loadEvents} at maximum load (or an overload rate). Phases are event-time slices
 * {@code [from, to)}, so each user's events stay in order across them; where several events share the
 * boundary's event time they all go to the later phase, so the counts are those of the slices.
 *
 * @param fixedFrom   first event time of the fixed-rate phase
 * @param fixedTo     end (exclusive) of the fixed-rate phase = start of the load phase
 * @param fixedEvents events in the fixed-rate phase
 * @param loadTo      end (exclusive) of the load phase; {@link Long#MAX_VALUE} = to the end of the data
 * @param loadEvents  events in the load phase (0: no load phase)
 */
public record PhasePlan(long fixedFrom, long fixedTo, long fixedEvents, long loadTo, long loadEvents) {

    /**
     * The plan for {@code liveTimes} (ascending). The fixed-rate phase takes {@code rate × duration}
     * events when a duration is given, else half of the live part; the load phase takes the rest, or
     * at most {@code maxLoadEvents}.
     */
    public static PhasePlan of(long[] liveTimes, double rate, OptionalDouble durationSeconds, OptionalLong maxLoadEvents) {
        if (liveTimes.length < 2) {
            throw new IllegalArgumentException("the live part needs at least 2 events, has " + liveTimes.length);
        }
        if (!(rate > 0) || Double.isInfinite(rate)) {
            throw new IllegalArgumentException("rate must be a positive number of events/s, got " + rate);
        }
        int n = liveTimes.length;
        long wanted = durationSeconds.isPresent() ? Math.max(1, Math.round(rate * durationSeconds.getAsDouble())) : n / 2;
        int fixedEnd = (int) Math.min(n, wanted);
        long fixedTo;
        if (fixedEnd >= n) {
            fixedTo = Long.MAX_VALUE;
        } else {
            fixedTo = liveTimes[fixedEnd];
            fixedEnd = firstAtOrAfter(liveTimes, fixedTo);
        }
        if (fixedEnd == 0) {
            throw new IllegalArgumentException("the fixed-rate phase would be empty: the first " + wanted
                    + " live events share one event time");
        }
        long rest = n - fixedEnd;
        long loadEvents = maxLoadEvents.isPresent() ? Math.min(rest, maxLoadEvents.getAsLong()) : rest;
        long loadTo = Long.MAX_VALUE;
        if (loadEvents < rest) {
            int loadEnd = firstAtOrAfter(liveTimes, liveTimes[(int) (fixedEnd + loadEvents)]);
            if (loadEnd == fixedEnd) {
                // Every event up to the cap shares the phase's first event time: take that whole tie.
                loadEnd = firstAfter(liveTimes, liveTimes[fixedEnd]);
            }
            loadTo = loadEnd == n ? Long.MAX_VALUE : liveTimes[loadEnd];
            loadEvents = loadEnd - fixedEnd;
        }
        return new PhasePlan(liveTimes[0], fixedTo, fixedEnd, loadTo, loadEvents);
    }

    private static int firstAfter(long[] sorted, long t) {
        int i = firstAtOrAfter(sorted, t);
        while (i < sorted.length && sorted[i] == t) {
            i++;
        }
        return i;
    }

    private static int firstAtOrAfter(long[] sorted, long t) {
        int i = Arrays.binarySearch(sorted, t);
        if (i < 0) {
            return -i - 1;
        }
        while (i > 0 && sorted[i - 1] == t) {
            i--;
        }
        return i;
    }
}
