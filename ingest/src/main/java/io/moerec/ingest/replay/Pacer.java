package io.moerec.ingest.replay;

/**
 * Maps events onto a monotonic schedule, by event time or at a fixed rate. By event time: the first
 * event is due at once, an event {@code d} ms of event time after it is due {@code d / speed} ms of
 * real time after the start; an event earlier than one already sent (a recorded log's out-of-order
 * arrival) is due at once. At a fixed rate: the {@code n}-th event (from 0) is due {@code n / rate}
 * seconds after the start, whatever its event time. Waiting is done against that deadline, never by
 * fixed sleeps, so time spent sending counts against the wait and the replay does not drift: a
 * sender that fell behind catches up without waiting (the offered load is a schedule, not a gap
 * between sends). Both infinite never waits.
 */
final class Pacer {

    /** Longest single sleep, so that progress keeps being reported during long gaps. */
    static final long MAX_SLEEP_NANOS = 200_000_000L;

    private final double speed;
    private final double rate;
    private final MonotonicClock clock;
    private long startNanos;
    private long firstEventTime;
    private long paced;
    private boolean started;

    /** Paced by event time at {@code speed}. */
    Pacer(double speed, MonotonicClock clock) {
        this(speed, Double.POSITIVE_INFINITY, clock);
    }

    /** Paced by event time at {@code speed}, or at {@code rate} events per second; at most one is finite. */
    Pacer(double speed, double rate, MonotonicClock clock) {
        if (!Double.isInfinite(speed) && !Double.isInfinite(rate)) {
            throw new IllegalArgumentException("speed and rate exclude each other");
        }
        this.speed = speed;
        this.rate = rate;
        this.clock = clock;
    }

    /** Real-time nanoseconds after the start at which the {@code n}-th event (from 0) is due at {@code rate} events/s. */
    static long rateOffsetNanos(long n, double rate) {
        return (long) Math.min(n * (1e9 / rate), Long.MAX_VALUE / 4.0);
    }

    /** Real-time nanoseconds, on the clock's scale, at which an event of this time is due. */
    long dueNanos(long eventTime) {
        if (!started) {
            started = true;
            firstEventTime = eventTime;
            startNanos = clock.nanoTime();
        }
        if (!Double.isInfinite(rate)) {
            return startNanos + rateOffsetNanos(paced++, rate);
        }
        double offsetNanos = (eventTime - firstEventTime) * 1_000_000.0 / speed;
        return offsetNanos <= 0 ? startNanos : startNanos + (long) Math.min(offsetNanos, Long.MAX_VALUE / 4.0);
    }

    /**
     * Waits until the event is due, running {@code whileWaiting} between sleeps of at most
     * {@link #MAX_SLEEP_NANOS}.
     */
    void awaitDue(long eventTime, Runnable whileWaiting) throws InterruptedException {
        if (Double.isInfinite(speed) && Double.isInfinite(rate)) {
            return;
        }
        long due = dueNanos(eventTime);
        long remaining;
        while ((remaining = due - clock.nanoTime()) > 0) {
            clock.sleepNanos(Math.min(remaining, MAX_SLEEP_NANOS));
            whileWaiting.run();
        }
    }
}
