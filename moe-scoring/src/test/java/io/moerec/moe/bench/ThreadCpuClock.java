package io.moerec.moe.bench;

import java.lang.management.ManagementFactory;

/**
 * Calls counted against the CPU time of the benchmark thread, per JMH iteration: on a shared machine the
 * thread waits for a core, so wall-clock figures misstate what one core does; this does not.
 */
final class ThreadCpuClock {
    private long calls;
    private long cpuStart;

    void start() {
        calls = 0;
        cpuStart = ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
    }

    void count() {
        calls++;
    }

    long calls() {
        return calls;
    }

    /** Nanoseconds of the thread's CPU time since {@link #start}. */
    long cpuNanos() {
        return ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime() - cpuStart;
    }
}
