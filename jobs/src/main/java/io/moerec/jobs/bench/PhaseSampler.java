package io.moerec.jobs.bench;

import io.moerec.jobs.pipeline.PipelineObservations;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Samples a running pipeline during one phase at a time, on its own thread: every sample interval the
 * two consumer lags and each process's resident set; at every window boundary the window's latency
 * (from an HdrHistogram {@link Recorder} that {@link #latencyListener} feeds) and each process's heap.
 * {@link #begin} and {@link #end} bracket a phase; {@code end} also gives the phase's CPU per process.
 */
final class PhaseSampler implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PhaseSampler.class);
    private static final long HIGHEST_MS = 3_600_000L;

    private final Map<String, ProcessHandle> processes;
    private final LongSupplier featuresLag;
    private final LongSupplier scoringLag;
    private final Duration window;
    private final Consumer<String> progress;
    private final Recorder latency = new Recorder(HIGHEST_MS, 3);
    private final AtomicLong lastListSeenAt = new AtomicLong(Long.MIN_VALUE);
    private final ScheduledExecutorService ticker;
    private final long runStart = System.nanoTime();
    private final List<BenchReport.Sample> timeline = new ArrayList<>();

    // The current phase, guarded by this.
    private String phase;
    private long phaseStart;
    private long windowStart;
    private Histogram phaseLatency;
    private List<BenchReport.Window> windows;
    private Map<String, Double> cpuAtStart;
    private final Map<String, Long> phasePeakRss = new HashMap<>();
    private final Map<String, Long> phaseMaxHeap = new HashMap<>();
    private final Map<String, Long> windowPeakRss = new HashMap<>();
    private long phaseMaxFeaturesLag;
    private long phaseMaxScoringLag;
    private long windowMaxFeaturesLag;
    private long windowMaxScoringLag;

    /**
     * @param processes name → process, in report order
     * @param progress  hears one line per closed window
     */
    PhaseSampler(Map<String, ProcessHandle> processes, LongSupplier featuresLag, LongSupplier scoringLag, Duration sampleEvery,
                 Duration window, Consumer<String> progress) {
        this.processes = new LinkedHashMap<>(processes);
        this.featuresLag = featuresLag;
        this.scoringLag = scoringLag;
        this.window = window;
        this.progress = progress;
        this.ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "moerec-bench-sampler");
            t.setDaemon(true);
            return t;
        });
        ticker.scheduleAtFixedRate(this::tick, sampleEvery.toMillis(), sampleEvery.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Feeds the latency windows; hand it to {@link PipelineObservations}. */
    PipelineObservations.LatencyListener latencyListener() {
        return listener;
    }

    private final PipelineObservations.LatencyListener listener = (publishedAt, seenAt) -> {
        latency.recordValue(Math.max(0, Math.min(seenAt - publishedAt, HIGHEST_MS)));
        lastListSeenAt.accumulateAndGet(seenAt, Math::max);
    };

    /** Wall-clock ms at which the latest measured list became visible. */
    long lastListSeenAt() {
        return lastListSeenAt.get();
    }

    synchronized void begin(String name) {
        phase = name;
        phaseStart = System.nanoTime();
        windowStart = phaseStart;
        latency.getIntervalHistogram(); // drops whatever came before the phase
        phaseLatency = new Histogram(HIGHEST_MS, 3);
        windows = new ArrayList<>();
        cpuAtStart = cpu();
        phasePeakRss.clear();
        phaseMaxHeap.clear();
        windowPeakRss.clear();
        phaseMaxFeaturesLag = 0;
        phaseMaxScoringLag = 0;
        windowMaxFeaturesLag = 0;
        windowMaxScoringLag = 0;
    }

    /** What the phase measured. */
    record Measurement(BenchReport.Latency latency, List<BenchReport.Window> windows, Map<String, BenchReport.ProcessUse> processes,
                       long maxFeaturesLag, long maxScoringLag) {
    }

    /** Takes a last sample, closes the last (partial) window and ends the phase. */
    Measurement end() {
        Sample s = sample();
        synchronized (this) {
            fold(s);
            closeWindow(System.nanoTime());
            Map<String, Double> cpuNow = cpu();
            Map<String, BenchReport.ProcessUse> use = new LinkedHashMap<>();
            processes.forEach((name, p) -> use.put(name, new BenchReport.ProcessUse(cpuNow.get(name) - cpuAtStart.get(name),
                    phasePeakRss.getOrDefault(name, -1L), ProcessProbe.peakRssKiB(p.pid()).orElse(-1024) / 1024,
                    phaseMaxHeap.getOrDefault(name, -1L))));
            Measurement m = new Measurement(latency(phaseLatency), windows, use, phaseMaxFeaturesLag, phaseMaxScoringLag);
            phase = null;
            return m;
        }
    }

    List<BenchReport.Sample> timeline() {
        synchronized (this) {
            return List.copyOf(timeline);
        }
    }

    private record Sample(long featuresLag, long scoringLag, Map<String, Long> rssMiB) {
    }

    private Sample sample() {
        Map<String, Long> rss = new LinkedHashMap<>();
        processes.forEach((name, p) -> rss.put(name, ProcessProbe.rssKiB(p.pid()).orElse(-1024) / 1024));
        return new Sample(safe(featuresLag), safe(scoringLag), rss);
    }

    private void tick() {
        try {
            synchronized (this) {
                if (phase == null) {
                    return;
                }
            }
            Sample s = sample();
            synchronized (this) {
                if (phase == null) {
                    return;
                }
                fold(s);
                long now = System.nanoTime();
                if (now - windowStart >= window.toNanos()) {
                    closeWindow(now);
                }
            }
        } catch (RuntimeException e) {
            LOG.warn("bench sampler: {}", e.toString());
        }
    }

    private void fold(Sample s) {
        timeline.add(new BenchReport.Sample((System.nanoTime() - runStart) / 1e9, phase, s.featuresLag(), s.scoringLag(), s.rssMiB()));
        phaseMaxFeaturesLag = Math.max(phaseMaxFeaturesLag, s.featuresLag());
        phaseMaxScoringLag = Math.max(phaseMaxScoringLag, s.scoringLag());
        windowMaxFeaturesLag = Math.max(windowMaxFeaturesLag, s.featuresLag());
        windowMaxScoringLag = Math.max(windowMaxScoringLag, s.scoringLag());
        s.rssMiB().forEach((name, mib) -> {
            phasePeakRss.merge(name, mib, Math::max);
            windowPeakRss.merge(name, mib, Math::max);
        });
    }

    private void closeWindow(long now) {
        Histogram h = latency.getIntervalHistogram();
        phaseLatency.add(h);
        processes.forEach((name, p) -> heapMiB(p).ifPresent(mib -> phaseMaxHeap.merge(name, mib, Math::max)));
        BenchReport.Window w = new BenchReport.Window((windowStart - phaseStart) / 1e9, (now - phaseStart) / 1e9, latency(h),
                windowMaxFeaturesLag, windowMaxScoringLag, windowPeakRss);
        windows.add(w);
        progress.accept(String.format(java.util.Locale.ROOT,
                "%s %3.0f-%3.0f s: %,d lists, p50 %,d ms, p99 %,d ms; max lag features %,d, scoring %,d; peak RSS MiB %s",
                phase, w.fromSeconds(), w.toSeconds(), w.latency().count(), Math.max(0, w.latency().p50()), Math.max(0, w.latency().p99()),
                w.maxFeaturesLag(), w.maxScoringLag(), w.peakRssMiB()));
        windowStart = now;
        windowPeakRss.clear();
        windowMaxFeaturesLag = 0;
        windowMaxScoringLag = 0;
    }

    private static OptionalLong heapMiB(ProcessHandle p) {
        if (p.pid() == ProcessHandle.current().pid()) {
            Runtime rt = Runtime.getRuntime();
            return OptionalLong.of((rt.totalMemory() - rt.freeMemory()) / (1024 * 1024));
        }
        OptionalLong kib = ProcessProbe.heapUsedKiB(p.pid());
        return kib.isPresent() ? OptionalLong.of(kib.getAsLong() / 1024) : OptionalLong.empty();
    }

    private Map<String, Double> cpu() {
        Map<String, Double> cpu = new HashMap<>();
        processes.forEach((name, p) -> cpu.put(name, ProcessProbe.cpuSeconds(p)));
        return cpu;
    }

    static BenchReport.Latency latency(Histogram h) {
        if (h.getTotalCount() == 0) {
            return BenchReport.Latency.NONE;
        }
        return new BenchReport.Latency(h.getTotalCount(), h.getValueAtPercentile(50), h.getValueAtPercentile(99), h.getMaxValue());
    }

    private static long safe(LongSupplier lag) {
        try {
            return lag.getAsLong();
        } catch (RuntimeException e) {
            LOG.debug("lag unavailable: {}", e.toString());
            return -1;
        }
    }

    @Override
    public void close() {
        ticker.shutdownNow();
    }
}
