package io.moerec.moe.streams;

import io.moerec.ingest.domain.EventType;
import io.moerec.ingest.domain.Genre;
import io.moerec.ingest.domain.Movie;
import io.moerec.ingest.domain.UserPreferenceFeatures;
import io.moerec.ingest.domain.ViewingEvent;
import io.moerec.ingest.generate.GeneratorConfig;
import io.moerec.ingest.generate.SyntheticDataGenerator;
import io.moerec.ingest.files.Directories;
import io.moerec.ingest.topic.Topic;
import io.moerec.moe.MoeModel;
import io.moerec.moe.bundle.ModelBundle;
import io.moerec.moe.train.MoeTrainer;
import io.moerec.moe.TrainingConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.bridge.SLF4JBridgeHandler;

/**
 * Two tiny models trained on one small generated world (different seeds, so different versions),
 * saved as bundles once per test JVM, helpers that build feature updates, and the app's settings and
 * byte-level Kafka clients for its tests on a real broker.
 */
final class ScoringFixtures {

    static final long T0 = 1_704_067_200_000L;

    private static List<Movie> catalog;
    private static Path bundleA;
    private static Path bundleB;

    private ScoringFixtures() {
    }

    static synchronized void ensure() {
        if (catalog != null) {
            return;
        }
        if (!SLF4JBridgeHandler.isInstalled()) {
            SLF4JBridgeHandler.removeHandlersForRootLogger();
            SLF4JBridgeHandler.install();
        }
        SyntheticDataGenerator gen = new SyntheticDataGenerator(GeneratorConfig.builder().seed(7).users(120).movies(150)
                .targetEvents(6_000).build());
        List<Movie> movies = new ArrayList<>();
        List<ViewingEvent> events = new ArrayList<>();
        gen.generate(movies::add, events::add);
        try {
            Path dir = Files.createTempDirectory("moerec-scoring-models");
            Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(dir)));
            TrainingConfig base = TrainingConfig.defaults().withMinPositivesPerExpert(5);
            MoeModel a = MoeTrainer.train("scoring-test-a", movies, events, base.withSeed(1));
            MoeModel b = MoeTrainer.train("scoring-test-b", movies, events, base.withSeed(2));
            bundleA = dir.resolve("a");
            bundleB = dir.resolve("b");
            ModelBundle.save(a, bundleA);
            ModelBundle.save(b, bundleB);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        catalog = List.copyOf(movies);
    }

    /** Deletes a directory tree, best effort (test clean-up). */
    static void deleteTree(Path dir) {
        try {
            Directories.deleteRecursively(dir);
        } catch (java.io.UncheckedIOException e) {
            // best effort: a leftover temp directory is harmless
        }
    }

    /** Copies a bundle directory (one level of sub-directories, as bundles have). */
    static void copyBundle(Path from, Path to) throws IOException {
        try (var s = Files.walk(from)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
    }

    static List<Movie> catalog() {
        ensure();
        return catalog;
    }

    static Path bundleA() {
        ensure();
        return bundleA;
    }

    static Path bundleB() {
        ensure();
        return bundleB;
    }

    static MoeModel modelA() {
        return ModelBundle.load(bundleA());
    }

    static MoeModel modelB() {
        return ModelBundle.load(bundleB());
    }

    /** A feature update of a user who likes {@code genre}, with these recent watches, and watched nothing else. */
    static UserPreferenceFeatures features(String user, Genre genre, long[] recent, String eventId, long time) {
        return features(user, genre, recent, recent, eventId, time);
    }

    /** As above, with the complete watched set (any order; the update holds it sorted). */
    static UserPreferenceFeatures features(String user, Genre genre, long[] recent, long[] watched, String eventId, long time) {
        double[] affinity = new double[Genre.COUNT];
        affinity[genre.ordinal()] = 5.0;
        affinity[(genre.ordinal() + 3) % Genre.COUNT] = 1.0;
        long[] counts = new long[EventType.COUNT];
        counts[EventType.PLAY.ordinal()] = 10;
        counts[EventType.COMPLETE.ordinal()] = 6;
        return new UserPreferenceFeatures(user, time, 3, affinity, 8.0, T0, recent,
                java.util.Arrays.stream(watched).sorted().distinct().toArray(), counts, eventId, time);
    }

    /** Settings for tests: everything but the broker, with a per-test state directory. */
    static Map<String, String> settings(String bootstrap, Path stateDir) {
        return new java.util.LinkedHashMap<>(Map.of(ScoringConfig.BOOTSTRAP_SERVERS, bootstrap,
                ScoringConfig.MODEL_PATH, bundleA().toString(), ScoringConfig.STATE_DIR, stateDir.toString(),
                ScoringConfig.HTTP_PORT, "0"));
    }

    /**
     * {@link #settings} for an app on a single test broker: its application id and topics, internal
     * topics with one replica, and quick commits for quick tests.
     */
    static Map<String, String> brokerSettings(String bootstrap, Path stateDir, String applicationId, String featuresTopic,
                                              String moviesTopic, String recommendationsTopic) {
        Map<String, String> s = settings(bootstrap, stateDir);
        s.put(ScoringConfig.APPLICATION_ID, applicationId);
        s.put(ScoringConfig.TOPIC_FEATURES, featuresTopic);
        s.put(ScoringConfig.TOPIC_MOVIES, moviesTopic);
        s.put(ScoringConfig.TOPIC_RECOMMENDATIONS, recommendationsTopic);
        s.put("streams.replication.factor", "1");
        s.put("streams.commit.interval.ms", "100");
        return s;
    }

    /** A producer of raw records, acknowledged by every in-sync replica. */
    static KafkaProducer<byte[], byte[]> producer(String bootstrap) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    }

    /** Sends one record, serialized with the topic's serdes, and waits for its acknowledgement. */
    static <K, V> void send(KafkaProducer<byte[], byte[]> p, Topic<K, V> topic, K key, V value) throws Exception {
        p.send(new ProducerRecord<>(topic.name(), topic.keySerde().serializer().serialize(topic.name(), key),
                topic.valueSerde().serializer().serialize(topic.name(), value))).get();
    }

    /** A committed-read consumer over every partition of a topic from the beginning. */
    static KafkaConsumer<byte[], byte[]> reader(String bootstrap, String topic) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> parts = c.partitionsFor(topic).stream().map(i -> new TopicPartition(topic, i.partition())).toList();
        c.assign(parts);
        c.seekToBeginning(parts);
        return c;
    }
}
