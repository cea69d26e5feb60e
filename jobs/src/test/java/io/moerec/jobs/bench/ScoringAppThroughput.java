package io.moerec.jobs.bench;

import io.moerec.features.FeatureConfig;
import io.moerec.features.PreferenceFeatureLogic;
import io.moerec.ingest.datasets.DataSets;
import io.moerec.ingest.domain.ModelAnnouncement;
import io.moerec.ingest.domain.Movie;
import io.moerec.ingest.domain.RecommendationList;
import io.moerec.ingest.domain.UserPreferenceFeatures;
import io.moerec.ingest.domain.ViewingEvent;
import io.moerec.ingest.topic.Topic;
import io.moerec.ingest.topic.Topics;
import io.moerec.jobs.broker.EmbeddedKafkaBroker;
import io.moerec.moe.MoeModel;
import io.moerec.moe.bundle.ModelBundle;
import io.moerec.moe.streams.ScoringApp;
import io.moerec.moe.streams.ScoringConfig;
import io.moerec.moe.train.MoeTrainer;
import io.moerec.moe.TrainingConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Measures the scoring app end to end on the embedded broker: a data set's events are replayed through
 * the feature logic into feature updates, produced to a fresh {@code user-features} topic as a backlog,
 * and the app (exactly-once, no coalescing) scores them; reported per stream-thread count are lists
 * per second (first to last list read back, committed) and the per-user scoring latency p50/p99 from
 * {@link io.moerec.moe.streams.ScoringMetrics}. A benchmark in test scope, not a test: {@code java -cp
 * <jobs test class path without frocksdbjni> io.moerec.jobs.bench.ScoringAppThroughput --data DIR
 * [--bundle DIR] [--updates N] [--threads 1,2]}.
 */
@Command(name = "ScoringAppThroughput", mixinStandardHelpOptions = true,
        description = "Lists/s and per-user scoring latency of the Kafka Streams scoring app on the embedded broker.")
public final class ScoringAppThroughput implements Callable<Integer> {

    private static final Logger LOG = LoggerFactory.getLogger(ScoringAppThroughput.class);

    @Option(names = "--data", required = true, description = "a data set directory (e.g. ml-latest-small)")
    Path data;

    @Option(names = "--bundle", description = "a model bundle; without it a model is trained on --data and saved in --work-dir")
    Path bundle;

    @Option(names = "--work-dir", description = "where state and a trained bundle go (default: a temporary directory)")
    Path workDir;

    @Option(names = "--updates", defaultValue = "20000", description = "feature updates to score per run (default: ${DEFAULT-VALUE})")
    int updates;

    @Option(names = "--threads", split = ",", defaultValue = "1,2", description = "stream thread counts, one run each (default: ${DEFAULT-VALUE})")
    List<Integer> threads;

    @Option(names = "--router", defaultValue = "softmax", description = "softmax, balanced, eigen or dense (default: ${DEFAULT-VALUE})")
    String router;

