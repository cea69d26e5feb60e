package io.moerec.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.moerec.ingest.domain.ModelAnnouncement;
import io.moerec.ingest.domain.Movie;
import io.moerec.ingest.domain.ViewingEvent;
import io.moerec.ingest.generate.GeneratorConfig;
import io.moerec.ingest.generate.SyntheticDataGenerator;
import io.moerec.ingest.topic.Topic;
import io.moerec.ingest.topic.Topics;
import io.moerec.it.ScoringAppJarIT.Run;
import io.moerec.jobs.broker.KafkaBrokerExtension;
import io.moerec.moe.bundle.ModelBundle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shaded trainer jar: the trainer with kafka-clients, moe-scoring and Tribuo, and none of Flink,
 * the broker, Kafka Streams, RocksDB or the CLI; {@code java -jar} answers {@code --version} and a bad
 * key in one line (exit 2); and, on a real broker, it trains on a window of events, keeps the bundle in
 * its store, announces it on {@code models}, and stops on SIGTERM.
 */
class TrainerJarIT {

    @RegisterExtension
    static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

    static final List<String> MUST_HAVE = List.of(
            "io/moerec/jobs/trainer/TrainerMain.class",
            "io/moerec/jobs/trainer/ContinuousTrainer.class",
            "io/moerec/ingest/config/moerec-version.properties",
            "io/moerec/moe/lifecycle/ModelStore.class",
            "io/moerec/moe/bundle/ModelBundle.class",
            "io/moerec/moe/streams/ModelUpdater.class",
            "io/moerec/features/PreferenceFeatureLogic.class",
            "org/apache/kafka/clients/consumer/KafkaConsumer.class",
            "org/tribuo/Model.class",
            "org/ejml/data/DMatrixRMaj.class",
            "picocli/CommandLine.class",
            "org/apache/logging/slf4j/Log4jLoggerFactory.class",
            "log4j2.properties");

    static final List<String> MUST_NOT_HAVE_PREFIXES = List.of(
            "org/apache/flink/", "io/moerec/features/flink/", "kafka/server/", "kafka/Kafka", "kafka/log/", "scala/",
            "org/apache/kafka/streams/", "org/apache/kafka/metadata/", "org/apache/kafka/coordinator/",
            "org/apache/kafka/controller/", "org/apache/kafka/raft/", "org/apache/kafka/storage/", "org/rocksdb/",
            "io/micrometer/", "io/moerec/jobs/cli/", "io/moerec/jobs/broker/", "io/moerec/jobs/features/", "module-info.class");

    static Path jar() {
        return FeaturesJobOnSessionClusterIT.requiredPath("moerec.trainer.jar");
    }

    @Test
    void holdsTheTrainerButNoFlinkBrokerOrKafkaStreams() throws Exception {
        try (JarFile j = new JarFile(jar().toFile())) {
            assertEquals("io.moerec.jobs.trainer.TrainerMain", j.getManifest().getMainAttributes().getValue("Main-Class"));
            assertEquals(System.getProperty("moerec.project.version"), j.getManifest().getMainAttributes().getValue("Implementation-Version"));
            for (String entry : MUST_HAVE) {
                assertTrue(j.getEntry(entry) != null, "missing " + entry);
            }
            for (String name : j.stream().map(ZipEntry::getName).toList()) {
                for (String bad : MUST_NOT_HAVE_PREFIXES) {
                    assertFalse(name.startsWith(bad), "must not be in the trainer jar: " + name);
                }
                assertFalse(name.matches("META-INF/[^/]+\\.(SF|DSA|RSA|EC)"), "signature left in: " + name);
            }
        }
    }

    @Test
    void versionAndABadKeyAnswerInOneLine(@TempDir Path dir) throws Exception {
        Run version = ScoringAppJarIT.javaDashJar(jar(), dir, "--version");
        assertEquals(0, version.exit(), version.text());
        assertEquals("moerec trainer " + System.getProperty("moerec.project.version"), version.text().trim());
        Run bad = ScoringAppJarIT.javaDashJar(jar(), dir, "-s", "bootstrap.servers=127.0.0.1:1", "-s", "store.dir=" + dir,
                "-s", "store.kept=3");
        assertEquals(2, bad.exit(), bad.text());
        assertEquals(1, bad.text().lines().count(), bad.text());
        assertTrue(bad.text().startsWith("trainer: ") && bad.text().contains("store.kept"), bad.text());
    }

