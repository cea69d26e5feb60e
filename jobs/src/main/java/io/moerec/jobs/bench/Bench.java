package io.moerec.jobs.bench;

import io.moerec.ingest.config.ConfigKey;
import io.moerec.ingest.config.ConfigSpec;
import io.moerec.ingest.replay.ReplayOptions;
import io.moerec.ingest.replay.ReplaySummary;
import io.moerec.ingest.replay.Replayer;
import io.moerec.ingest.source.DataSet;
import io.moerec.ingest.source.EventTimeSlice;
import io.moerec.features.flink.FeaturesJobConfig;
import io.moerec.jobs.pipeline.HistoryCut;
import io.moerec.jobs.pipeline.LivePipeline;
import io.moerec.jobs.pipeline.ModelCache;
import io.moerec.jobs.pipeline.PipelineObservations;
import io.moerec.jobs.pipeline.PipelineSession;
import io.moerec.moe.TrainingConfig;
import io.moerec.moe.streams.ScoringConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code moerec bench}: the embedded engine as the demo runs it (broker in this JVM, features job and
 * scoring app in child JVMs, MoE trained on the history before a cut), measured. In one run: the raw
 * broker produce-then-consume rate for the data set's events (before the pipeline starts), the warm-up
 * (history at full speed, until drained), then the live part in consecutive phases planned by
 * {@link PhasePlan}: settling at the fixed rate (reported apart, so the fixed-rate figures are those of
 * settled processes), a fixed offered rate, then maximum load (or a fixed overload rate). Each phase is
 * measured until drained: throughput, event-to-list latency (whole phase and per window), consumer
 * lags, CPU and memory per process; the accounting must balance after each.
 */
public final class Bench {

    private static final Logger LOG = LoggerFactory.getLogger(Bench.class);

    static final String FEATURES_JOB = "features-job";
    static final String SCORING_APP = "scoring-app";
    static final String PARENT = "parent (broker, replayer, monitor)";

    /**
     * How to run it.
     *
     * @param brokerPort     0 for any free port
     * @param workDir        the broker's log, checkpoints, state and the children's logs
     * @param modelCache     where trained bundles are kept for reuse (shared with the demo)
     * @param cutQuantile    share of the events (by event time) before the cut: training and warm-up
     * @param rate           offered load of the fixed-rate phase, events/s
     * @param settleSeconds  before the fixed-rate phase, a settling phase of {@code rate × settleSeconds} events (0: none)
     * @param duration       length of the fixed-rate phase in seconds (rate × duration events); empty = half of what settling left
     * @param overloadRate   offered load of the second phase, events/s; empty = as fast as possible
     * @param maxLoadEvents  at most this many events in the second phase; empty = the rest of the live part
     * @param sampleEvery    how often lags and resident sets are sampled
     * @param window         the latency and lag windows
     * @param router         the scoring app's router
     * @param training       the MoE's training configuration
     * @param loadSeconds    offer the second phase for at most this long (empty: until its events ran out)
     * @param featuresExtra  features-job settings over the pipeline's ({@link LivePipeline.Settings#features})
     * @param scoringExtra   scoring-app settings over the benchmark's (router, coalescing)
     * @param childJvmOptions extra options of both child JVMs
     * @param jfrDir         record each process with JDK Flight Recorder during the second phase, into this directory (empty: no)
     */
    public record Options(int brokerPort, Path workDir, Path modelCache, double cutQuantile, double rate, double settleSeconds,
                          OptionalDouble duration, OptionalDouble overloadRate, OptionalLong maxLoadEvents, Duration sampleEvery,
                          Duration window, String router, TrainingConfig training, OptionalDouble loadSeconds,
                          Map<String, String> featuresExtra, Map<String, String> scoringExtra, List<String> childJvmOptions,
                          Optional<Path> jfrDir) {
        /** The default time the second phase is offered for, seconds: long enough to be a sustained load. */
        public static final double DEFAULT_LOAD_SECONDS = 30;
        /** The default settling time before the fixed-rate phase, seconds: the JIT's burst measured here took about 10. */
        public static final double DEFAULT_SETTLE_SECONDS = 20;

        public Options {
            Objects.requireNonNull(workDir, "workDir");
            Objects.requireNonNull(modelCache, "modelCache");
            Objects.requireNonNull(jfrDir, "jfrDir");
            featuresExtra = Map.copyOf(featuresExtra);
            scoringExtra = Map.copyOf(scoringExtra);
            childJvmOptions = List.copyOf(childJvmOptions);
            if (loadSeconds.isPresent() && !(loadSeconds.getAsDouble() > 0 && Double.isFinite(loadSeconds.getAsDouble()))) {
                throw new IllegalArgumentException("load seconds must be a positive number, got " + loadSeconds.getAsDouble());
            }
            if (!(rate > 0) || Double.isInfinite(rate)) {
                throw new IllegalArgumentException("rate must be a positive number of events/s, got " + rate);
            }
            if (sampleEvery.isNegative() || sampleEvery.isZero() || window.compareTo(sampleEvery) < 0) {
                throw new IllegalArgumentException("need 0 < sample interval <= window, got " + sampleEvery + " and " + window);
            }
        }
    }

