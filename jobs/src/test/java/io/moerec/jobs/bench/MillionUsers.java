package io.moerec.jobs.bench;

import io.moerec.features.FeatureConfig;
import io.moerec.features.flink.FeaturesPipeline;
import io.moerec.features.flink.FeaturesPipelineConfig;
import io.moerec.features.flink.FlinkSettings;
import io.moerec.features.flink.RawRecord;
import io.moerec.ingest.datasets.DataSets;
import io.moerec.ingest.domain.EventType;
import io.moerec.ingest.domain.Genre;
import io.moerec.ingest.domain.GenreSet;
import io.moerec.ingest.domain.Movie;
import io.moerec.ingest.domain.UserPreferenceFeatures;
import io.moerec.ingest.domain.ViewingEvent;
import io.moerec.ingest.topic.Topics;
import io.moerec.ingest.files.Directories;
import io.moerec.jobs.broker.EmbeddedKafkaBroker;
import io.moerec.jobs.process.ChildJvm;
import io.moerec.moe.streams.ScoringApp;
import io.moerec.moe.streams.ScoringConfig;
import io.moerec.moe.train.MoeTrainer;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricConfig;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.reporter.MetricReporter;
import org.apache.flink.metrics.reporter.MetricReporterFactory;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;

/**
 * One million distinct users through the features job (RocksDB, MiniCluster, in-memory generator
 * sources, checkpoints on) and through the real scoring app (its own JVM, exactly-once, against an
 * embedded broker in this JVM). A benchmark command in test scope, not a test; each stage in its own
 * JVM so that heap and RSS are that stage's (see jobs/BENCH.md, "Many users", for the commands).
 *
 * <p>The log: phase A gives every user {@code u0 … u(N-1)} at least one event ({@code events}
 * events, user = index mod N) within one day of event time; phase B, after a gap longer than the
 * TTL, gives the {@code returning} users {@code u0 … u(returning-1)} more events. The watermark of
 * phase B passes every phase-A user's expiry, so the TTL expires the users who did not return, each
 * with one tombstone. The scoring stage replays the same shape: one features record per user, then a
 * tombstone for every user who does not return. {@code -Dflink.<key>=<value>} sets a Flink option of
 * the features stage, {@code -Dmanaged=256m} its managed memory, {@code -Djfr=true} profiles the
 * scoring app.
 */
public final class MillionUsers {

    static final long T0 = 1_700_000_000_000L;
    static final long HOUR = 3_600_000L;
    static final long DAY = 24 * HOUR;

    public static void main(String[] args) throws Exception {
        Map<String, String> a = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            a.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        String stage = a.getOrDefault("stage", "features");
        int users = Integer.parseInt(a.getOrDefault("users", "1000000"));
        long events = Long.parseLong(a.getOrDefault("events", "1500000"));
        int returning = Integer.parseInt(a.getOrDefault("returning", "50000"));
        long eventsB = Long.parseLong(a.getOrDefault("events-b", "300000"));
        Path work = Files.createDirectories(Path.of(a.getOrDefault("work", Path.of(System.getProperty("java.io.tmpdir"), "moerec-million").toString())).resolve(stage));
        Directories.deleteRecursively(work);
        Files.createDirectories(work);
        Sampler sampler = new Sampler();
        sampler.start();
        long t0 = System.nanoTime();
        if (stage.equals("features")) {
            features(users, events, returning, eventsB, work, sampler, Integer.parseInt(a.getOrDefault("movies", "5000")));
        } else {
            scoringApp(users, returning, work, sampler, Path.of(a.get("bundle")), Path.of(a.get("data")),
                    a.getOrDefault("xmx", "768m"));
        }
        sampler.stop();
        System.gc();
        System.gc();
        long afterGc = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        System.out.printf("%s: wall %.0f s; heap max %d MiB, peak used (sampled every 100 ms) %d MiB, used after GC at the end %d MiB; %s%n",
                stage, (System.nanoTime() - t0) / 1e9, Runtime.getRuntime().maxMemory() >> 20, sampler.peakHeap >> 20,
                afterGc >> 20, procStatus());
        System.exit(0);
    }