    @Test
    void trainsStoresAndAnnouncesOnARealBrokerThenStopsOnSigterm(@TempDir Path dir) throws Exception {
        List<Movie> movies = new ArrayList<>();
        List<ViewingEvent> events = new ArrayList<>();
        new SyntheticDataGenerator(GeneratorConfig.builder().seed(11).users(120).movies(200).targetEvents(3_000).tasteClusters(3)
                .build()).generate(movies::add, events::add);
        events.sort(Comparator.comparingLong(ViewingEvent::eventTime));
        Topic<String, ViewingEvent> eventsTopic = KAFKA.createUniqueTopic(Topics.VIEWING_EVENTS);
        Topic<Long, Movie> moviesTopic = KAFKA.createUniqueTopic(Topics.MOVIES);
        Topic<String, ModelAnnouncement> modelsTopic = KAFKA.createUniqueTopic(Topics.MODELS);
        try (KafkaProducer<Long, Movie> p = new KafkaProducer<>(KAFKA.broker().clientProperties(), moviesTopic.keySerde().serializer(),
                moviesTopic.valueSerde().serializer())) {
            movies.forEach(m -> p.send(new ProducerRecord<>(moviesTopic.name(), m.movieId(), m)));
        }
        try (KafkaProducer<String, ViewingEvent> p = new KafkaProducer<>(KAFKA.broker().clientProperties(),
                eventsTopic.keySerde().serializer(), eventsTopic.valueSerde().serializer())) {
            events.forEach(e -> p.send(new ProducerRecord<>(eventsTopic.name(), e.userId(), e)));
        }
        int window = events.size() / 2;
        Path store = dir.resolve("store");
        Path out = dir.resolve("trainer.log");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar",
                jar().toString()));
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("bootstrap.servers", KAFKA.bootstrapServers());
        settings.put("store.dir", store.toString());
        settings.put("topic.viewing-events", eventsTopic.name());
        settings.put("topic.movies", moviesTopic.name());
        settings.put("topic.models", modelsTopic.name());
        settings.put("window.events", Integer.toString(window));
        settings.put("retrain.every-events", "1000000");
        settings.put("holdout.share", "0.25");
        settings.put("bless.min-interactions", "20");
        settings.put("training.expert.epochs", "1");
        settings.put("training.train.gateEpochs", "1");
        settings.forEach((k, v) -> cmd.addAll(List.of("-s", k + "=" + v)));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("MOEREC_"));
        Process trainer = pb.start();
        try {
            List<ModelAnnouncement> announced = List.of();
            long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
            while (announced.isEmpty()) {
                assertTrue(trainer.isAlive(), () -> "the trainer exited: " + log(out));
                assertTrue(System.nanoTime() < deadline, () -> "no announcement within 120 s: " + log(out));
                Thread.sleep(200);
                announced = announcements(modelsTopic);
            }
            // An absolute path into the store, to a bundle the scoring app's loader accepts.
            Path bundle = Path.of(announced.get(0).reference());
            assertTrue(bundle.isAbsolute() && bundle.startsWith(store.toAbsolutePath()), bundle.toString());
            assertEquals(announced.get(0).modelVersion(), ModelBundle.load(bundle).version());
        } finally {
            trainer.destroy(); // SIGTERM: the shutdown hook closes the trainer
            boolean stopped = trainer.waitFor(60, TimeUnit.SECONDS);
            trainer.destroyForcibly();
            assertTrue(stopped, "the trainer did not stop within 60 s of SIGTERM");
        }
        assertTrue(log(out).contains("announced"), log(out));
    }

    /** The trainer's output so far, for a failure message. */
    private static String log(Path out) {
        try {
            return ScoringAppJarIT.read(out);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static List<ModelAnnouncement> announcements(Topic<String, ModelAnnouncement> models) {
        Map<String, Object> p = new LinkedHashMap<>(KAFKA.broker().clientProperties());
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        List<ModelAnnouncement> out = new ArrayList<>();
        try (KafkaConsumer<String, ModelAnnouncement> c = new KafkaConsumer<>(p, models.keySerde().deserializer(),
                models.valueSerde().deserializer())) {
            TopicPartition tp = new TopicPartition(models.name(), 0);
            c.assign(List.of(tp));
            c.seekToBeginning(List.of(tp));
            long end = c.endOffsets(List.of(tp)).get(tp);
            while (c.position(tp) < end) {
                c.poll(Duration.ofMillis(200)).forEach(r -> out.add(r.value()));
            }
        }
        return out;
    }
}
