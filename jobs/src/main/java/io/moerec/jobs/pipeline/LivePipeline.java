package io.moerec.jobs.pipeline;

import io.moerec.jobs.net.LoopbackPorts;

import io.moerec.ingest.topic.Topics;
import io.moerec.jobs.features.FeaturesJob;
import io.moerec.features.flink.FeaturesJobConfig;
import io.moerec.jobs.process.ChildJvm;
import io.moerec.moe.streams.ScoringApp;
import io.moerec.moe.streams.ScoringConfig;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live pipeline as the demo, the benchmark and the integration tests run it: the Flink features
 * job on a local MiniCluster and the Kafka Streams scoring app, each in its own child JVM (the two
 * RocksDB builds must not meet: Flink's frocksdbjni and Kafka's rocksdbjni both ship org.rocksdb), both against one Kafka cluster. Each child
 * gets this JVM's class path minus the other's RocksDB build and writes its output to a log file in
 * the work directory. {@link #close} stops both for sure, scoring app first.
 */
public final class LivePipeline implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LivePipeline.class);
    private static final Pattern EXPERT_LOAD = Pattern.compile("^moerec_expert_load_total\\{expert=\"([^\"]+)\"} ([0-9.eE+-]+)$");

    /** System property setting the features-job child's log level of Flink's job and task state changes. */
    static final String FLINK_STATE_LOG_PROPERTY = "moerec.log.flink-state";

    private final Settings settings;
    private final int httpPort;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private ChildJvm featuresJob;
    private Admin admin;
    private ChildJvm scoringApp;
    private int scoringStarts;
    private int featuresStarts;

    /**
     * How to run the two jobs.
     *
     * @param bootstrapServers Kafka
     * @param bundle           the model bundle the scoring app starts with
     * @param workDir          checkpoints, Kafka Streams state and the children's logs
     * @param features         extra features-job settings ({@link FeaturesJobConfig} keys), win over the defaults here
     * @param scoring          extra scoring-app settings ({@link ScoringConfig} keys), win over the defaults here
     * @param classpath        the children's class path (each minus the other's RocksDB build): the jobs
     *                         module's runtime class path; inside surefire/failsafe the test JVM's
     *                         {@code java.class.path} is not it
     * @param childJvmOptions  extra options for both children's JVMs, after the pipeline's own (so a
     *                         {@code -Xmx} here wins), e.g. a flight recording or GC logging
     */
    public record Settings(String bootstrapServers, Path bundle, Path workDir, Map<String, String> features,
                           Map<String, String> scoring, String classpath, List<String> childJvmOptions) {
        public Settings {
            Objects.requireNonNull(bootstrapServers, "bootstrapServers");
            Objects.requireNonNull(bundle, "bundle");
            Objects.requireNonNull(workDir, "workDir");
            Objects.requireNonNull(classpath, "classpath");
            features = Map.copyOf(features);
            scoring = Map.copyOf(scoring);
            childJvmOptions = List.copyOf(childJvmOptions);
        }

        /** No extra JVM options. */
        public Settings(String bootstrapServers, Path bundle, Path workDir, Map<String, String> features,
                        Map<String, String> scoring, String classpath) {
            this(bootstrapServers, bundle, workDir, features, scoring, classpath, List.of());
        }

        /** The children run on this JVM's {@code java.class.path}. */
        public Settings(String bootstrapServers, Path bundle, Path workDir, Map<String, String> features,
                        Map<String, String> scoring) {
            this(bootstrapServers, bundle, workDir, features, scoring, System.getProperty("java.class.path"));
        }

        /** These settings with {@code options} as the children's extra JVM options. */
        public Settings withChildJvmOptions(List<String> options) {
            return new Settings(bootstrapServers, bundle, workDir, features, scoring, classpath, options);
        }
    }

    private LivePipeline(Settings settings, int httpPort) {
        this.settings = settings;
        this.httpPort = httpPort;
    }

    /** Starts the features job, then the scoring app; does not wait for either to be ready. */
    public static LivePipeline start(Settings settings) throws IOException {
        Files.createDirectories(settings.workDir());
        LivePipeline p = new LivePipeline(settings, LoopbackPorts.free());
        try {
            p.featuresJob = p.startFeaturesJob(Map.of());
            p.scoringApp = p.startScoringApp();
        } catch (IOException | RuntimeException e) {
            p.close();
            throw e;
        }
        return p;
    }

    /** The features job's settings: this pipeline's defaults under {@link Settings#features}. */
    public Map<String, String> featuresSettings() {
        return featuresSettings(settings.bootstrapServers(), settings.workDir(), settings.features());
    }

    private static Map<String, String> featuresSettings(String bootstrapServers, Path workDir, Map<String, String> extra) {
        Map<String, String> s = new LinkedHashMap<>();
        s.put(FeaturesJobConfig.BOOTSTRAP_SERVERS, bootstrapServers);
        s.put(FeaturesJobConfig.CHECKPOINT_DIR, workDir.resolve("checkpoints").toUri().toString());
        // One slot's worth of work on the demo's MiniCluster (Flink's local default would be every core).
        s.put(FeaturesJobConfig.PARALLELISM, "1");
        // Lists wait for the features' transaction: a short checkpoint interval keeps latency low.
        s.put(FeaturesJobConfig.CHECKPOINT_INTERVAL_MS, "1000");
        // Flink's default buffer timeout (100 ms) held each update up to that long between the job's tasks.
        s.put(FeaturesJobConfig.BUFFER_TIMEOUT_MS, "10");
        s.put(FeaturesJobConfig.TRANSACTION_TIMEOUT_MS, "60000");
        s.putAll(extra);
        return s;
    }

    /**
     * Checks extra settings of both jobs as the children will (over this pipeline's defaults), so that a
     * bad key or value fails before anything starts.
     *
     * @throws IllegalArgumentException naming the key
     */
    public static void validate(Map<String, String> features, Map<String, String> scoring) {
        Path work = Path.of(System.getProperty("java.io.tmpdir"));
        FeaturesJobConfig.fromMap(featuresSettings("localhost:9092", work, features));
        Map<String, String> sc = new LinkedHashMap<>(Map.of(ScoringConfig.BOOTSTRAP_SERVERS, "localhost:9092",
                ScoringConfig.MODEL_PATH, work.toString()));
        sc.putAll(scoring);
        ScoringConfig.fromMap(sc);
    }

    /** The scoring app's settings: this pipeline's defaults under {@link Settings#scoring}. */
    public Map<String, String> scoringSettings() {
        Map<String, String> s = new LinkedHashMap<>();
        s.put(ScoringConfig.BOOTSTRAP_SERVERS, settings.bootstrapServers());
        s.put(ScoringConfig.MODEL_PATH, settings.bundle().toString());
        s.put(ScoringConfig.HTTP_PORT, Integer.toString(httpPort));
        s.put(ScoringConfig.STATE_DIR, settings.workDir().resolve("streams").toString());
        s.putAll(settings.scoring());
        return s;
    }

    private ChildJvm startFeaturesJob(Map<String, String> extra) throws IOException {
        featuresStarts++;
        List<String> jvm = new ArrayList<>(ChildJvm.FLINK_JAVA_17_OPTIONS);
        // Job and task state changes at INFO in its log: a restart is there to see (and to test for).
        jvm.addAll(List.of("-Xmx1g", "-D" + FLINK_STATE_LOG_PROPERTY + "=info"));
        jvm.addAll(settings.childJvmOptions());
        jvm.addAll(List.of("-cp", ChildJvm.classpathWithout(settings.classpath(), "/rocksdbjni-")));
        Map<String, String> s = featuresSettings();
        s.putAll(extra);
        return ChildJvm.start("features-job", jvm, FeaturesJob.class.getName(), asArgs(s), Map.of(),
                settings.workDir().resolve("logs").resolve(featuresStarts == 1 ? "features-job.log" : "features-job-" + featuresStarts + ".log"));
    }

    private ChildJvm startScoringApp() throws IOException {
        scoringStarts++;
        List<String> jvm = new ArrayList<>(List.of("-Xmx768m"));
        jvm.addAll(settings.childJvmOptions());
        jvm.addAll(List.of("-cp", ChildJvm.classpathWithout(settings.classpath(), "/frocksdbjni-")));
        return ChildJvm.start("scoring-app", jvm, ScoringApp.class.getName(), asArgs(scoringSettings()), Map.of(),
                settings.workDir().resolve("logs").resolve("scoring-app-" + scoringStarts + ".log"));
    }

    private static List<String> asArgs(Map<String, String> settings) {
        List<String> args = new ArrayList<>();
        settings.forEach((k, v) -> {
            args.add("-s");
            args.add(k + "=" + v);
        });
        return args;
    }

    /** The scoring app's HTTP port on 127.0.0.1. */
    public int httpPort() {
        return httpPort;
    }

    public ChildJvm featuresJob() {
        return featuresJob;
    }

    public ChildJvm scoringApp() {
        return scoringApp;
    }

    /** Waits until the scoring app answers {@code /health} with 200; fails at once if a child died. */
    public void awaitScoringRunning(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            checkAlive();
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri("/health")).timeout(Duration.ofSeconds(2)).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                LOG.trace("scoring app not answering yet: {}", notYet.toString());
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("the scoring app did not become healthy within " + timeout + "; its log ends:\n"
                + scoringApp.logTail(3000));
    }

    /** A user id no data set uses: the scoring app knows nothing of it. */
    static final String NON_PERSONAL_PROBE = "moerec.non-personal-probe";

    /**
     * The scoring app's non-personal list, best first, as its look-up answers it for a user without a
     * list of their own (a {@code GET} for a user no data set has); retried while the app answers 503.
     */
    public long[] nonPersonalList(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "no answer";
        while (System.nanoTime() < deadline) {
            checkAlive();
            try {
                HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(uri("/users/" + NON_PERSONAL_PROBE + "/recommendations"))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofByteArray());
                last = r.statusCode() + " " + new String(r.body(), java.nio.charset.StandardCharsets.UTF_8);
                if (r.statusCode() == 200) {
                    com.fasterxml.jackson.databind.JsonNode body = new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.body());
                    if (body.path("personal").asBoolean(true)) {
                        throw new IllegalStateException("the scoring app has a list of its own for " + NON_PERSONAL_PROBE + ": " + last);
                    }
                    long[] items = new long[body.path("items").size()];
                    for (int i = 0; i < items.length; i++) {
                        items[i] = body.path("items").get(i).path("movieId").asLong();
                    }
                    return items;
                }
            } catch (IOException notYet) {
                last = notYet.toString();
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("the scoring app gave no non-personal list within " + timeout + ": " + last);
    }

    /** Throws, with the end of its log, if either child has exited. */
    public void checkAlive() {
        for (ChildJvm c : new ChildJvm[] {featuresJob, scoringApp}) {
            if (c != null && !c.isAlive()) {
                throw new IllegalStateException(c.name() + " exited; its log (" + c.log() + ") ends:\n" + c.logTail(3000));
            }
        }
    }

    /** Users routed to each expert so far, from the scoring app's {@code /metrics}; empty if it does not answer. */
    public Map<String, Double> routingLoad() {
        Map<String, Double> load = new TreeMap<>();
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri("/metrics")).timeout(Duration.ofSeconds(2)).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() == 200) {
                for (String line : r.body().split("\n")) {
                    Matcher m = EXPERT_LOAD.matcher(line.trim());
                    if (m.matches()) {
                        load.put(m.group(1), Double.parseDouble(m.group(2)));
                    }
                }
            }
        } catch (IOException e) {
            LOG.debug("no metrics from the scoring app: {}", e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return load;
    }

    /**
     * Records on {@code user-features} the scoring app has not committed yet (its consumer group's lag),
     * or -1 while the group has no committed offsets.
     */
    public long scoringLag() {
        return groupLag(settings.scoring().getOrDefault(ScoringConfig.APPLICATION_ID, "moerec-scoring"),
                settings.scoring().getOrDefault(ScoringConfig.TOPIC_FEATURES, Topics.USER_FEATURES.name()));
    }

    /**
     * Waits until the features job has checkpointed past everything on the catalog topic (its catalog
     * source commits offsets, as group {@code <group.id>-catalog}, on each completed checkpoint). Events
     * replayed before that race the broadcast catalog: an event whose movie is not in it yet is buffered
     * while the user's later events are applied, so a list could hold a movie the user has just watched.
     */
    public void awaitFeaturesJobHasCatalog(Duration timeout) throws InterruptedException {
        Map<String, String> f = featuresSettings();
        String group = f.getOrDefault(FeaturesJobConfig.GROUP_ID, "moerec-features") + "-catalog";
        String topic = f.getOrDefault(FeaturesJobConfig.TOPIC_MOVIES, Topics.MOVIES.name());
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            checkAlive();
            if (groupLag(group, topic) == 0) {
                return;
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("the features job did not checkpoint past the catalog within " + timeout
                + "; its log ends:\n" + featuresJob.logTail(3000));
    }

    /**
     * Waits until every one of {@code published} events is accounted for (a features update, a late
     * event or a dead letter), the scoring app has committed everything on {@code user-features}, and
     * no new list has appeared for {@code quiet}: the end of a replay phase. Returns the
     * {@link System#nanoTime} at which it first saw that state or, if later, the lists last changed (to
     * within the 250 ms it polls at).
     *
     * @throws IllegalStateException when nothing moved (events, updates, lists, scoring lag) for {@code timeout}, or a child died
     */
    public long awaitDrained(PipelineMonitor monitor, long published, Duration quiet, Duration timeout, String phase)
            throws InterruptedException {
        PipelineObservations obs = monitor.observations();
        long deadline = System.nanoTime() + timeout.toNanos();
        long quietSince = -1;
        long lastLists = -1;
        List<Long> lastProgress = List.of();
        while (System.nanoTime() < deadline) {
            checkAlive();
            monitor.check();
            PipelineObservations.Accounting a = obs.accounting();
            long lag = scoringLag();
            // A slow machine drains slowly but steadily: the timeout counts from the last sign of progress.
            List<Long> progress = List.of(a.events(), a.featureUpdates() + a.late() + a.deadLetters(), obs.lists(), lag);
            if (!progress.equals(lastProgress)) {
                lastProgress = progress;
                deadline = System.nanoTime() + timeout.toNanos();
            }
            boolean accounted = a.events() == published && a.featureUpdates() + a.late() + a.deadLetters() >= published;
            // Quiet counts only from when all is accounted and committed: coalesced users are scored after that.
            if (accounted && lag == 0) {
                long lists = obs.lists();
                if (lists != lastLists) {
                    lastLists = lists;
                    quietSince = System.nanoTime();
                } else if (System.nanoTime() - quietSince > quiet.toNanos()) {
                    return quietSince;
                }
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException(phase + ": the pipeline made no progress for " + timeout + ": "
                + obs.accounting() + ", scoring lag " + scoringLag());
    }

    /**
     * Events on the features job's input topic so far (the sum of its {@code read_committed} end offsets).
     * Not the features job's consumer-group lag: its Kafka source commits offsets only as a side effect
     * of completed checkpoints and was seen to leave them stale while idle, so the benchmark measures the
     * backlog as these minus the outputs a {@code read_committed} consumer has seen.
     */
    public long eventsOnInputTopic() {
        String topic = featuresSettings().getOrDefault(FeaturesJobConfig.TOPIC_EVENTS, Topics.VIEWING_EVENTS.name());
        try {
            return endOffsets(admin(), topic).values().stream().mapToLong(ListOffsetsResult.ListOffsetsResultInfo::offset).sum();
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot read the end offsets of " + topic + ": " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** One admin client for the pipeline's many lag and offset polls, created on first use, closed with it. */
    private synchronized Admin admin() {
        if (admin == null) {
            admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers()));
        }
        return admin;
    }

    private static Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> endOffsets(Admin admin, String topic)
            throws ExecutionException, InterruptedException {
        Map<TopicPartition, OffsetSpec> ends = new LinkedHashMap<>();
        admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions()
                .forEach(p -> ends.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest()));
        return admin.listOffsets(ends, new org.apache.kafka.clients.admin.ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all().get();
    }

    /** A consumer group's lag on {@code topic} against its {@code read_committed} end offsets; -1 without committed offsets. */
    private long groupLag(String group, String topic) {
        try {
            Map<TopicPartition, OffsetAndMetadata> committed = admin().listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata().get();
            Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> end = endOffsets(admin(), topic);
            long lag = 0;
            for (var e : end.entrySet()) {
                OffsetAndMetadata c = committed.get(e.getKey());
                if (c == null) {
                    if (e.getValue().offset() > 0) {
                        return -1;
                    }
                    continue;
                }
                lag += Math.max(0, e.getValue().offset() - c.offset());
            }
            return lag;
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot read the consumer lag of group " + group + ": " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** Kills the scoring app's JVM outright (SIGKILL), as a crash would. */
    public void killScoringApp() {
        scoringApp.kill();
    }

    /** Starts the scoring app again on the same settings, state directory and application id. */
    public void restartScoringApp() throws IOException {
        if (scoringApp.isAlive()) {
            throw new IllegalStateException("the scoring app is still running");
        }
        scoringApp = startScoringApp();
    }

    /** Kills the features job's JVM (the MiniCluster with its JobManager and TaskManager) outright (SIGKILL). */
    public void killFeaturesJob() {
        featuresJob.kill();
    }

    /**
     * Starts the features job again on the same settings (checkpoint directory, transactional id
     * prefix), resuming from the newest retained checkpoint ({@link FeaturesJobConfig#RESTORE_LATEST}).
     */
    public void restartFeaturesJob() throws IOException {
        if (featuresJob.isAlive()) {
            throw new IllegalStateException("the features job is still running");
        }
        featuresJob = startFeaturesJob(Map.of(FeaturesJobConfig.RESTORE, FeaturesJobConfig.RESTORE_LATEST));
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + httpPort + path);
    }

    @Override
    public void close() {
        synchronized (this) {
            if (admin != null) {
                admin.close(Duration.ofSeconds(5));
                admin = null;
            }
        }
        RuntimeException first = null;
        for (ChildJvm c : new ChildJvm[] {scoringApp, featuresJob}) {
            if (c == null) {
                continue;
            }
            try {
                c.close();
            } catch (RuntimeException e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

    /** Last resort for a shutdown hook: kills both children without waiting. */
    public void kill() {
        for (ChildJvm c : new ChildJvm[] {scoringApp, featuresJob}) {
            if (c != null) {
                c.kill();
            }
        }
    }
}
