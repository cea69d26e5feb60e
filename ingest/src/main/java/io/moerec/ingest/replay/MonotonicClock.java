package io.moerec.ingest.replay;

import java.util.concurrent.TimeUnit;

/**
 * The monotonic time source of a time-scaled replay, and the way it waits. Wall-clock time
 * ({@code System.currentTimeMillis}) is not used because it jumps when the system clock is adjusted;
 * tests substitute a fake that advances only when asked to sleep.
 */
public interface MonotonicClock {

    /** Nanoseconds from an arbitrary origin, never decreasing. */
    long nanoTime();

    /** Waits about this long (possibly less; callers re-check their deadline). */
    void sleepNanos(long nanos) throws InterruptedException;

    /** {@link System#nanoTime()} and {@link Thread#sleep}. */
    MonotonicClock SYSTEM = new MonotonicClock() {
        @Override
        public long nanoTime() {
            return System.nanoTime();
        }

        @Override
        public void sleepNanos(long nanos) throws InterruptedException {
            TimeUnit.NANOSECONDS.sleep(nanos);
        }
    };
}