    // ---------------------------------------------------------------- features job

    static void features(int users, long eventsA, int returning, long eventsB, Path work, Sampler sampler, int movies)
            throws Exception {
        long ttl = 7 * DAY;
        Path rocks = Files.createDirectories(work.resolve("rocksdb"));
        Path checkpoints = Files.createDirectories(work.resolve("checkpoints"));
        FeaturesPipelineConfig config = FeaturesPipelineConfig.defaults()
                .withFeatures(FeatureConfig.defaults().withStateTtlMs(ttl));
        Configuration conf = FlinkSettings.rocksDbExactlyOnce(Duration.ofSeconds(10), checkpoints.toUri().toString());
        conf.set(CheckpointingOptions.MAX_RETAINED_CHECKPOINTS, 1);
        conf.setString("state.backend.rocksdb.localdir", rocks.toString());
        // RocksDB's block cache and write buffers come from managed memory (off-heap, in RSS).
        String managed = System.getProperty("managed", "");
        if (!managed.isEmpty()) { // unset: the job's default (a local MiniCluster's 128 MiB)
            conf.setString("taskmanager.memory.managed.size", managed);
        }
        conf.setString("state.backend.rocksdb.metrics.estimate-num-keys", "true");
        conf.setString("state.backend.rocksdb.metrics.total-sst-files-size", "true");
        // What the block cache holds and what the reads cost (to find where a get's time goes).
        for (String m : List.of("block-cache-capacity", "block-cache-usage", "block-cache-pinned-usage",
                "block-cache-hit", "block-cache-miss", "bytes-read", "num-files-at-level", "estimate-table-readers-mem",
                "size-all-mem-tables")) {
            conf.setString("state.backend.rocksdb.metrics." + m, "true");
        }
        // -Dflink.<key>=<value> sets any Flink option (e.g. -Dflink.state.backend.rocksdb.use-bloom-filter=true).
        System.getProperties().stringPropertyNames().stream().filter(k -> k.startsWith("flink."))
                .forEach(k -> conf.setString(k.substring("flink.".length()), System.getProperty(k)));
        conf.setString("metrics.reporter.million.factory.class", ReporterFactory.class.getName());
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(1);
        Log log = new Log(users, eventsA, returning, eventsB, ttl, movies);
        new FeaturesPipeline(config,
                new DataGeneratorSource<>(new FeaturesJobThroughput.EventGenerator(log), eventsA + eventsB, TypeInformation.of(RawRecord.class)),
                new DataGeneratorSource<>(new FeaturesJobThroughput.MovieGenerator(log), movies, TypeInformation.of(RawRecord.class)),
                new CountingSink(returning), new DiscardingSink<ViewingEvent>(), new DiscardingSink<>()).build(env);
        System.out.printf("features: %d users, %d + %d events (phase A within 1 day; phase B: %d returning users after %d days), "
                + "ttl %d days, %d movies, RocksDB, p=1, checkpoints every 10 s%n", users, eventsA, eventsB, returning, 8, 7, movies);
        sampler.dirs = List.of(rocks, checkpoints);
        sampler.rows = () -> String.format("eventsIn %d, featuresOut %d, tombstones %d, usersExpired %d, "
                        + "RocksDB keys (estimate) preference %s / emission %s / unknown-movie %s, live SST %s MiB; "
                        + "block cache %s/%s MiB (pinned %s), hit %s miss %s, bytes read %s MiB, L0 files %s, L1 %s, "
                        + "table readers %s MiB, memtables %s MiB",
                metric("eventsIn"), CountingSink.FEATURES.get(), CountingSink.TOMBSTONES.get(), metric("usersExpired"),
                gauge("preference", "estimate-num-keys"), gauge("emission", "estimate-num-keys"),
                gauge("unknown-movie-events", "estimate-num-keys"), mib(gauge("preference", "total-sst-files-size")),
                mib(gauge("preference", "block-cache-usage")), mib(gauge("preference", "block-cache-capacity")),
                mib(gauge("preference", "block-cache-pinned-usage")), gauge("", "block_cache_hit"),
                gauge("", "block_cache_miss"), mib(gauge("", "bytes_read")),
                gauge("preference", "num-files-at-level0"), gauge("preference", "num-files-at-level1"),
                mib(gauge("preference", "estimate-table-readers-mem")), mib(gauge("preference", "size-all-mem-tables")));
        JobExecutionResult result = env.execute("million-users-features");
        double seconds = result.getNetRuntime(TimeUnit.MILLISECONDS) / 1000.0;
        System.out.printf("features: tombstones of users who did not return %d (of %d), of returning users expired before "
                + "their return %d%n", CountingSink.TOMBSTONES_IDLE.get(), users - returning,
                CountingSink.TOMBSTONES.get() - CountingSink.TOMBSTONES_IDLE.get());
        System.out.printf("features: job net runtime %.1f s, %.0f events/s; features %d, tombstones %d; "
                        + "peak RocksDB keys (preference) %d; peak on disk: RocksDB dir %d MiB, checkpoint dir %d MiB%n",
                seconds, (eventsA + eventsB) / seconds, CountingSink.FEATURES.get(), CountingSink.TOMBSTONES.get(),
                sampler.peakKeys, sampler.peakDir.getOrDefault(rocks, 0L) >> 20, sampler.peakDir.getOrDefault(checkpoints, 0L) >> 20);
    }