    public static void main(String[] args) {
        if (!SLF4JBridgeHandler.isInstalled()) {
            SLF4JBridgeHandler.removeHandlersForRootLogger();
            SLF4JBridgeHandler.install();
        }
        System.exit(new CommandLine(new ScoringAppThroughput()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        Path work = workDir != null ? Files.createDirectories(workDir) : Files.createTempDirectory("moerec-scoring-bench");
        List<Movie> movies = new ArrayList<>();
        List<ViewingEvent> events = new ArrayList<>();
        MoeTrainer.readAll(DataSets.open(data), movies, events);
        Path bundleDir = bundle;
        if (bundleDir == null) {
            long t0 = System.nanoTime();
            MoeModel trained = MoeTrainer.train(data.toString(), movies, events, TrainingConfig.defaults());
            bundleDir = work.resolve("bundle");
            ModelBundle.save(trained, bundleDir);
            LOG.info("trained and saved {} in {} s", trained.version(), (System.nanoTime() - t0) / 1_000_000_000);
        }
        List<UserPreferenceFeatures> updatesList = featureUpdates(movies, events, updates);
        PrintTable table = new PrintTable();
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start()) {
            for (int n : threads) {
                table.add(run(broker, work, bundleDir, movies, updatesList, n));
            }
        }
        System.out.println(table);
        return 0;
    }

    /** The first {@code limit} feature updates of the log in event-time order, as the features job would emit them. */
    static List<UserPreferenceFeatures> featureUpdates(List<Movie> movies, List<ViewingEvent> events, int limit) {
        Map<Long, Movie> byId = new HashMap<>();
        movies.forEach(m -> byId.put(m.movieId(), m));
        List<ViewingEvent> sorted = new ArrayList<>(events);
        sorted.sort(Comparator.comparingLong(ViewingEvent::eventTime).thenComparing(ViewingEvent::eventId));
        List<UserPreferenceFeatures> out = new ArrayList<>(limit);
        new PreferenceFeatureLogic(FeatureConfig.defaults()).replay(sorted.subList(0, Math.min(sorted.size(), limit)),
                byId::get, out::add);
        return out;
    }

    private record Result(int threads, int lists, double seconds, long p50Nanos, long p99Nanos, long produceMs) {
    }

    private Result run(EmbeddedKafkaBroker broker, Path work, Path bundleDir, List<Movie> movies,
                       List<UserPreferenceFeatures> updatesList, int n) throws Exception {
        String suffix = "-bench-" + n + "-" + System.nanoTime();
        Topic<String, UserPreferenceFeatures> features = Topics.USER_FEATURES.withName("user-features" + suffix);
        Topic<Long, Movie> catalog = Topics.MOVIES.withName("movies" + suffix);
        Topic<String, RecommendationList> recs = Topics.RECOMMENDATIONS.withName("recommendations" + suffix);
        Topic<String, ModelAnnouncement> models = Topics.MODELS.withName("models" + suffix);
        broker.createTopics(List.of(features, catalog, recs, models, Topics.VIEWING_EVENTS_DLQ.withName("dlq" + suffix)));
        long p0 = System.nanoTime();
        try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(producerProps(broker), new ByteArraySerializer(), new ByteArraySerializer())) {
            List<Future<?>> sent = new ArrayList<>();
            for (Movie m : movies) {
                sent.add(p.send(new ProducerRecord<>(catalog.name(), catalog.keySerde().serializer().serialize(catalog.name(), m.movieId()),
                        catalog.valueSerde().serializer().serialize(catalog.name(), m))));
            }
            for (UserPreferenceFeatures f : updatesList) {
                sent.add(p.send(new ProducerRecord<>(features.name(), features.keySerde().serializer().serialize(features.name(), f.userId()),
                        features.valueSerde().serializer().serialize(features.name(), f))));
            }
            for (Future<?> f : sent) {
                f.get(); // every send is checked: a lost record would inflate lists/s
            }
        }
        long produceMs = (System.nanoTime() - p0) / 1_000_000;
        Map<String, String> s = new HashMap<>();
        s.put(ScoringConfig.BOOTSTRAP_SERVERS, broker.bootstrapServers());
        s.put(ScoringConfig.APPLICATION_ID, "scoring" + suffix);
        s.put(ScoringConfig.MODEL_PATH, bundleDir.toString());
        s.put(ScoringConfig.TOPIC_FEATURES, features.name());
        s.put(ScoringConfig.TOPIC_MOVIES, catalog.name());
        s.put(ScoringConfig.TOPIC_RECOMMENDATIONS, recs.name());
        s.put(ScoringConfig.TOPIC_MODELS, models.name());
        s.put(ScoringConfig.TOPIC_DLQ, "dlq" + suffix);
        s.put(ScoringConfig.STREAM_THREADS, Integer.toString(n));
        s.put(ScoringConfig.ROUTER, router);
        s.put(ScoringConfig.STATE_DIR, work.resolve("state" + suffix).toString());
        s.put(ScoringConfig.HTTP_PORT, "0");
        s.put("streams.replication.factor", "1");
        try (ScoringApp app = new ScoringApp(ScoringConfig.fromMap(s)).start();
             KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(consumerProps(broker), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> parts = c.partitionsFor(recs.name()).stream().map(i -> new TopicPartition(recs.name(), i.partition())).toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            int read = 0;
            long first = 0;
            long last = 0;
            long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
            // Done when every update was scored and every published list (and deletion) has been read back.
            while (app.metrics().eventsScored() < updatesList.size()
                    || read < app.metrics().listsPublished() + app.metrics().listsDeleted()) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("scored " + app.metrics().eventsScored() + " of " + updatesList.size() + " in 10 minutes");
                }
                int got = c.poll(Duration.ofMillis(200)).count();
                if (got > 0) {
                    long now = System.nanoTime();
                    first = first == 0 ? now : first;
                    last = now;
                    read += got;
                }
            }
            double seconds = (last - first) / 1e9;
            return new Result(n, read, seconds, app.metrics().latencyNanosAt(50), app.metrics().latencyNanosAt(99), produceMs);
        }
    }

    private static Properties producerProps(EmbeddedKafkaBroker broker) {
        Properties p = new Properties();
        p.put("bootstrap.servers", broker.bootstrapServers());
        p.put("acks", "all");
        p.put("linger.ms", "5");
        return p;
    }

    private static Properties consumerProps(EmbeddedKafkaBroker broker) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000");
        return p;
    }

    /** The report: one Markdown row per run. */
    private static final class PrintTable {
        private final StringBuilder b = new StringBuilder(
                "| stream threads | lists published | lists/s (first to last list) | scoring p50 | scoring p99 | backlog produced in |\n"
                        + "|---|---|---|---|---|---|\n");

        void add(Result r) {
            b.append(String.format(Locale.ROOT, "| %d | %,d | %,.0f | %.0f µs | %.0f µs | %,d ms |%n", r.threads(), r.lists(),
                    r.lists() / Math.max(r.seconds(), 1e-9), r.p50Nanos() / 1e3, r.p99Nanos() / 1e3, r.produceMs()));
        }

        @Override
        public String toString() {
            return b.toString();
        }
    }
}
