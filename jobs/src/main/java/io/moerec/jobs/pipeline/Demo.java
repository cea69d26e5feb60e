package io.moerec.jobs.pipeline;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.moerec.ingest.domain.Movie;
import io.moerec.ingest.replay.ReplayOptions;
import io.moerec.ingest.replay.ReplayProgress;
import io.moerec.ingest.replay.ReplayProgressListener;
import io.moerec.ingest.replay.ReplaySummary;
import io.moerec.ingest.replay.Replayer;
import io.moerec.ingest.source.DataSet;
import io.moerec.ingest.source.EventTimeSlice;
import io.moerec.ingest.topic.Topic;
import io.moerec.ingest.topic.Topics;
import io.moerec.moe.TrainingConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whole engine on the embedded default, as {@code moerec demo} runs it: a Kafka broker, the MoE
 * trained on the history before a cut (or the cached bundle for the same history), the Flink features
 * job and the scoring app in their own JVMs, the history replayed as a warm-up, then the events after
 * the cut replayed as the live part while a live view reports throughput, latency, accounting, routing
 * load and a few users' lists; at the end the prequential HR@10 next to a most-popular list's.
 * Everything it starts it stops, on success, failure or Ctrl-C.
 */
public final class Demo {

    private static final Logger LOG = LoggerFactory.getLogger(Demo.class);
    /** A phase fails when nothing moves for this long (a slow machine drains slowly, not never). */
    private static final Duration DRAIN_TIMEOUT = Duration.ofMinutes(5);

    /**
     * How to run it.
     *
     * @param brokerPort    0 for any free port
     * @param workDir       the broker's log, checkpoints, state and the children's logs
     * @param modelCache    where trained bundles are kept for reuse
     * @param cutQuantile   the share of event time (by event count) before the cut: the history
     * @param liveSeconds   how long the live part should take; sets the replay speed from its event-time span
     * @param speed         an explicit replay speed for the live part (event time per real time), wins over liveSeconds
     * @param router        the scoring app's router
     * @param training      the MoE's training configuration
     * @param featuresExtra extra features-job settings
     * @param scoringExtra  extra scoring-app settings
     * @param viewInterval  how often the live view is printed
     * @param terminal      redraw the live view in place (a terminal) or print it as plain blocks
     * @param uiPort        serve the live view as a web page on this port (0 = any free port), or empty for none
     * @param retrainEvery  run the continuous trainer beside the pipeline, a candidate every this many live events; empty for none
     */
    public record Options(int brokerPort, Path workDir, Path modelCache, double cutQuantile, double liveSeconds,
                          Optional<Double> speed, String router, TrainingConfig training,
                          Map<String, String> featuresExtra, Map<String, String> scoringExtra,
                          Duration viewInterval, boolean terminal, Optional<Integer> uiPort, OptionalLong retrainEvery) {
        public Options {
            Objects.requireNonNull(workDir, "workDir");
            Objects.requireNonNull(retrainEvery, "retrainEvery");
            Objects.requireNonNull(modelCache, "modelCache");
            if (!(cutQuantile > 0 && cutQuantile < 1)) {
                throw new IllegalArgumentException("cut quantile must be in (0, 1), got " + cutQuantile);
            }
            featuresExtra = Map.copyOf(featuresExtra);
            scoringExtra = Map.copyOf(scoringExtra);
        }
    }

    /**
     * What the run measured.
     *
     * @param historyEvents   events before the cut (replayed as the warm-up)
     * @param liveEvents      events after it (the measured part)
     * @param model           the bundle and whether it came from the cache
     * @param live            the live replay's summary
     * @param accounting      where every published event ended
     * @param prequential     prequential HR@10 of the lists and of most-popular
     * @param latencyMs       p50, p99 and max event-to-list latency in ms over the live part
     * @param watchedInLists  lists that held a movie watched before they were made (must be empty)
     * @param activeUsers     users with a live event
     * @param activeWithLists of them, users with a list
     * @param finalLists      every user's last list (movie ids in rank order)
     * @param routingLoad     users routed to each expert, from the scoring app
     * @param seconds         wall-clock duration of the whole run
     */
    public record Result(long historyEvents, long liveEvents, ModelCache.Entry model, ReplaySummary live,
                         PipelineObservations.Accounting accounting, PipelineObservations.Prequential prequential,
                         long[] latencyMs, List<String> watchedInLists, long activeUsers, long activeWithLists,
                         Map<String, List<Long>> finalLists, Map<String, Double> routingLoad, double seconds) {
    }