    /** The synthetic log: see the class comment. Event times grow with the index. */
    static final class Log implements IndexedViewingLog {
        private static final long serialVersionUID = 1L;
        final int users;
        final long eventsA;
        final int returning;
        final long eventsB;
        final long ttl;
        final int movies;

        Log(int users, long eventsA, int returning, long eventsB, long ttl, int movies) {
            this.users = users;
            this.eventsA = eventsA;
            this.returning = returning;
            this.eventsB = eventsB;
            this.ttl = ttl;
            this.movies = movies;
        }

        @Override
        public Movie movie(long id) {
            return new Movie(id, "m" + id, 2000, GenreSet.of(Genre.values()[(int) (id % Genre.COUNT)]));
        }

        @Override
        public ViewingEvent event(long i) {
            long movie = 1 + Math.floorMod(i * 2_654_435_761L, movies);
            if (i < eventsA) {
                String user = "u" + (i % users);
                long time = T0 + i * DAY / eventsA;
                return i % 3 == 0 ? ViewingEvent.play("e" + i, user, movie, time) : ViewingEvent.complete("e" + i, user, movie, time);
            }
            long j = i - eventsA;
            String user = "u" + Math.floorMod(j * 7919, returning);
            long time = T0 + DAY + ttl + DAY + j * DAY / Math.max(1, eventsB);
            return ViewingEvent.complete("e" + i, user, movie, time);
        }
    }

    /**
     * Counts features and tombstones, and separately the tombstones of users who never return
     * ({@code u<returning>} and up), (one JVM: the MiniCluster runs in this process).
     */
    static final class CountingSink implements Sink<UserPreferenceFeatures> {
        private static final long serialVersionUID = 1L;
        static final AtomicLong FEATURES = new AtomicLong();
        static final AtomicLong TOMBSTONES = new AtomicLong();
        static final AtomicLong TOMBSTONES_IDLE = new AtomicLong();
        private final int returning;

        CountingSink(int returning) {
            this.returning = returning;
        }

        @Override
        public SinkWriter<UserPreferenceFeatures> createWriter(WriterInitContext context) {
            return new SinkWriter<>() {
                @Override
                public void write(UserPreferenceFeatures f, Context c) {
                    (f.isTombstone() ? TOMBSTONES : FEATURES).incrementAndGet();
                    if (f.isTombstone() && Integer.parseInt(f.userId().substring(1)) >= returning) {
                        TOMBSTONES_IDLE.incrementAndGet();
                    }
                }

                @Override
                public void flush(boolean endOfInput) {
                }

                @Override
                public void close() {
                }
            };
        }
    }