    private final Options options;
    private final PrintWriter out;

    public Bench(Options options, PrintWriter out) {
        this.options = Objects.requireNonNull(options, "options");
        this.out = Objects.requireNonNull(out, "out");
    }

    /** Runs the benchmark on {@code data} and stops everything it started. */
    public BenchReport run(DataSet data) throws IOException, InterruptedException {
        HistoryCut split = HistoryCut.of(data, options.cutQuantile());
        PhasePlan plan = PhasePlan.of(split.liveTimes(), options.rate(), options.settleSeconds(), options.duration(),
                options.maxLoadEvents());
        say(String.format(Locale.ROOT, "%s: %,d history events (training, warm-up), %,d live: %s%,d at %,.0f ev/s, then %,d at %s",
                data.description(), split.history().size(), split.liveCount(),
                plan.settleEvents() > 0 ? String.format(Locale.ROOT, "%,d settling, ", plan.settleEvents()) : "",
                plan.fixedEvents(), options.rate(), plan.loadEvents(),
                options.overloadRate().isPresent() ? String.format(Locale.ROOT, "%,.0f ev/s", options.overloadRate().getAsDouble())
                        : "maximum load"));
        ModelCache.Entry model = split.model(new ModelCache(options.modelCache()), data.description(), options.training());
        say(String.format(Locale.ROOT, "model %s %s in %.1f s", model.version(), model.reused() ? "reused from the cache" : "trained",
                model.seconds()));
        String loadBefore = loadAverage();

        try (PipelineSession session = PipelineSession.startBroker(options.brokerPort(), options.workDir())) {
            session.loadCatalog(data);
            say("raw broker: producing every event to a fresh topic and consuming it back");
            BenchReport.RoundTrip broker = BrokerRoundTrip.measure(session, data);
            say(String.format(Locale.ROOT, "raw broker: %,d records, produce %,.0f ev/s, consume %,.0f ev/s, produce-then-consume %,.0f ev/s",
                    broker.records(), broker.producePerSecond(), broker.consumePerSecond(), broker.roundTripPerSecond()));

            Map<String, String> scoring = PipelineSession.scoringSettings(options.router(), options.scoringExtra());
            LivePipeline.Settings settings = new LivePipeline.Settings(session.bootstrapServers(), model.bundle(),
                    options.workDir().resolve("pipeline"), options.featuresExtra(), scoring)
                    .withChildJvmOptions(options.childJvmOptions());
            AtomicReference<PhaseSampler> sampler = new AtomicReference<>();
            PipelineObservations obs = new PipelineObservations(split.cut(), (publishedAt, seenAt) -> {
                PhaseSampler s = sampler.get();
                if (s != null) {
                    s.latencyListener().measured(publishedAt, seenAt);
                }
            });
            say("starting the features job and the scoring app; logs in " + settings.workDir().resolve("logs"));
            LivePipeline pipeline = session.startPipeline(settings, obs);

            long w0 = System.nanoTime();
            ReplaySummary warm = session.warmUp(data, split.cut());
            session.awaitDrained(warm.sent(), "warm-up", drainTimeout(warm.sent()));
            double warmUpSeconds = (System.nanoTime() - w0) / 1e9;
            say(String.format(Locale.ROOT, "warm-up: %,d events drained in %.1f s", warm.sent(), warmUpSeconds));

            Map<String, ProcessHandle> processes = new LinkedHashMap<>();
            processes.put(FEATURES_JOB, ProcessHandle.of(pipeline.featuresJob().pid()).orElseThrow());
            processes.put(SCORING_APP, ProcessHandle.of(pipeline.scoringApp().pid()).orElseThrow());
            processes.put(PARENT, ProcessHandle.current());
            List<BenchReport.Phase> phases = new ArrayList<>();
            // Backlog of the features job: events on its input not yet visible as one of its committed outputs.
            LongSupplier featuresBacklog = () -> {
                long onTopic = pipeline.eventsOnInputTopic();
                PipelineObservations.Accounting a = obs.accounting();
                return Math.max(0, onTopic - a.featureUpdates() - a.late() - a.deadLetters());
            };
            try (PhaseSampler s = new PhaseSampler(processes, featuresBacklog, pipeline::scoringLag, options.sampleEvery(),
                    options.window(), line -> say(line))) {
                sampler.set(s);
                long published = warm.sent();
                List<Phase> atRate = new ArrayList<>();
                if (plan.settleEvents() > 0) {
                    atRate.add(new Phase("settling", options.rate(), EventTimeSlice.between(data, plan.from(), plan.settleTo()),
                            plan.settleEvents()));
                }
                atRate.add(new Phase("fixed-rate", options.rate(), EventTimeSlice.between(data, plan.settleTo(), plan.fixedTo()),
                        plan.fixedEvents()));
                for (Phase phase : atRate) {
                    BenchReport.Phase done = runPhase(phase, session, s, published);
                    phases.add(done);
                    published += done.events();
                }
                if (plan.loadEvents() > 0) {
                    double rate = options.overloadRate().orElse(Double.POSITIVE_INFINITY);
                    DataSet slice = EventTimeSlice.between(data, plan.fixedTo(), plan.loadTo());
                    if (options.loadSeconds().isPresent()) {
                        slice = new TimeBoxedDataSet(slice, Duration.ofMillis(Math.round(options.loadSeconds().getAsDouble() * 1000)),
                                System::nanoTime);
                    }
                    Phase load = new Phase(Double.isInfinite(rate) ? "max-load" : "overload", rate, slice, plan.loadEvents(),
                            options.loadSeconds().orElse(0));
                    Map<String, Long> pids = new LinkedHashMap<>();
                    processes.forEach((name, p) -> pids.put(name, p.pid()));
                    FlightRecordings jfr = options.jfrDir().isPresent()
                            ? FlightRecordings.start(pids, options.jfrDir().get(), load.name()) : null;
                    try {
                        phases.add(runPhase(load, session, s, published));
                    } finally {
                        if (jfr != null) {
                            jfr.close();
                            say("flight recordings of the " + load.name() + " phase: " + jfr.files());
                        }
                    }
                }
                PipelineObservations.Accounting a = obs.accounting();
                BenchReport.FinalAccounting acc = new BenchReport.FinalAccounting(a.events(), a.featureUpdates(), a.late(),
                        a.deadLetters(), a.duplicateUpdates(), a.balanced(), obs.listsWithWatchedMovies().size());
                Map<String, String> shown = new LinkedHashMap<>();
                shown(shown, "features ", SHOWN_FEATURES, FeaturesJobConfig.SPEC, pipeline.featuresSettings(), options.featuresExtra());
                shown(shown, "scoring ", SHOWN_SCORING, ScoringConfig.SPEC, pipeline.scoringSettings(), scoring);
                options.loadSeconds().ifPresent(sec -> shown.put("load phase", "offered for at most " + sec + " s"));
                shown.put("heaps", "features-job -Xmx1g, scoring-app -Xmx768m, parent " + Runtime.getRuntime().maxMemory() / (1024 * 1024) + " MiB"
                        + (options.childJvmOptions().isEmpty() ? "" : "; children " + String.join(" ", options.childJvmOptions())));
                BenchReport.Setup setup = new BenchReport.Setup(data.description(), split.history().size(), split.liveCount(),
                        model.version() + (model.reused() ? " (cached)" : " (trained in " + Math.round(model.seconds()) + " s)"), shown,
                        machine() + "; load average before " + loadBefore + ", after " + loadAverage(), warmUpSeconds);
                return new BenchReport(setup, broker, phases, s.timeline(), acc);
            }
        }
    }

