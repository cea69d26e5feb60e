package io.moerec.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.moerec.ingest.domain.ModelAnnouncement;
import io.moerec.ingest.domain.Movie;
import io.moerec.ingest.domain.RecommendationList;
import io.moerec.ingest.domain.ViewingEvent;
import io.moerec.ingest.generate.GeneratorConfig;
import io.moerec.ingest.generate.SyntheticDataGenerator;
import io.moerec.ingest.replay.ReplayOptions;
import io.moerec.ingest.replay.ReplaySummary;
import io.moerec.ingest.replay.Replayer;
import io.moerec.ingest.source.DataSet;
import io.moerec.ingest.source.JsonLinesDataSet;
import io.moerec.ingest.topic.Topics;
import io.moerec.ingest.files.Directories;
import io.moerec.jobs.pipeline.LivePipeline;
import io.moerec.jobs.pipeline.ModelCache;
import io.moerec.jobs.pipeline.PipelineMonitor;
import io.moerec.jobs.pipeline.PipelineObservations;
import io.moerec.jobs.pipeline.PipelineSession;
import io.moerec.moe.streams.ModelUpdater;
import io.moerec.moe.streams.ScoringConfig;
import io.moerec.moe.bundle.ModelBundle;
import io.moerec.moe.train.MoeTrainer;
import io.moerec.moe.TrainingConfig;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * Faults injected into the running pipeline: the real embedded broker, the Flink
 * features job (MiniCluster) and the scoring app in child JVMs ({@link LivePipeline}), a seeded
 * synthetic data set replayed at a fixed pace, one model trained once for the class (cached under
 * {@code target/}), softmax router. A run without a fault gives every user's expected final list;
 * each fault run must end with the same lists, nothing twice for a {@code read_committed} reader
 * (features per trigger event, lists per (user, trigger event)) and every event accounted for
 * (events in = features updates + late + features-job dead letters). Each run has its own broker and
 * work directory, deleted afterwards (the children's logs are kept under
 * {@code target/pipeline-faults/<run>/logs}); figures go to {@code target/pipeline-faults/results.tsv}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PipelineFaultsIT {

    static final Path ROOT = Path.of("target", "pipeline-faults").toAbsolutePath();
    static final Duration READY = Duration.ofMinutes(2);
    static final Duration DRAIN = Duration.ofMinutes(3);
    static final Duration RECOVERY = Duration.ofSeconds(90);
    /** Wall-clock length of the paced replay; faults land at {@link #FAULT_AT} of the events. */
    static final double REPLAY_SECONDS = 12;
    static final double FAULT_AT = 0.35;
    static final Duration BROKER_DOWN = Duration.ofSeconds(5);
    /**
     * The scoring app's settings in every run. A SIGKILLed instance leaves its consumer group only when
     * its session times out, and its restarted successor gets the partitions only then: 10 s instead of
     * Kafka's 45 s default, with heartbeats every 2 s so that a busy machine does not expire a live one.
     */
    static final Map<String, String> SCORING = Map.of(ScoringConfig.ROUTER, "softmax",
            "streams.session.timeout.ms", "10000", "streams.heartbeat.interval.ms", "2000");
    static final Pattern REJECTIONS = Pattern.compile("(?m)^moerec_model_rejections_total(?:\\{[^}]*})? ([0-9.eE+-]+)$");

    static DataSet data;
    static long eventCount;
    static double speed;
    static ModelCache.Entry model;
    static String childClasspath;
    static Outcome reference;

    @BeforeAll
    static void dataAndModel() throws IOException {
        Files.createDirectories(ROOT);
        childClasspath = jobsRuntimeClasspath();
        Path dir = ROOT.resolve("data");
        GeneratorConfig config = GeneratorConfig.builder().seed(20240701).users(250).movies(400).targetEvents(12_000)
                .spanDays(30).build();
        if (!Files.exists(dir.resolve(JsonLinesDataSet.EVENTS_FILE))) {
            new SyntheticDataGenerator(config).generate(dir);
        }
        data = new JsonLinesDataSet(dir);
        List<Movie> catalog = new ArrayList<>();
        List<ViewingEvent> events = new ArrayList<>();
        MoeTrainer.readAll(data, catalog, events);
        eventCount = events.size();
        long first = events.stream().mapToLong(ViewingEvent::eventTime).min().orElseThrow();
        long last = events.stream().mapToLong(ViewingEvent::eventTime).max().orElseThrow();
        speed = (last - first) / (REPLAY_SECONDS * 1000.0);
        // Trained on the first half of the event time, as the demo trains on its history.
        long cut = first + (last - first) / 2;
        model = new ModelCache(ROOT.resolve("model-cache")).trainOrReuse("pipeline-faults seed 20240701", catalog,
                events.stream().filter(e -> e.eventTime() < cut).toList(), TrainingConfig.defaults());
        log("data: %d events, %d movies; model %s (%s in %.1f s); replay speed %.0f", eventCount, catalog.size(),
                model.version(), model.reused() ? "cached" : "trained", model.seconds(), speed);
    }

    /** The jobs module's runtime class path: its jar and its dependencies (jobs/target/classpath.txt). */
    static String jobsRuntimeClasspath() throws IOException {
        Path jar = FeaturesJobOnSessionClusterIT.requiredPath("moerec.jobs.jar");
        Path cp = FeaturesJobOnSessionClusterIT.requiredPath("moerec.jobs.classpath.file");
        return jar + File.pathSeparator + Files.readString(cp).trim();
    }

    @Test
    @Order(1)
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void referenceRunWithoutFault() throws Exception {
        reference();
    }

    @Test
    @Order(2)
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void scoringAppKilledAndRestarted() throws Exception {
        Outcome o = run("scoring-kill", ctx -> {
            long t0 = System.nanoTime();
            ctx.pipeline.killScoringApp();
            ctx.pipeline.scoringApp().waitFor(Duration.ofSeconds(10));
            Thread.sleep(1000);
            long before = ctx.obs.lists();
            ctx.pipeline.restartScoringApp();
            return awaitIncrease(t0, ctx.obs::lists, before, "a new list after the scoring app's restart", ctx);
        });
        assertSameAsReference(o);
    }

    /**
     * Two faults in one run, one per job, so that each still shows on its own: a tampered model bundle
     * announced to the scoring app mid-replay (rejected, the old model keeps serving: lists made after it
     * from another model would fail the final lists and their model versions), then the features job
     * killed and restored from its latest checkpoint. One pipeline start fewer than a run per fault.
     */
    @Test
    @Order(3)
    @Timeout(value = 7, unit = TimeUnit.MINUTES)
    void badModelBundleIsRejectedThenTheFlinkJobIsKilledAndRestoredFromTheLatestCheckpoint() throws Exception {
        Outcome o = run("bad-model-flink-kill", ctx -> {
            rejectTamperedBundle(ctx);
            return killAndRestoreFeaturesJob(ctx);
        });
        assertSameAsReference(o);
        assertTrue(Files.readString(o.workDir.resolve("pipeline").resolve("logs").resolve("scoring-app-1.log")).contains("rejected model moe-00000000deadbeef"),
                "the rejection is logged with its reason");
    }

    @Test
    @Order(4)
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void brokerRestartedWithItsDataKept() throws Exception {
        Outcome o = run("broker-restart", ctx -> {
            long t0 = System.nanoTime();
            ctx.session.stopBroker();
            long down = System.nanoTime();
            long features = ctx.obs.accounting().featureUpdates();
            long lists = ctx.obs.lists();
            // Down for a while: every client sees its connections refused and must reconnect by itself.
            Thread.sleep(BROKER_DOWN.toMillis());
            ctx.session.restartBroker();
            log("broker-restart: stopped in %d ms, down %d ms, started again in %d ms", ms(down - t0), BROKER_DOWN.toMillis(),
                    ctx.session.broker().startupTime().toMillis());
            long f = awaitIncrease(t0, () -> ctx.obs.accounting().featureUpdates(), features,
                    "a new features update after the broker's restart", ctx);
            long l = awaitIncrease(t0, ctx.obs::lists, lists, "a new list after the broker's restart", ctx);
            log("broker-restart: first features update %d ms, first list %d ms after the stop", f, l);
            return Math.max(f, l);
        });
        assertSameAsReference(o);
    }

    /** Kills the features job, restarts it from its latest checkpoint; the time to its first new update in ms. */
    static long killAndRestoreFeaturesJob(RunContext ctx) throws Exception {
        long t0 = System.nanoTime();
        ctx.pipeline.killFeaturesJob();
        ctx.pipeline.featuresJob().waitFor(Duration.ofSeconds(10));
        Thread.sleep(500);
        long before = ctx.obs.accounting().featureUpdates();
        ctx.pipeline.restartFeaturesJob();
        long recovered = awaitIncrease(t0, () -> ctx.obs.accounting().featureUpdates(), before,
                "a new features update after the features job's restore", ctx);
        String log = Files.readString(ctx.workDir.resolve("pipeline").resolve("logs").resolve("features-job-2.log"));
        Matcher from = Pattern.compile("resuming from (\\S+)").matcher(log);
        assertTrue(from.find(), "the restarted features job resumed from a checkpoint; its log:\n" + log);
        log("flink-kill: restored from %s", from.group(1));
        return recovered;
    }

    /**
     * Announces a copy of the served bundle with one byte flipped in its largest file, under a new
     * version and the (untouched) manifest's true hash, so that only the per-file checksums can catch
     * it; waits until the scoring app counts the rejection and checks it still serves the old model.
     */
    static long rejectTamperedBundle(RunContext ctx) throws Exception {
        Path tampered = ctx.workDir.resolve("tampered-bundle");
        copyTree(model.bundle(), tampered);
        Path victim;
        try (Stream<Path> files = Files.walk(tampered)) {
            victim = files.filter(Files::isRegularFile).filter(p -> !p.getFileName().toString().equals(ModelBundle.MANIFEST))
                    .max(Comparator.comparingLong(PipelineFaultsIT::size)).orElseThrow();
        }
        byte[] bytes = Files.readAllBytes(victim);
        bytes[bytes.length / 2] ^= 1;
        Files.write(victim, bytes);
        ModelAnnouncement bad = ModelUpdater.announce(tampered, "moe-00000000deadbeef", System.currentTimeMillis());
        double before = rejections(ctx.pipeline);
        long t0 = System.nanoTime();
        try (Producer<String, ModelAnnouncement> p = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                ctx.session.bootstrapServers(), ProducerConfig.ACKS_CONFIG, "all"),
                Topics.MODELS.keySerde().serializer(), Topics.MODELS.valueSerde().serializer())) {
            p.send(new ProducerRecord<>(Topics.MODELS.name(), bad.modelVersion(), bad)).get(30, TimeUnit.SECONDS);
        }
        long deadline = System.nanoTime() + RECOVERY.toNanos();
        while (rejections(ctx.pipeline) < before + 1) {
            ctx.pipeline.checkAlive();
            assertTrue(System.nanoTime() < deadline, "no rejection counted within " + RECOVERY);
            Thread.sleep(50);
        }
        long rejectedAfter = ms(System.nanoTime() - t0);
        String health = get(ctx.pipeline, "/health");
        assertTrue(health.contains(model.version()), "still serving " + model.version() + ": " + health);
        log("bad-model: rejected %d ms after the announcement; /health %s", rejectedAfter, health.trim());
        return rejectedAfter;
    }

    // ----------------------------------------------------------------------------------------------

    /** What a fault does to the running pipeline; returns its recovery time in ms. */
    interface Fault {
        long inject(RunContext ctx) throws Exception;
    }

    static final class RunContext {
        final Path workDir;
        PipelineSession session;
        LivePipeline pipeline;
        PipelineObservations obs;

        RunContext(Path workDir) {
            this.workDir = workDir;
        }
    }

    record Outcome(String name, Path workDir, ReplaySummary replay, PipelineObservations.Accounting accounting,
                   long duplicateLists, long lists, List<String> watchedInLists, Map<String, List<Long>> finalLists,
                   Map<String, String> finalModelVersions, long recoveryMs, double seconds) {
    }

    static synchronized Outcome reference() throws Exception {
        if (reference == null) {
            reference = run("reference", null);
        }
        return reference;
    }

    static Outcome run(String name, Fault fault) throws Exception {
        long t0 = System.nanoTime();
        Path work = ROOT.resolve(name);
        Directories.deleteRecursively(work);
        RunContext ctx = new RunContext(work);
        // Replayer and catalog loader share the session's one idempotent producer, as the demo's do.
        try (PipelineSession session = PipelineSession.startBroker(0, work,
                Map.of(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 180_000, ProducerConfig.MAX_BLOCK_MS_CONFIG, 120_000))) {
            ctx.session = session;
            ReplaySummary movies = session.loadCatalog(data);
            assertEquals(0, movies.rejectedTotal(), "catalog rejects");
            LivePipeline.Settings settings = new LivePipeline.Settings(session.bootstrapServers(), model.bundle(),
                    work.resolve("pipeline"), Map.of(), SCORING, childClasspath);
            ctx.obs = new PipelineObservations(Long.MIN_VALUE);
            LivePipeline pipeline = session.startPipeline(settings, ctx.obs);
            PipelineMonitor monitor = session.monitor();
            ctx.pipeline = pipeline;
            CompletableFuture<ReplaySummary> replay = CompletableFuture.supplyAsync(() ->
                    new Replayer(session.producer(), ReplayOptions.defaults().withSpeed(speed).withExpectedRecords(eventCount))
                            .replay(data));
            long recovery = -1;
            if (fault != null) {
                long deadline = System.nanoTime() + READY.toNanos();
                while (ctx.obs.eventsSeen() < FAULT_AT * eventCount) {
                    assertFalse(replay.isDone() && ctx.obs.eventsSeen() < FAULT_AT * eventCount && replay.isCompletedExceptionally(),
                            "the replay failed before the fault");
                    assertTrue(System.nanoTime() < deadline, "the replay did not reach the fault point");
                    pipeline.checkAlive();
                    monitor.check();
                    Thread.sleep(20);
                }
                log("%s: injecting the fault after %d of %d events", name, ctx.obs.eventsSeen(), eventCount);
                recovery = fault.inject(ctx);
                log("%s: recovered in %d ms", name, recovery);
            }
            ReplaySummary summary = replay.get(3, TimeUnit.MINUTES);
            pipeline.awaitDrained(monitor, summary.sent(), Duration.ofSeconds(3), DRAIN, name);
            Outcome o = outcome(name, work, summary, ctx.obs, recovery, (System.nanoTime() - t0) / 1e9);
            record(o);
            assertAccounted(o);
            return o;
        } finally {
            ctx.pipeline = null;
            ctx.session = null;
            // Keep the children's logs for the record; the broker's log, checkpoints and state go.
            Directories.deleteRecursively(work.resolve("kafka"));
            Directories.deleteRecursively(work.resolve("pipeline").resolve("checkpoints"));
            Directories.deleteRecursively(work.resolve("pipeline").resolve("streams"));
            Directories.deleteRecursively(work.resolve("tampered-bundle"));
        }
    }

    /** Waits until {@code counter} passes {@code before}; the time since {@code t0} in ms. */
    static long awaitIncrease(long t0, LongSupplier counter, long before, String what, RunContext ctx)
            throws InterruptedException {
        long deadline = System.nanoTime() + RECOVERY.toNanos();
        while (counter.getAsLong() <= before) {
            ctx.pipeline.checkAlive();
            assertTrue(System.nanoTime() < deadline, "no " + what + " within " + RECOVERY + ": " + ctx.obs.accounting());
            Thread.sleep(20);
        }
        return ms(System.nanoTime() - t0);
    }

    static Outcome outcome(String name, Path work, ReplaySummary replay, PipelineObservations obs, long recovery, double seconds) {
        Map<String, List<Long>> finals = obs.finalLists();
        Map<String, String> versions = new TreeMap<>();
        for (String user : finals.keySet()) {
            obs.latestList(user).map(RecommendationList::modelVersion).ifPresent(v -> versions.put(user, v));
        }
        return new Outcome(name, work, replay, obs.accounting(), obs.duplicateLists(), obs.lists(), obs.listsWithWatchedMovies(),
                finals, versions, recovery, seconds);
    }

    static void assertAccounted(Outcome o) {
        PipelineObservations.Accounting a = o.accounting;
        assertEquals(eventCount, o.replay.sent(), o.name + ": every event of the data set sent");
        assertEquals(o.replay.sent(), a.events(), o.name + ": every sent event read back once from viewing-events");
        assertEquals(0, a.duplicateUpdates(), o.name + ": features updates committed twice for one trigger event");
        assertEquals(a.events(), a.featureUpdates() + a.late() + a.deadLetters(),
                o.name + ": events in = features updates + late + dead letters: " + a);
        assertTrue(a.balanced(), o.name + ": " + a);
        assertEquals(0, o.duplicateLists, o.name + ": lists seen twice for one (user, trigger event)");
        assertEquals(List.of(), o.watchedInLists, o.name + ": lists holding a movie the user had watched");
        assertTrue(o.finalModelVersions.values().stream().allMatch(model.version()::equals),
                o.name + ": every final list from the served model " + model.version());
        assertFalse(o.finalLists.isEmpty(), o.name + ": no lists at all");
    }

    static void assertSameAsReference(Outcome o) throws Exception {
        Outcome ref = reference();
        assertEquals(ref.finalLists.keySet(), o.finalLists.keySet(), o.name + ": users with a list");
        List<String> differing = new ArrayList<>();
        ref.finalLists.forEach((user, list) -> {
            if (!list.equals(o.finalLists.get(user))) {
                differing.add(user + ": expected " + list + ", got " + o.finalLists.get(user));
            }
        });
        assertEquals(List.of(), differing, o.name + ": final lists that differ from the run without fault");
        assertEquals(ref.accounting.late(), o.accounting.late(), o.name + ": late events");
        assertEquals(ref.accounting.deadLetters(), o.accounting.deadLetters(), o.name + ": dead letters");
    }

    static void record(Outcome o) throws IOException {
        PipelineObservations.Accounting a = o.accounting;
        String line = String.format(Locale.ROOT, "%s\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%.1f%n", o.name, a.events(),
                a.featureUpdates(), a.late(), a.deadLetters(), a.duplicateUpdates(), o.lists, o.duplicateLists,
                o.finalLists.size(), a.events() - a.featureUpdates() - a.late() - a.deadLetters(), o.recoveryMs, o.seconds);
        Path results = ROOT.resolve("results.tsv");
        if (!Files.exists(results)) {
            Files.writeString(results, "run\tevents\tfeatureUpdates\tlate\tdeadLetters\tduplicateUpdates\tlists\tduplicateLists"
                    + "\tusersWithList\tunaccounted\trecoveryMs\tseconds\n");
        }
        Files.writeString(results, line, StandardOpenOption.APPEND);
        log("%s", line.trim());
    }

    static double rejections(LivePipeline pipeline) {
        Matcher m = REJECTIONS.matcher(get(pipeline, "/metrics"));
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }

    static String get(LivePipeline pipeline, String path) {
        try {
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + pipeline.httpPort() + path)).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            assertEquals(200, r.statusCode(), path + ": " + r.body());
            return r.body();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static long ms(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(nanos);
    }

    static long size(Path p) {
        try {
            return Files.size(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> paths = Files.walk(from)) {
            for (Path p : paths.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
    }


    static void log(String format, Object... args) {
        System.out.println("[pipeline-faults] " + String.format(Locale.ROOT, format, args));
    }
}