    /** Every user's final list as {@code user<TAB>rank<TAB>movie} lines, by user then rank: for replay tests and diffs. */
    public static void writeFinalLists(Result r, Path file) throws IOException {
        StringBuilder b = new StringBuilder();
        r.finalLists().forEach((user, movies) -> {
            for (int i = 0; i < movies.size(); i++) {
                b.append(user).append('\t').append(i + 1).append('\t').append(movies.get(i)).append('\n');
            }
        });
        Files.writeString(file, b.toString(), StandardCharsets.UTF_8);
    }

    /** The run's figures as JSON. */
    public static void writeReport(Result r, Path file) throws IOException {
        ObjectMapper json = new ObjectMapper();
        ObjectNode n = json.createObjectNode();
        n.put("historyEvents", r.historyEvents());
        n.put("liveEvents", r.liveEvents());
        n.put("modelVersion", r.model().version());
        n.put("modelReused", r.model().reused());
        n.put("modelSeconds", r.model().seconds());
        n.put("liveReplaySeconds", r.live().elapsed().toNanos() / 1e9);
        PipelineObservations.Accounting a = r.accounting();
        ObjectNode acc = n.putObject("accounting");
        acc.put("events", a.events());
        acc.put("featureUpdates", a.featureUpdates());
        acc.put("duplicateUpdates", a.duplicateUpdates());
        acc.put("late", a.late());
        acc.put("deadLetters", a.deadLetters());
        acc.put("balanced", a.balanced());
        PipelineObservations.Prequential p = r.prequential();
        ObjectNode pq = n.putObject("prequential");
        pq.put("events", p.events());
        pq.put("eventsWithList", p.eventsWithList());
        pq.put("hitsWithList", p.hitsWithList());
        pq.put("modelHitRate", p.modelHitRate());
        pq.put("personalHitRate", p.personalHitRate());
        pq.put("nonPersonalMeasured", p.nonPersonalMeasured());
        pq.put("mostPopularHitRate", p.popularHitRate());
        ObjectNode lat = n.putObject("latencyMs");
        lat.put("p50", r.latencyMs()[0]);
        lat.put("p99", r.latencyMs()[1]);
        lat.put("max", r.latencyMs()[2]);
        n.put("listsWithWatchedMovies", r.watchedInLists().size());
        n.put("activeUsers", r.activeUsers());
        n.put("activeUsersWithLists", r.activeWithLists());
        ObjectNode load = n.putObject("routingLoad");
        r.routingLoad().forEach(load::put);
        n.put("seconds", r.seconds());
        json.writerWithDefaultPrettyPrinter().writeValue(file.toFile(), n);
    }

    private final Options options;
    private final PrintWriter out;

    public Demo(Options options, PrintWriter out) {
        this.options = Objects.requireNonNull(options, "options");
        this.out = Objects.requireNonNull(out, "out");
    }

    /** Runs the demo on {@code data} (already generated or opened) and stops everything it started. */
    public Result run(DataSet data) throws IOException, InterruptedException {
        long t0 = System.nanoTime();
        HistoryCut split = HistoryCut.of(data, options.cutQuantile());
        long cut = split.cut();
        step("cut at " + Instant.ofEpochMilli(cut) + String.format(Locale.ROOT,
                " (%.0f%% quantile of event time): %,d history events for training and warm-up, %,d live events",
                100 * options.cutQuantile(), split.history().size(), split.liveCount()));

        step("training the MoE on the history (or reusing the cached bundle for it, " + options.modelCache() + ")");
        ModelCache.Entry model = split.model(new ModelCache(options.modelCache()), data.description(), options.training());
        say(String.format(Locale.ROOT, "%s %s in %.1f s (%,d events, %,d users, %,d movies)",
                model.reused() ? "reused cached bundle" : "trained bundle", model.version(), model.seconds(),
                model.provenance().events(), model.provenance().users(), model.provenance().movies()));

        step("starting a Kafka broker (KRaft, single node, 127.0.0.1)");
        try (PipelineSession session = PipelineSession.startBroker(options.brokerPort(), options.workDir())) {
            say(String.format(Locale.ROOT, "broker ready at %s in %,d ms; created topics %s", session.bootstrapServers(),
                    session.broker().startupTime().toMillis(), Topics.all().stream().map(Topic::name).toList()));
            step("publishing the catalog to " + Topics.MOVIES.name());
            ReplaySummary movies = session.loadCatalog(data);
            say("catalog: sent " + movies.sent() + ", rejected " + movies.rejectedTotal());

            step("starting the Flink features job (local MiniCluster) and the scoring app (Kafka Streams), each in its own JVM");
            LivePipeline.Settings settings = new LivePipeline.Settings(session.bootstrapServers(), model.bundle(),
                    options.workDir().resolve("pipeline"), options.featuresExtra(),
                    PipelineSession.scoringSettings(options.router(), options.scoringExtra()));
            say("logs: " + settings.workDir().resolve("logs"));
            LivePipeline pipeline = session.startPipeline(settings, new PipelineObservations(cut));
            say("scoring app healthy on http://127.0.0.1:" + pipeline.httpPort() + "/health");
            Result r = replayAndWatch(data, split, session, model, t0);
            step("stopping the scoring app, the features job and the broker");
            return r;
        }
    }

