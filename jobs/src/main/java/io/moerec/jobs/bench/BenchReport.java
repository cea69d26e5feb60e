package io.moerec.jobs.bench;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What one {@code moerec bench} run measured; {@link BenchReportWriter} renders it as Markdown and JSON.
 * Times are seconds, latencies milliseconds, memory MiB; a figure that could not be read is -1.
 *
 * @param setup  what ran, on what
 * @param broker the raw broker produce-then-consume rate for the same records, measured before the pipeline started
 * @param phases the measured phases, in order
 * @param timeline every sample of lags and memory over the whole run
 * @param finalAccounting where every published event ended, after the last phase drained
 */
public record BenchReport(Setup setup, RoundTrip broker, List<Phase> phases, List<Sample> timeline,
                          FinalAccounting finalAccounting) {

    public BenchReport {
        Objects.requireNonNull(setup, "setup");
        Objects.requireNonNull(broker, "broker");
        phases = List.copyOf(phases);
        timeline = List.copyOf(timeline);
        Objects.requireNonNull(finalAccounting, "finalAccounting");
    }

    /**
     * @param data          the data set's description
     * @param historyEvents events before the cut (training and warm-up)
     * @param liveEvents    events after it (the phases)
     * @param model         bundle version, and whether it came from the cache
     * @param settings      the knobs that shape the figures (router, coalescing, checkpoint interval, heaps)
     * @param machine       cores and memory as this JVM sees them
     * @param warmUpSeconds wall time of the warm-up (replay at full speed until drained)
     */
    public record Setup(String data, long historyEvents, long liveEvents, String model, Map<String, String> settings,
                        String machine, double warmUpSeconds) {
        public Setup {
            settings = Collections.unmodifiableMap(new LinkedHashMap<>(settings));
        }
    }

    /**
     * @param records        records produced and consumed back
     * @param produceSeconds the replayer (same producer settings, data set parsing included) until all acknowledged
     * @param consumeSeconds one consumer reading them back (bytes, no deserialization), all four partitions
     */
    public record RoundTrip(String topic, long records, double produceSeconds, double consumeSeconds) {
        public double producePerSecond() {
            return records / produceSeconds;
        }

        public double consumePerSecond() {
            return records / consumeSeconds;
        }

        /** Records over produce plus consume time: what the broker moves in and out again, back to back. */
        public double roundTripPerSecond() {
            return records / (produceSeconds + consumeSeconds);
        }
    }

    /** p50, p99, max in ms over {@code count} lists. */
    public record Latency(long count, long p50, long p99, long max) {
        public static final Latency NONE = new Latency(0, -1, -1, -1);
    }

    /**
     * One process's use over a phase.
     *
     * @param cpuSeconds   CPU time (user + system) used during the phase
     * @param peakRssMiB   largest sampled resident set during the phase
     * @param hwmMiB       the process's resident-set high-water mark (since it started) at the phase's end
     * @param maxHeapMiB   largest sampled heap in use (-1 when not sampled)
     */
    public record ProcessUse(double cpuSeconds, long peakRssMiB, long hwmMiB, long maxHeapMiB) {
    }

    /**
     * A time window of a phase, from its start.
     *
     * @param fromSeconds     window start, seconds after the phase started
     * @param toSeconds       window end
     * @param latency         lists seen in the window
     * @param maxFeaturesLag  largest sampled lag of the features job's group on {@code viewing-events}
     * @param maxScoringLag   largest sampled lag of the scoring app's group on {@code user-features}
     * @param peakRssMiB      largest sampled resident set per process
     */
    public record Window(double fromSeconds, double toSeconds, Latency latency, long maxFeaturesLag, long maxScoringLag,
                         Map<String, Long> peakRssMiB) {
        public Window {
            peakRssMiB = Map.copyOf(peakRssMiB);
        }
    }

    /**
     * One phase.
     *
     * @param name            "settling", "fixed-rate", "max-load" or "overload"
     * @param offeredRate     the offered load in events/s; infinite = as fast as the replayer goes
     * @param events          events published in the phase
     * @param publishSeconds  from the first publication until the replayer's last acknowledgement
     * @param drainedSeconds  from the first publication until the phase's last list became visible
     * @param lists           lists published in the phase (unchanged lists are suppressed, coalesced updates scored once)
     * @param latency         event-to-list latency over the phase
     * @param processes       CPU and memory per process (features-job, scoring-app, parent)
     * @param maxFeaturesLag  largest sampled features-job lag
     * @param maxScoringLag   largest sampled scoring-app lag
     * @param recoverySeconds from the replayer's last acknowledgement until the pipeline had drained
     * @param windows         the phase in windows
     * @param balanced        every event published so far accounted for exactly once after the phase
     * @param offerSeconds    the replayer offered the phase's events for at most this long (0: until its slice ended)
     */
    public record Phase(String name, double offeredRate, long events, double publishSeconds, double drainedSeconds, long lists,
                        Latency latency, Map<String, ProcessUse> processes, long maxFeaturesLag, long maxScoringLag,
                        double recoverySeconds, List<Window> windows, boolean balanced, double offerSeconds) {
        public Phase {
            processes = Map.copyOf(processes);
            windows = List.copyOf(windows);
        }

        /** A phase offered until its slice ended. */
        public Phase(String name, double offeredRate, long events, double publishSeconds, double drainedSeconds, long lists,
                     Latency latency, Map<String, ProcessUse> processes, long maxFeaturesLag, long maxScoringLag,
                     double recoverySeconds, List<Window> windows, boolean balanced) {
            this(name, offeredRate, events, publishSeconds, drainedSeconds, lists, latency, processes, maxFeaturesLag, maxScoringLag,
                    recoverySeconds, windows, balanced, 0);
        }

        /**
         * Whether a phase with a time limit ran out of events well before it (publication took under 90 % of
         * the limit): then it measured a burst and its drain, not a sustained load.
         */
        public boolean endedByData() {
            return offerSeconds > 0 && publishSeconds < 0.9 * offerSeconds;
        }

        /** CPU milliseconds {@code process} used per 1,000 events of the phase; NaN when unknown. */
        public double cpuMsPerThousandEvents(String process) {
            ProcessUse u = processes.get(process);
            return u == null || events == 0 ? Double.NaN : u.cpuSeconds() * 1e6 / events;
        }

        /** Events over the time until drained. */
        public double sustainedPerSecond() {
            return events / drainedSeconds;
        }

        /** Events over the time the replayer took: the load actually offered. */
        public double publishedPerSecond() {
            return events / publishSeconds;
        }

        public double listsPerSecond() {
            return lists / drainedSeconds;
        }
    }

    /** One sample of the timeline, {@code seconds} after the first phase started. */
    public record Sample(double seconds, String phase, long featuresLag, long scoringLag, Map<String, Long> rssMiB) {
        public Sample {
            rssMiB = Map.copyOf(rssMiB);
        }
    }

    /** The accounting after the last phase: {@code balanced} = every event ended exactly once (features, late or dead letter). */
    public record FinalAccounting(long events, long featureUpdates, long late, long deadLetters, long duplicateUpdates,
                                  boolean balanced, long listsWithWatchedMovies) {
    }
}