    private record Phase(String name, double rate, DataSet slice, long expected, double offerSeconds) {
        Phase(String name, double rate, DataSet slice, long expected) {
            this(name, rate, slice, expected, 0);
        }
    }

    /** Settings shown in the report whatever their value (besides every setting the benchmark or its user gave). */
    private static final Set<String> SHOWN_FEATURES = Set.of(FeaturesJobConfig.CHECKPOINT_INTERVAL_MS,
            FeaturesJobConfig.SINK_DELIVERY_GUARANTEE, FeaturesJobConfig.SINK_LINGER_MS, FeaturesJobConfig.SINK_COMPRESSION,
            FeaturesJobConfig.PARALLELISM, FeaturesJobConfig.BUFFER_TIMEOUT_MS);
    private static final Set<String> SHOWN_SCORING = Set.of(ScoringConfig.ROUTER, ScoringConfig.COALESCE_INTERVAL_MS,
            ScoringConfig.PROCESSING_GUARANTEE, ScoringConfig.STREAM_THREADS, ScoringConfig.PRODUCER_LINGER_MS);

    /** Into {@code shown}: each of {@code keys} with its value (given or default), then every {@code extra} setting. */
    private static void shown(Map<String, String> shown, String prefix, Set<String> keys, ConfigSpec spec, Map<String, String> given,
                              Map<String, String> extra) {
        for (String k : new TreeSet<>(keys)) {
            ConfigKey<?> key = spec.keys().get(k);
            shown.put(prefix + k, given.getOrDefault(k, key == null ? "?" : key.defaultValue()));
        }
        extra.forEach((k, v) -> shown.put(prefix + k, v));
    }