    private Result replayAndWatch(DataSet data, HistoryCut split, PipelineSession session, ModelCache.Entry model, long t0)
            throws InterruptedException, IOException {
        long cut = split.cut();
        long historyCount = split.history().size();
        step(String.format(Locale.ROOT, "warm-up: replaying the %,d history events at full speed", historyCount));
        ReplaySummary warm = session.warmUp(data, cut);
        say("warm-up: sent " + warm.sent() + ", rejected " + warm.rejectedTotal());
        session.awaitDrained(warm.sent(), "warm-up", DRAIN_TIMEOUT);
        DemoTrainer trainer = null;
        if (options.retrainEvery().isPresent()) {
            Path store = options.workDir().resolve("model-store");
            step(String.format(Locale.ROOT, "starting the continuous trainer: a candidate every %,d live events, announced only if it"
                    + " holds up on held-out events against the serving model (store %s)", options.retrainEvery().getAsLong(), store));
            trainer = DemoTrainer.start(session.bootstrapServers(), store, model.bundle(), historyCount,
                    options.retrainEvery().getAsLong(), options.training());
        }
        try {
            return live(data, split, session, model, t0, warm, trainer);
        } finally {
            if (trainer != null) {
                trainer.close();
            }
        }
    }

    private Result live(DataSet data, HistoryCut split, PipelineSession session, ModelCache.Entry model, long t0, ReplaySummary warm,
                        DemoTrainer trainer) throws InterruptedException, IOException {
        long cut = split.cut();
        long liveCount = split.liveCount();
        long historyCount = split.history().size();
        List<Movie> catalog = split.catalog();
        LivePipeline pipeline = session.pipeline();
        PipelineMonitor monitor = session.monitor();
        PipelineObservations obs = monitor.observations();
        // What the look-up answers a user without a list of their own: a first watch with no list of the
        // user's before it is measured against it (taken once, with the model the live part starts with).
        obs.nonPersonalList(pipeline.nonPersonalList(Duration.ofSeconds(30)));
        DataSet liveData = EventTimeSlice.from(data, cut);
        double speed = options.speed().orElseGet(() -> liveSpeed(split));
        step(String.format(Locale.ROOT, "live: replaying the %,d events after the cut at %s", liveCount,
                Double.isInfinite(speed) ? "full speed" : String.format(Locale.ROOT, "%,.0f x event time", speed)));
        Map<Long, String> titles = new HashMap<>();
        catalog.forEach(m -> titles.put(m.movieId(), m.title()));
        AtomicReference<ReplayProgress> progress = new AtomicReference<>();
        LiveView view = new LiveView(out, options.terminal(), titles, liveCount, trainer == null ? s -> ""
                : s -> "         model      newest list by " + obs.lastModelVersion() + "; " + trainer.line() + "\n");
        ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "moerec-demo-live-view");
            t.setDaemon(true);
            return t;
        });
        Optional<LiveViewServer> ui = Optional.empty();
        ReplaySummary live;
        try {
            AtomicReference<LiveSnapshot> latest = new AtomicReference<>(obs.snapshot(System.currentTimeMillis(), Map.of()));
            Runnable tick = () -> {
                try {
                    monitor.check();
                    LiveSnapshot s = obs.snapshot(System.currentTimeMillis(), pipeline.routingLoad());
                    latest.set(s);
                    ReplayProgress p = progress.get();
                    view.show(s, p == null ? 0 : p.sent());
                } catch (RuntimeException e) {
                    LOG.warn("live view: {}", e.toString());
                }
            };
            if (options.uiPort().isPresent()) {
                ui = Optional.of(LiveViewServer.start(options.uiPort().get(), () -> {
                    ReplayProgress p = progress.get();
                    return new LiveViewServer.View(latest.get(), p == null ? 0 : p.sent(), liveCount, titles);
                }));
                say("live view in a browser: " + ui.get().url());
            }
            ticker.scheduleWithFixedDelay(tick, 0, options.viewInterval().toMillis(), TimeUnit.MILLISECONDS);
            ReplayProgressListener listener = progress::set;
            live = new Replayer(session.producer(), ReplayOptions.defaults().withSpeed(speed)
                    .withProgressInterval(Duration.ofMillis(250)).withExpectedRecords(liveCount)).replay(liveData, listener);
            session.awaitDrained(warm.sent() + live.sent(), "live", DRAIN_TIMEOUT);
            ticker.shutdown();
            ticker.awaitTermination(10, TimeUnit.SECONDS);
            tick.run();
        } finally {
            ticker.shutdownNow();
            ui.ifPresent(LiveViewServer::close);
        }
        long[] active = obs.activeUsersWithLists();
        Result r = new Result(historyCount, liveCount, model, live, obs.accounting(), obs.prequential(),
                new long[] {obs.latencyAtPercentile(50), obs.latencyAtPercentile(99), obs.latencyAtPercentile(100)},
                obs.listsWithWatchedMovies(), active[0], active[1],
                obs.finalLists(), pipeline.routingLoad(), (System.nanoTime() - t0) / 1e9);
        printSummary(r);
        if (trainer != null) {
            say(trainer.line());
            out.flush();
        }
        return r;
    }

    private void printSummary(Result r) {
        step("summary");
        PipelineObservations.Prequential p = r.prequential();
        say(String.format(Locale.ROOT, "prequential HR@%d over %,d first watches after the cut: moerec %.3f overall (%,d hits; "
                        + "the %,d without a personal list before them against the non-personal list), %.3f with a personal list "
                        + "(%,d hits of %,d); most-popular %.3f",
                PipelineObservations.HIT_LIST_SIZE, p.events(), p.modelHitRate(), p.modelHits(), p.events() - p.eventsWithList(),
                p.personalHitRate(), p.hitsWithList(), p.eventsWithList(), p.popularHitRate()));
        say(String.format(Locale.ROOT, "event->list latency over the live part: p50 %,d ms, p99 %,d ms, max %,d ms",
                r.latencyMs()[0], r.latencyMs()[1], r.latencyMs()[2]));
        PipelineObservations.Accounting a = r.accounting();
        say(String.format(Locale.ROOT, "accounted: %,d events = %,d features updates + %,d late + %,d dead letters: %s; dead letters by stage:reason %s",
                a.events(), a.featureUpdates(), a.late(), a.deadLetters(), a.balanced() ? "yes" : "NO", a.deadLettersByReason()));
        say(String.format(Locale.ROOT, "users with a live event: %,d, of them with a list: %,d; lists holding an already watched movie: %,d",
                r.activeUsers(), r.activeWithLists(), r.watchedInLists().size()));
        say("routing load (users per expert): " + LiveConsoleView.loadLine(r.routingLoad()));
        say(String.format(Locale.ROOT, "live replay: %,d events in %.1f s; whole run %.1f s",
                r.live().sent(), r.live().elapsed().toNanos() / 1e9, r.seconds()));
        out.flush();
    }

    /** The speed that replays the live part's event-time span in {@link Options#liveSeconds}. */
    private double liveSpeed(HistoryCut split) {
        long[] live = split.liveTimes();
        if (!(options.liveSeconds() > 0) || Double.isInfinite(options.liveSeconds()) || live.length == 0) {
            return Double.POSITIVE_INFINITY;
        }
        double span = (live[live.length - 1] - split.cut()) / 1000.0;
        return span <= 0 ? Double.POSITIVE_INFINITY : Math.max(1, span / options.liveSeconds());
    }

    private void step(String what) {
        out.println("[demo] " + what);
        out.flush();
    }

    private void say(String what) {
        out.println("       " + what);
        out.flush();
    }
}
