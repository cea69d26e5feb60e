package io.moerec.jobs.bench;

import java.util.Arrays;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * How the benchmark splits the live part (the events at or after the cut, by event time) into its
 * consecutive phases: first {@code settleEvents} at the fixed rate to let every process settle (the
 * JIT compiles the paths a steady trickle takes, which the warm-up's full-speed replay did not), then
 * {@code fixedEvents} at the fixed offered rate, then {@code loadEvents} at maximum load (or an
 * overload rate). Phases are event-time slices {@code [from, to)}, so each user's events stay in order
 * across them; where several events share a boundary's event time they all go to the later phase, so
 * the counts are those of the slices.
 *
 * @param from         first event time of the live part (the settling phase's start)
 * @param settleTo     end (exclusive) of the settling phase = start of the fixed-rate phase ({@code from}: no settling)
 * @param settleEvents events in the settling phase (0: none)
 * @param fixedTo      end (exclusive) of the fixed-rate phase = start of the load phase
 * @param fixedEvents  events in the fixed-rate phase
 * @param loadTo       end (exclusive) of the load phase; {@link Long#MAX_VALUE} = to the end of the data
 * @param loadEvents   events in the load phase (0: no load phase)
 */
public record PhasePlan(long from, long settleTo, long settleEvents, long fixedTo, long fixedEvents, long loadTo, long loadEvents) {

    /**
     * The plan for {@code liveTimes} (ascending). Settling takes {@code rate × settleSeconds} events
     * (none for 0); the fixed-rate phase then takes {@code rate × duration} events when a duration is
     * given, else half of what is left; the load phase takes the rest, or at most {@code maxLoadEvents}.
     */
    public static PhasePlan of(long[] liveTimes, double rate, double settleSeconds, OptionalDouble durationSeconds,
                               OptionalLong maxLoadEvents) {
        if (liveTimes.length < 2) {
            throw new IllegalArgumentException("the live part needs at least 2 events, has " + liveTimes.length);
        }
        if (!(rate > 0) || Double.isInfinite(rate)) {
            throw new IllegalArgumentException("rate must be a positive number of events/s, got " + rate);
        }
        if (!(settleSeconds >= 0) || Double.isInfinite(settleSeconds)) {
            throw new IllegalArgumentException("settling must be zero or more seconds, got " + settleSeconds);
        }
        int n = liveTimes.length;
        int settleEnd = settleSeconds == 0 ? 0 : end(liveTimes, 0, Math.max(1, Math.round(rate * settleSeconds)));
        if (settleEnd >= n - 1) {
            throw new IllegalArgumentException("settling for " + settleSeconds + " s at " + rate + " ev/s would take "
                    + Math.round(rate * settleSeconds) + " of the live part's " + n + " events");
        }
        long wanted = durationSeconds.isPresent() ? Math.max(1, Math.round(rate * durationSeconds.getAsDouble())) : (n - settleEnd) / 2;
        int fixedEnd = end(liveTimes, settleEnd, wanted);
        if (fixedEnd == settleEnd) {
            throw new IllegalArgumentException("the fixed-rate phase would be empty: the first " + wanted
                    + " of its events share one event time");
        }
        long rest = n - fixedEnd;
        long loadEvents = maxLoadEvents.isPresent() ? Math.min(rest, maxLoadEvents.getAsLong()) : rest;
        long loadTo = Long.MAX_VALUE;
        if (loadEvents < rest) {
            int loadEnd = end(liveTimes, fixedEnd, loadEvents);
            if (loadEnd == fixedEnd) {
                // Every event up to the cap shares the phase's first event time: take that whole tie.
                loadEnd = firstAfter(liveTimes, liveTimes[fixedEnd]);
            }
            loadTo = loadEnd == n ? Long.MAX_VALUE : liveTimes[loadEnd];
            loadEvents = loadEnd - fixedEnd;
        }
        return new PhasePlan(liveTimes[0], settleEnd == 0 ? liveTimes[0] : liveTimes[settleEnd], settleEnd,
                fixedEnd == n ? Long.MAX_VALUE : liveTimes[fixedEnd], fixedEnd - settleEnd, loadTo, loadEvents);
    }

    /**
     * The end (exclusive) of a phase that starts at index {@code start} and wants {@code wanted} events,
     * moved back to the start of a tie there.
     */
    private static int end(long[] sorted, int start, long wanted) {
        long i = start + wanted;
        return i >= sorted.length ? sorted.length : firstAtOrAfter(sorted, sorted[(int) i]);
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