    /** Keeps every metric of the MiniCluster by identifier, for the sampler. */
    public static final class ReporterFactory implements MetricReporterFactory {
        static final Map<String, Metric> METRICS = new ConcurrentHashMap<>();

        @Override
        public MetricReporter createMetricReporter(Properties properties) {
            return new MetricReporter() {
                @Override
                public void open(MetricConfig config) {
                }

                @Override
                public void close() {
                }

                @Override
                public void notifyOfAddedMetric(Metric metric, String name, MetricGroup group) {
                    METRICS.put(group.getMetricIdentifier(name), metric);
                }

                @Override
                public void notifyOfRemovedMetric(Metric metric, String name, MetricGroup group) {
                    METRICS.remove(group.getMetricIdentifier(name));
                }
            };
        }
    }

    static long metric(String suffix) {
        for (Map.Entry<String, Metric> e : ReporterFactory.METRICS.entrySet()) {
            if (e.getKey().endsWith("." + suffix) && e.getValue() instanceof Counter c) {
                return c.getCount();
            }
        }
        return -1;
    }

    static long gauge(String part, String suffix) {
        for (Map.Entry<String, Metric> e : ReporterFactory.METRICS.entrySet()) {
            // part = a state name as a whole segment (the operator's own name contains "preference" too);
            // "" = a metric of the whole RocksDB instance (the statistics tickers)
            if ((part.isEmpty() || ("." + e.getKey() + ".").contains("." + part + ".")) && e.getKey().endsWith(suffix) && e.getValue() instanceof Gauge<?> g) {
                Object v = g.getValue();
                return v instanceof Number n ? n.longValue() : -1;
            }
        }
        return -1;
    }

    static String mib(long bytes) {
        return bytes < 0 ? "-" : Long.toString(bytes >> 20);
    }

    // ---------------------------------------------------------------- scoring app

