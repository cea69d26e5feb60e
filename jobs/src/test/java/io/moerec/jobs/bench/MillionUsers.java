package io.moerec.jobs.bench;

import io.moerec.features.FeatureConfig;
import io.moerec.features.flink.FeaturesPipeline;
import io.moerec.features.flink.FeaturesPipelineConfig;
import io.moerec.features.flink.FlinkSettings;
import io.moerec.features.flink.RawRecord;
import io.moerec.ingest.domain.EventType;
import io.moerec.ingest.domain.Genre;
import io.moerec.ingest.domain.GenreSet;
import io.moerec.ingest.domain.Movie;
import io.moerec.ingest.domain.UserPreferenceFeatures;
import io.moerec.ingest.domain.ViewingEvent;
import io.moerec.ingest.json.MovieCodec;
import io.moerec.ingest.json.ViewingEventCodec;
import io.moerec.ingest.source.DataSets;
import io.moerec.ingest.topic.Topics;
import io.moerec.jobs.files.Directories;
import io.moerec.jobs.scoring.CatalogView;
import io.moerec.jobs.scoring.ModelHolder;
import io.moerec.jobs.scoring.ScoringConfig;
import io.moerec.jobs.scoring.ScoringMetrics;
import io.moerec.jobs.scoring.ScoringTopology;
import io.moerec.moe.bundle.ModelBundle;
import io.moerec.moe.train.MoeTrainer;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
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
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.connector.datagen.source.GeneratorFunction;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricConfig;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.reporter.MetricReporter;
import org.apache.flink.metrics.reporter.MetricReporterFactory;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * One million distinct users through the features job (RocksDB, MiniCluster, in-memory generator
 * sources, checkpoints on) and through the scoring topology's RocksDB stores (TopologyTestDriver:
 * the real topology and stores, no broker). A benchmark command in test scope, not a test; each
 * stage in its own JVM so that heap and RSS are that stage's (see jobs/BENCH.md for the command).
 *
 * <p>The log: phase A gives every user {@code u0 … u(N-1)} at least one event ({@code events}
 * events, user = index mod N) within one day of event time; phase B, after a gap longer than the
 * TTL, gives {@code returning} users more events. The watermark of phase B passes every phase-A
 * user's expiry, so the TTL expires the users who did not return, each with one tombstone.
 * The scoring stage replays the same shape: one features record per user, then a tombstone for
 * every user who did not return.
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
        Path work = Files.createDirectories(Path.of(a.getOrDefault("work", "/tmp/moerec-million")).resolve(stage));
        Directories.deleteRecursively(work);
        Files.createDirectories(work);
        Sampler sampler = new Sampler();
        sampler.start();
        long t0 = System.nanoTime();
        if (stage.equals("features")) {
            features(users, events, returning, eventsB, work, sampler, Integer.parseInt(a.getOrDefault("movies", "5000")));
        } else {
            scoring(users, returning, work, sampler, Path.of(a.get("bundle")), Path.of(a.get("data")));
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
        conf.setString("taskmanager.memory.managed.size", System.getProperty("managed", "256m"));
        conf.setString("state.backend.rocksdb.metrics.estimate-num-keys", "true");
        conf.setString("state.backend.rocksdb.metrics.total-sst-files-size", "true");
        conf.setString("metrics.reporter.million.factory.class", ReporterFactory.class.getName());
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(1);
        Log log = new Log(users, eventsA, returning, eventsB, ttl, movies);
        new FeaturesPipeline(config,
                new DataGeneratorSource<>(new EventGen(log), eventsA + eventsB, TypeInformation.of(RawRecord.class)),
                new DataGeneratorSource<>(new MovieGen(movies), movies, TypeInformation.of(RawRecord.class)),
                new CountingSink(), new DiscardingSink<ViewingEvent>(), new DiscardingSink<>()).build(env);
        System.out.printf("features: %d users, %d + %d events (phase A within 1 day; phase B: %d returning users after %d days), "
                + "ttl %d days, %d movies, RocksDB, p=1, checkpoints every 10 s%n", users, eventsA, eventsB, returning, 8, 7, movies);
        sampler.dirs = List.of(rocks, checkpoints);
        sampler.rows = () -> String.format("eventsIn %d, featuresOut %d, tombstones %d, usersExpired %d, "
                        + "RocksDB keys (estimate) preference %s / emission %s / unknown-movie %s, live SST %s MiB",
                metric("eventsIn"), CountingSink.FEATURES.get(), CountingSink.TOMBSTONES.get(), metric("usersExpired"),
                gauge("preference", "estimate-num-keys"), gauge("emission", "estimate-num-keys"),
                gauge("unknown-movie-events", "estimate-num-keys"), mib(gauge("preference", "total-sst-files-size")));
        JobExecutionResult result = env.execute("million-users-features");
        double seconds = result.getNetRuntime(TimeUnit.MILLISECONDS) / 1000.0;
        System.out.printf("features: job net runtime %.1f s, %.0f events/s; features %d, tombstones %d; "
                        + "peak RocksDB keys (preference) %d; peak on disk: RocksDB dir %d MiB, checkpoint dir %d MiB%n",
                seconds, (eventsA + eventsB) / seconds, CountingSink.FEATURES.get(), CountingSink.TOMBSTONES.get(),
                sampler.peakKeys, sampler.peakDir.get(rocks) >> 20, sampler.peakDir.get(checkpoints) >> 20);
    }

    /** The synthetic log: see the class comment. Event times grow with the index. */
    static final class Log implements java.io.Serializable {
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

        ViewingEvent event(long i) {
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

    static final class EventGen implements GeneratorFunction<Long, RawRecord> {
        private static final long serialVersionUID = 1L;
        private final Log log;
        private transient ViewingEventCodec codec;

        EventGen(Log log) {
            this.log = log;
        }

        @Override
        public RawRecord map(Long i) {
            if (codec == null) {
                codec = new ViewingEventCodec();
            }
            ViewingEvent e = log.event(i);
            return new RawRecord(e.userId().getBytes(StandardCharsets.UTF_8), codec.encode(e), "viewing-events", 0, i);
        }
    }

    static final class MovieGen implements GeneratorFunction<Long, RawRecord> {
        private static final long serialVersionUID = 1L;
        private final int movies;
        private transient MovieCodec codec;

        MovieGen(int movies) {
            this.movies = movies;
        }

        @Override
        public RawRecord map(Long i) {
            if (codec == null) {
                codec = new MovieCodec();
            }
            long id = i + 1;
            Movie m = new Movie(id, "m" + id, 2000, GenreSet.of(Genre.values()[(int) (id % Genre.COUNT)]));
            return new RawRecord(Long.toString(id).getBytes(StandardCharsets.US_ASCII), codec.encode(m), "movies", 0, i);
        }
    }

    /** Counts features and tombstones (one JVM: the MiniCluster runs in this process). */
    static final class CountingSink implements Sink<UserPreferenceFeatures> {
        private static final long serialVersionUID = 1L;
        static final AtomicLong FEATURES = new AtomicLong();
        static final AtomicLong TOMBSTONES = new AtomicLong();

        @Override
        public SinkWriter<UserPreferenceFeatures> createWriter(WriterInitContext context) {
            return new SinkWriter<>() {
                @Override
                public void write(UserPreferenceFeatures f, Context c) {
                    (f.isTombstone() ? TOMBSTONES : FEATURES).incrementAndGet();
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
            // part = a state name as a whole segment (the operator's own name contains "preference" too)
            if (("." + e.getKey() + ".").contains("." + part + ".") && e.getKey().endsWith(suffix) && e.getValue() instanceof Gauge<?> g) {
                Object v = g.getValue();
                return v instanceof Number n ? n.longValue() : -1;
            }
        }
        return -1;
    }

    static String mib(long bytes) {
        return bytes < 0 ? "-" : Long.toString(bytes >> 20);
    }

    // ---------------------------------------------------------------- scoring stores

    static void scoring(int users, int returning, Path work, Sampler sampler, Path bundle, Path data) throws Exception {
        List<Movie> movies = new ArrayList<>();
        MoeTrainer.readAll(DataSets.open(data), movies, new ArrayList<>());
        Path stateDir = Files.createDirectories(work.resolve("streams"));
        Map<String, String> s = new HashMap<>(Map.of(ScoringConfig.BOOTSTRAP_SERVERS, "unused:9092",
                ScoringConfig.MODEL_PATH, bundle.toString(), ScoringConfig.STATE_DIR, stateDir.toString(),
                ScoringConfig.HTTP_PORT, "0", ScoringConfig.MODEL_WATCH_TOPIC, "false"));
        ScoringConfig config = ScoringConfig.fromMap(s);
        ModelHolder holder = new ModelHolder(ModelBundle.load(bundle));
        ScoringMetrics metrics = new ScoringMetrics();
        sampler.dirs = List.of(stateDir);
        System.out.printf("scoring: %d users (one features record each), then tombstones for the %d who do not return; "
                + "model %s, %d catalog movies, TopologyTestDriver with the app's RocksDB stores in %s%n",
                users, users - returning, holder.current().version(), movies.size(), stateDir);
        try (TopologyTestDriver driver = new TopologyTestDriver(
                ScoringTopology.buildTopology(config, holder, metrics, new CatalogView(), System::currentTimeMillis),
                config.streamsProperties(0))) {
            TestInputTopic<Long, Movie> catalog = driver.createInputTopic(config.moviesTopic(),
                    Topics.MOVIES.keySerde().serializer(), Topics.MOVIES.valueSerde().serializer());
            for (Movie m : movies) {
                catalog.pipeInput(m.movieId(), m);
            }
            TestInputTopic<String, UserPreferenceFeatures> in = driver.createInputTopic(config.featuresTopic(),
                    Topics.USER_FEATURES.keySerde().serializer(), Topics.USER_FEATURES.valueSerde().serializer());
            // The driver keeps everything produced (lists and changelogs) in memory until read: drain it.
            List<TestOutputTopic<byte[], byte[]>> outputs = new ArrayList<>();
            for (String t : List.of(config.recommendationsTopic(), changelog(config, ScoringTopology.WATCHED_STORE),
                    changelog(config, ScoringTopology.LISTS_STORE), changelog(config, ScoringTopology.ROUTER_STORE))) {
                outputs.add(driver.createOutputTopic(t, new ByteArrayDeserializer(), new ByteArrayDeserializer()));
            }
            KeyValueStore<String, long[]> watched = driver.getKeyValueStore(ScoringTopology.WATCHED_STORE);
            KeyValueStore<String, ?> lists = driver.getKeyValueStore(ScoringTopology.LISTS_STORE);
            sampler.rows = () -> String.format("scored %d, watched ~%d, last-lists ~%d",
                    metrics.eventsScored(), watched.approximateNumEntries(), lists.approximateNumEntries());
            Random r = new Random(7);
            long[] ids = movies.stream().mapToLong(Movie::movieId).toArray();
            long start = System.nanoTime();
            long drained = 0;
            for (int u = 0; u < users; u++) {
                String user = "u" + u;
                double[] affinity = new double[Genre.COUNT];
                affinity[r.nextInt(Genre.COUNT)] = 1 + r.nextDouble();
                affinity[r.nextInt(Genre.COUNT)] += r.nextDouble();
                long[] recent = {ids[r.nextInt(ids.length)], ids[r.nextInt(ids.length)], ids[r.nextInt(ids.length)]};
                long[] counts = new long[EventType.COUNT];
                counts[EventType.COMPLETE.ordinal()] = 3;
                long t = T0 + u;
                in.pipeInput(user, new UserPreferenceFeatures(user, t, 1, affinity, 3.0, t, recent, counts, "e" + u, t), t);
                if (u % 5000 == 4999) {
                    drained += drain(outputs);
                }
            }
            drained += drain(outputs);
            double scoreSeconds = (System.nanoTime() - start) / 1e9;
            long dirAfterLoad = size(stateDir);
            long watchedBefore = watched.approximateNumEntries();
            long listsBefore = lists.approximateNumEntries();
            System.out.printf("scoring: %d users scored in %.0f s (%.0f users/s, synchronous, no broker); state.dir %d MiB; "
                            + "watched ~%d, last-lists ~%d entries (approximateNumEntries)%n",
                    metrics.eventsScored(), scoreSeconds, users / scoreSeconds, dirAfterLoad >> 20, watchedBefore, listsBefore);
            start = System.nanoTime();
            for (int u = returning; u < users; u++) {
                in.pipeInput("u" + u, null, T0 + users + u);
                if (u % 5000 == 4999) {
                    drained += drain(outputs);
                }
            }
            drained += drain(outputs);
            double tombSeconds = (System.nanoTime() - start) / 1e9;
            long exact = 0;
            try (var it = watched.all()) {
                while (it.hasNext()) {
                    it.next();
                    exact++;
                }
            }
            System.out.printf("scoring: %d tombstones in %.0f s; watched ~%d (exact %d), last-lists ~%d entries after; "
                            + "state.dir %d MiB after (peak %d MiB); %d produced records drained%n",
                    users - returning, tombSeconds, watched.approximateNumEntries(), exact, lists.approximateNumEntries(),
                    size(stateDir) >> 20, sampler.peakDir.getOrDefault(stateDir, 0L) >> 20, drained);
        }
    }

    static String changelog(ScoringConfig config, String store) {
        return config.applicationId() + "-" + store + "-changelog";
    }

    static long drain(List<TestOutputTopic<byte[], byte[]>> outputs) {
        long n = 0;
        for (TestOutputTopic<byte[], byte[]> o : outputs) {
            n += o.readRecordsToList().size();
        }
        return n;
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

    static String procStatus() {
        try {
            StringBuilder b = new StringBuilder();
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM") || line.startsWith("VmRSS")) {
                    b.append(line.replaceAll("\\s+", " ")).append("; ");
                }
            }
            return b.toString();
        } catch (IOException e) {
            return "no /proc/self/status";
        }
    }

}