    private BenchReport.Phase runPhase(Phase phase, PipelineSession session, PhaseSampler sampler, long publishedBefore)
            throws InterruptedException {
        PipelineObservations obs = session.monitor().observations();
        say(String.format(Locale.ROOT, "%s: %,d events at %s", phase.name(), phase.expected(),
                Double.isInfinite(phase.rate()) ? "maximum load" : String.format(Locale.ROOT, "%,.0f ev/s", phase.rate())));
        long lists0 = obs.snapshot(System.currentTimeMillis(), Map.of()).lists();
        ReplayOptions replay = ReplayOptions.defaults().withExpectedRecords(phase.expected()).withProgressInterval(Duration.ofSeconds(10));
        if (!Double.isInfinite(phase.rate())) {
            replay = replay.withRate(phase.rate());
        }
        sampler.begin(phase.name());
        long startWall = System.currentTimeMillis();
        long t0 = System.nanoTime();
        ReplaySummary sent = new Replayer(session.producer(), replay).replay(phase.slice(),
                p -> LOG.info("{}: {} sent", phase.name(), p.sent()));
        double publishSeconds = (System.nanoTime() - t0) / 1e9;
        long drainedNanos = session.awaitDrained(publishedBefore + sent.sent(), phase.name(), drainTimeout(sent.sent()));
        PhaseSampler.Measurement m = sampler.end();
        long lastList = sampler.lastListSeenAt();
        double drainedSeconds = lastList >= startWall ? (lastList - startWall) / 1000.0 : (drainedNanos - t0) / 1e9;
        drainedSeconds = Math.max(drainedSeconds, publishSeconds);
        long lists = obs.snapshot(System.currentTimeMillis(), Map.of()).lists() - lists0;
        BenchReport.Phase p = new BenchReport.Phase(phase.name(), phase.rate(), sent.sent(), publishSeconds, drainedSeconds, lists,
                m.latency(), m.processes(), m.maxFeaturesLag(), m.maxScoringLag(), drainedSeconds - publishSeconds, m.windows(),
                obs.accounting().balanced(), phase.offerSeconds());
        say(String.format(Locale.ROOT, "%s: %,d events published in %.1f s (%,.0f ev/s), drained after %.1f s: %,.0f ev/s sustained, "
                        + "%,d lists; latency p50 %,d ms, p99 %,d ms, max %,d ms; accounting %s", p.name(), p.events(), publishSeconds,
                p.publishedPerSecond(), drainedSeconds, p.sustainedPerSecond(), lists, m.latency().p50(), m.latency().p99(),
                m.latency().max(), p.balanced() ? "balanced" : "NOT BALANCED"));
        return p;
    }

    /** Generous: five minutes plus 2 ms per event (as if the pipeline ran at 500 ev/s). */
    private static Duration drainTimeout(long events) {
        return Duration.ofMinutes(5).plusMillis(2 * events);
    }

    private static String machine() {
        String mem = "?";
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"), StandardCharsets.US_ASCII)) {
                if (line.startsWith("MemTotal:")) {
                    mem = String.format(Locale.ROOT, "%.1f GiB", Long.parseLong(line.replaceAll("[^0-9]", "")) / (1024.0 * 1024));
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.debug("no /proc/meminfo: {}", e.toString());
        }
        return Runtime.getRuntime().availableProcessors() + " cores, " + mem + " memory, " + System.getProperty("os.name")
                + ", Java " + Runtime.version();
    }

    private static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg"), StandardCharsets.US_ASCII).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return "?";
        }
    }

    private void say(String what) {
        out.println("[bench] " + what);
        out.flush();
    }
}