    /**
     * The real {@link ScoringApp} in its own JVM (as {@code LivePipeline} starts it: {@code -Xmx768m},
     * exactly-once, the app's defaults) against an embedded broker in this JVM: the catalog, then one
     * {@code user-features} record per user, then a tombstone for every user who does not return.
     * The app's heap and store counts are read through JMX (the attach API), its RSS from /proc.
     */
    static void scoringApp(int users, int returning, Path work, Sampler sampler, Path bundle, Path data, String xmx)
            throws Exception {
        List<Movie> movies = new ArrayList<>();
        MoeTrainer.readAll(DataSets.open(data), movies, new ArrayList<>());
        Path stateDir = work.resolve("streams");
        Path gcLog = work.resolve("logs").resolve("scoring-app-gc.log");
        Files.createDirectories(gcLog.getParent());
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder().dataDir(work.resolve("kafka")).start()) {
            broker.createMoerecTopics();
            Map<String, Object> producerProps = new HashMap<>(broker.clientProperties());
            producerProps.put(ProducerConfig.LINGER_MS_CONFIG, 20);
            producerProps.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
            try (KafkaProducer<Long, Movie> p = new KafkaProducer<>(producerProps, Topics.MOVIES.keySerde().serializer(),
                    Topics.MOVIES.valueSerde().serializer())) {
                for (Movie m : movies) {
                    p.send(new ProducerRecord<>(Topics.MOVIES.name(), m.movieId(), m));
                }
            }
            int port = io.moerec.jobs.net.LoopbackPorts.free();
            List<String> args = new ArrayList<>();
            Map.of(ScoringConfig.BOOTSTRAP_SERVERS, broker.bootstrapServers(), ScoringConfig.MODEL_PATH, bundle.toString(),
                    ScoringConfig.STATE_DIR, stateDir.toString(), ScoringConfig.HTTP_PORT, Integer.toString(port))
                    .forEach((k, v) -> args.addAll(List.of("-s", k + "=" + v)));
            // -Dscoring.<key>=<value>: any key of the app, e.g. -Dscoring.rocksdb.memory-bytes=0 for Kafka Streams' own per-store memory
            System.getProperties().stringPropertyNames().stream().filter(k -> k.startsWith("scoring.")).sorted()
                    .forEach(k -> args.addAll(List.of("-s", k.substring("scoring.".length()) + "=" + System.getProperty(k))));
            List<String> jvm = new ArrayList<>(List.of("-Xmx" + xmx, "-Xlog:gc:file=" + gcLog));
            if (Boolean.getBoolean("jfr")) { // -Djfr=true: a profile of the app's first 90 s in logs/scoring-app.jfr
                jvm.add("-XX:StartFlightRecording=duration=90s,settings=profile,filename=" + gcLog.resolveSibling("scoring-app.jfr"));
            }
            jvm.addAll(List.of("-cp", ChildJvm.classpathWithout(System.getProperty("java.class.path"), "/frocksdbjni-")));
            HttpClient http = HttpClient.newHttpClient();
            try (ChildJvm app = ChildJvm.start("scoring-app", jvm, ScoringApp.class.getName(), args, Map.of(),
                    work.resolve("logs").resolve("scoring-app.log"));
                 Admin admin = Admin.create(broker.clientProperties())) {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
                while (get(http, port, "/health") != 200) {
                    if (!app.isAlive() || System.nanoTime() > deadline) {
                        throw new IllegalStateException("scoring app not healthy; its log ends:\n" + app.logTail(3000));
                    }
                    Thread.sleep(200);
                }
                ChildJmx jmx = ChildJmx.attach(app.pid());
                AppSamples samples = new AppSamples();
                sampler.dirs = List.of(stateDir);
                sampler.rows = () -> {
                    long heap = jmx.heapUsed();
                    samples.peakHeap = Math.max(samples.peakHeap, heap);
                    return String.format("app: scored %d, lag %d, heap %d MiB, RSS %s MiB (peak %s), CPU %.0f s, "
                                    + "entries (estimate-num-keys) %s", scored(http, port), lag(admin),
                            heap >> 20, kib(ProcessProbe.rssKiB(app.pid())), kib(ProcessProbe.peakRssKiB(app.pid())),
                            ProcessProbe.cpuSeconds(ProcessHandle.of(app.pid()).orElseThrow()), jmx.storeEntries());
                };
                System.out.printf("scoring-app: %d users (one features record each), then tombstones for the %d who do not "
                                + "return; bundle %s, %d catalog movies; app pid %d, -Xmx%s, exactly-once; app args %s%n",
                        users, users - returning, bundle, movies.size(), app.pid(), xmx, args);

                // Phase 1: every user once.
                Random r = new Random(7);
                long[] ids = movies.stream().mapToLong(Movie::movieId).toArray();
                long start = System.nanoTime();
                try (KafkaProducer<String, UserPreferenceFeatures> p = new KafkaProducer<>(producerProps,
                        Topics.USER_FEATURES.keySerde().serializer(), Topics.USER_FEATURES.valueSerde().serializer())) {
                    for (int u = 0; u < users; u++) {
                        String user = "u" + u;
                        double[] affinity = new double[Genre.COUNT];
                        affinity[r.nextInt(Genre.COUNT)] = 1 + r.nextDouble();
                        affinity[r.nextInt(Genre.COUNT)] += r.nextDouble();
                        long[] recent = {ids[r.nextInt(ids.length)], ids[r.nextInt(ids.length)], ids[r.nextInt(ids.length)]};
                        long[] counts = new long[EventType.COUNT];
                        counts[EventType.COMPLETE.ordinal()] = 3;
                        long t = T0 + u;
                        p.send(new ProducerRecord<>(Topics.USER_FEATURES.name(), null, t, user,
                                new UserPreferenceFeatures(user, t, 3, affinity, 3.0, t, recent,
                                        java.util.Arrays.stream(recent).sorted().distinct().toArray(), counts, "e" + u, t)));
                    }
                }
                double produced = (System.nanoTime() - start) / 1e9;
                awaitCaughtUp(admin, app, http, port, users);
                double loadSeconds = (System.nanoTime() - start) / 1e9;
                int lookedUp = get(http, port, "/users/u" + (users - 1) + "/recommendations");
                String loadFigures = samples.phase("after load", jmx, app, gcLog, stateDir);
                System.out.printf("scoring-app: %d users scored in %.0f s = %.0f users/s end to end (produced in %.0f s); "
                        + "GET u%d -> %d; %s%n", scored(http, port), loadSeconds, users / loadSeconds, produced, users - 1,
                        lookedUp, loadFigures);

                // Phase 2: tombstones for the users who do not return.
                start = System.nanoTime();
                try (KafkaProducer<String, UserPreferenceFeatures> p = new KafkaProducer<>(producerProps,
                        Topics.USER_FEATURES.keySerde().serializer(), Topics.USER_FEATURES.valueSerde().serializer())) {
                    for (int u = returning; u < users; u++) {
                        p.send(new ProducerRecord<String, UserPreferenceFeatures>(Topics.USER_FEATURES.name(), null, (Long) (T0 + users + u), "u" + u, null));
                    }
                }
                awaitCaughtUp(admin, app, http, port, -1);
                double tombSeconds = (System.nanoTime() - start) / 1e9;
                String tombFigures = samples.phase("after tombstones", jmx, app, gcLog, stateDir);
                System.out.printf("scoring-app: %d tombstones in %.0f s = %.0f/s; GET u%d (tombstoned) -> %d, GET u0 (kept) -> %d; %s%n",
                        users - returning, tombSeconds, (users - returning) / tombSeconds, users - 1,
                        get(http, port, "/users/u" + (users - 1) + "/recommendations"), get(http, port, "/users/u0/recommendations"),
                        tombFigures);
                jmx.close();
            }
            // The app has stopped (closed cleanly): count the stores' keys exactly, since RocksDB's
            // estimate-num-keys misjudges after mass deletes (it subtracts each delete twice).
            System.out.printf("scoring-app: exact entries after the tombstones, app stopped: %s%n", exactEntries(stateDir));
        }
    }

    /** Keys per store over every task's RocksDB under {@code stateDir} (opened read-only, all column families). */
    static Map<String, Long> exactEntries(Path stateDir) throws Exception {
        org.rocksdb.RocksDB.loadLibrary();
        Map<String, Long> counts = new java.util.TreeMap<>();
        List<Path> stores;
        try (Stream<Path> dirs = Files.walk(stateDir)) {
            stores = dirs.filter(d -> d.getParent() != null && d.getParent().getFileName().toString().equals("rocksdb")
                    && Files.exists(d.resolve("CURRENT"))).toList();
        }
        for (Path store : stores) {
            try (org.rocksdb.Options options = new org.rocksdb.Options()) {
                List<byte[]> names = org.rocksdb.RocksDB.listColumnFamilies(options, store.toString());
                List<org.rocksdb.ColumnFamilyDescriptor> descriptors = names.stream()
                        .map(org.rocksdb.ColumnFamilyDescriptor::new).toList();
                List<org.rocksdb.ColumnFamilyHandle> handles = new ArrayList<>();
                try (org.rocksdb.DBOptions dbOptions = new org.rocksdb.DBOptions();
                     org.rocksdb.RocksDB db = org.rocksdb.RocksDB.openReadOnly(dbOptions, store.toString(), descriptors, handles)) {
                    long n = 0;
                    for (org.rocksdb.ColumnFamilyHandle h : handles) {
                        try (org.rocksdb.RocksIterator it = db.newIterator(h)) {
                            for (it.seekToFirst(); it.isValid(); it.next()) {
                                n++;
                            }
                        }
                    }
                    handles.forEach(org.rocksdb.ColumnFamilyHandle::close);
                    counts.merge(store.getFileName().toString(), n, Long::sum);
                }
            }
        }
        return counts;
    }

    /** Waits until the app has committed everything on user-features (and, if {@code scored} >= 0, scored that many). */
    static void awaitCaughtUp(Admin admin, ChildJvm app, HttpClient http, int port, long scored) throws Exception {
        while (lag(admin) != 0 || (scored >= 0 && scored(http, port) < scored)) {
            if (!app.isAlive()) {
                throw new IllegalStateException("scoring app died; its log ends:\n" + app.logTail(3000));
            }
            Thread.sleep(250);
        }
    }

    /** The app's consumer-group lag on user-features against the read_committed end offsets; -1 before its first commit. */
    static long lag(Admin admin) {
        try {
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets("moerec-scoring")
                    .partitionsToOffsetAndMetadata().get();
            Map<TopicPartition, OffsetSpec> ends = new HashMap<>();
            admin.describeTopics(List.of(Topics.USER_FEATURES.name())).allTopicNames().get().get(Topics.USER_FEATURES.name())
                    .partitions().forEach(p -> ends.put(new TopicPartition(Topics.USER_FEATURES.name(), p.partition()), OffsetSpec.latest()));
            long lag = 0;
            for (var e : admin.listOffsets(ends, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all().get().entrySet()) {
                OffsetAndMetadata c = committed.get(e.getKey());
                if (c == null && e.getValue().offset() > 0) {
                    return -1;
                }
                lag += c == null ? 0 : Math.max(0, e.getValue().offset() - c.offset());
            }
            return lag;
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    static int get(HttpClient http, int port, String path) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    static long scored(HttpClient http, int port) {
        try {
            String body = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            for (String line : body.split("\n")) {
                if (line.startsWith("moerec_events_scored_total ")) {
                    return (long) Double.parseDouble(line.substring(line.indexOf(' ') + 1).trim());
                }
            }
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return -1;
    }

    static String kib(java.util.OptionalLong k) {
        return k.isPresent() ? Long.toString(k.getAsLong() >> 10) : "-";
    }

    /** Heap and RSS figures of the app per phase; GC pauses from its -Xlog:gc file. */
    static final class AppSamples {
        volatile long peakHeap;

        String phase(String name, ChildJmx jmx, ChildJvm app, Path gcLog, Path stateDir) throws IOException {
            long beforeGc = jmx.heapUsed();
            String entries = jmx.storeEntries();
            jmx.gc();
            long afterGc = jmx.heapUsed();
            long maxBefore = 0;
            long maxAfter = 0;
            int pauses = 0;
            java.util.regex.Pattern gc = java.util.regex.Pattern.compile("(\\d+)M->(\\d+)M\\((\\d+)M\\)");
            for (String line : Files.readAllLines(gcLog)) {
                java.util.regex.Matcher m = gc.matcher(line);
                if (m.find()) {
                    pauses++;
                    maxBefore = Math.max(maxBefore, Long.parseLong(m.group(1)));
                    maxAfter = Math.max(maxAfter, Long.parseLong(m.group(2)));
                }
            }
            return String.format("%s: heap used %d MiB, after a full GC %d MiB; GC log so far: %d collections, "
                            + "peak heap before a GC %d MiB, largest heap after a GC %d MiB, sampled peak %d MiB; RSS %s MiB, "
                            + "peak RSS (VmHWM) %s MiB; state.dir %d MiB; store entries (estimate-num-keys) %s",
                    name, beforeGc >> 20, afterGc >> 20, pauses, maxBefore, maxAfter, peakHeap >> 20,
                    kib(ProcessProbe.rssKiB(app.pid())), kib(ProcessProbe.peakRssKiB(app.pid())), size(stateDir) >> 20, entries);
        }
    }

    /** The child's platform MBeans and Kafka Streams metrics through the attach API (no port, same user). */
    static final class ChildJmx implements AutoCloseable {
        private final JMXConnector connector;
        private final MBeanServerConnection mbeans;
        private final MemoryMXBean memory;

        private ChildJmx(JMXConnector connector) throws IOException {
            this.connector = connector;
            this.mbeans = connector.getMBeanServerConnection();
            this.memory = ManagementFactory.newPlatformMXBeanProxy(mbeans, ManagementFactory.MEMORY_MXBEAN_NAME, MemoryMXBean.class);
        }

        static ChildJmx attach(long pid) throws Exception {
            com.sun.tools.attach.VirtualMachine vm = com.sun.tools.attach.VirtualMachine.attach(Long.toString(pid));
            try {
                String address = vm.startLocalManagementAgent();
                return new ChildJmx(JMXConnectorFactory.connect(new JMXServiceURL(address)));
            } finally {
                vm.detach();
            }
        }

        long heapUsed() {
            try {
                return memory.getHeapMemoryUsage().getUsed();
            } catch (RuntimeException e) {
                return -1;
            }
        }

        void gc() {
            memory.gc();
        }

        /** estimate-num-keys of each RocksDB store of the app, summed over tasks: "last-lists=… router-state=…". */
        String storeEntries() {
            try {
                Map<String, Long> sums = new java.util.TreeMap<>();
                for (ObjectName n : mbeans.queryNames(new ObjectName("kafka.streams:type=stream-state-metrics,*"), null)) {
                    String store = n.getKeyProperty("rocksdb-state-id");
                    if (store == null) {
                        continue;
                    }
                    Object v;
                    try {
                        v = mbeans.getAttribute(n, "estimate-num-keys");
                    } catch (javax.management.AttributeNotFoundException e) {
                        continue;
                    }
                    if (v instanceof Number num) {
                        sums.merge(store, num.longValue(), Long::sum);
                    }
                }
                return sums.toString();
            } catch (Exception e) {
                return "(" + e + ")";
            }
        }

        @Override
        public void close() throws IOException {
            connector.close();
        }
    }

    // ---------------------------------------------------------------- measuring

    static final class Sampler implements Runnable {
        volatile boolean running = true;
        volatile long peakHeap;
        volatile long peakKeys;
        volatile List<Path> dirs = List.of();
        volatile java.util.function.Supplier<String> rows = () -> "";
        final Map<Path, Long> peakDir = new ConcurrentHashMap<>();
        private Thread thread;
        private final long start = System.nanoTime();

        void start() {
            thread = new Thread(this, "million-users-sampler");
            thread.setDaemon(true);
            thread.start();
        }

        void stop() throws InterruptedException {
            running = false;
            thread.join();
            print();
        }

        @Override
        public void run() {
            int tick = 0;
            while (running) {
                peakHeap = Math.max(peakHeap, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
                if (tick++ % 50 == 0) {
                    print();
                }
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        private void print() {
            StringBuilder b = new StringBuilder();
            for (Path d : dirs) {
                long sz = size(d);
                peakDir.merge(d, sz, Math::max);
                b.append(d.getFileName()).append(' ').append(sz >> 20).append(" MiB, ");
            }
            long keys = gauge("preference", "estimate-num-keys");
            peakKeys = Math.max(peakKeys, keys);
            String row;
            try {
                row = rows.get();
            } catch (RuntimeException e) {
                row = "(" + e.getClass().getSimpleName() + ")";
            }
            System.out.printf("  t=%4.0fs heap %4d MiB (peak %4d), %s%s%n", (System.nanoTime() - start) / 1e9,
                    ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() >> 20, peakHeap >> 20, b, row);
        }
    }

    static long size(Path dir) {
        if (!Files.exists(dir)) {
            return 0;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).mapToLong(p -> {
                try {
                    return Files.size(p);
                } catch (IOException e) {
                    return 0; // deleted meanwhile
                }
            }).sum();
        } catch (IOException | java.io.UncheckedIOException e) {
            return -1;
        }
    }

    /** This JVM's resident set now and at its peak ({@code VmRSS}, {@code VmHWM}), in MiB. */
    static String procStatus() {
        long pid = ProcessHandle.current().pid();
        return "RSS " + kib(ProcessProbe.rssKiB(pid)) + " MiB, peak RSS " + kib(ProcessProbe.peakRssKiB(pid)) + " MiB";
    }

}
