package io.moerec.ingest.replay;

/**
 * Maps event time onto a monotonic schedule: the first event is due at once, an event {@code d} ms
 * of event time after it is due {@code d / speed} ms of real time after the start. Waiting is done
 * against that deadline, never by fixed sleeps, so time spent sending counts against the wait and
 * the replay does not drift. An event earlier than one already sent (a recorded log's out-of-order
 * arrival) is due at once. Speed {@link Double#POSITIVE_INFINITY} never waits.
 */
final class Pacer {

    /** Longest single sleep, so that progress keeps being reported during long gaps. */
    static final long MAX_SLEEP_NANOS = 200_000_000L;

    private final double speed;
    private final MonotonicClock clock;
    private long startNanos;
    private long firstEventTime;
    private boolean started;

    Pacer(double speed, MonotonicClock clock) {
        this.speed = speed;
        this.clock = clock;
    }

    /** Real-time nanoseconds, on the clock's scale, at which an event of this time is due. */
    long dueNanos(long eventTime) {
        if (!started) {
            started = true;
            firstEventTime = eventTime;
            startNanos = clock.nanoTime();
        }
        double offsetNanos = (eventTime - firstEventTime) * 1_000_000.0 / speed;
        return offsetNanos <= 0 ? startNanos : startNanos + (long) Math.min(offsetNanos, Long.MAX_VALUE / 4.0);
    }

    /**
     * Waits until the event is due, running {@code whileWaiting} between sleeps of at most
     * {@link #MAX_SLEEP_NANOS}.
     */
    void awaitDue(long eventTime, Runnable whileWaiting) throws InterruptedException {
        if (Double.isInfinite(speed)) {
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
