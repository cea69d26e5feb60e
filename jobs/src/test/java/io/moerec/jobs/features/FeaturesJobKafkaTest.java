package io.moerec.jobs.features;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.moerec.features.PreferenceFeatureLogic;
import io.moerec.features.ViewingLogFixture;
import io.moerec.features.flink.FeaturesJobConfig;
import io.moerec.ingest.domain.Movie;
import io.moerec.ingest.domain.UserPreferenceFeatures;
import io.moerec.ingest.domain.ViewingEvent;
import io.moerec.ingest.json.InvalidRecordException;
import io.moerec.ingest.json.MovieCodec;
import io.moerec.ingest.json.RejectReason;
import io.moerec.ingest.json.UserFeaturesCodec;
import io.moerec.ingest.json.ViewingEventCodec;
import io.moerec.ingest.topic.DeadLetters;
import io.moerec.ingest.topic.Topics;
import io.moerec.jobs.broker.HangingTransaction;
import io.moerec.jobs.broker.KafkaBrokerExtension;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The production wiring of {@link FeaturesJob} (Kafka sources, exactly-once Kafka sinks, RocksDB,
 * checkpoints) on a MiniCluster at parallelism 2 against the embedded broker. The features are read
 * back with {@code read_committed}: each user's final features equal the pure logic over that
 * user's events, one committed update per valid event; and after a cancel mid-stream and a restart
 * from the retained checkpoint, the same holds with no (user, trigger) update committed twice.
 */
@Tag("flink")
class FeaturesJobKafkaTest {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(FeaturesJobKafkaTest.class);

    @RegisterExtension
    static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    /** How long a read waits for the expected records: generous, as the machine may be busy with other builds. */
    static final Duration DEADLINE = Duration.ofSeconds(180);
    /**
     * How long a read_committed read goes without a new record before it checks for a hanging transaction:
     * longer than the 15 s transaction timeout that ends what a cancelled job left open.
     */
    static final Duration STALLED = Duration.ofSeconds(30);

    record TestTopics(String events, String movies, String features, String late, String dlq) {
    }

    static TestTopics createTopics() {
        return new TestTopics(KAFKA.createUniqueTopic(Topics.VIEWING_EVENTS).name(),
                KAFKA.createUniqueTopic(Topics.MOVIES).name(), KAFKA.createUniqueTopic(Topics.USER_FEATURES).name(),
                KAFKA.createUniqueTopic(Topics.VIEWING_EVENTS_LATE).name(),
                KAFKA.createUniqueTopic(Topics.VIEWING_EVENTS_DLQ).name());
    }

    static FeaturesJobConfig config(TestTopics t, Path checkpoints, String prefix) {
        return config(t, checkpoints, prefix, FeaturesJobConfig.EXACTLY_ONCE);
    }

    static FeaturesJobConfig config(TestTopics t, Path checkpoints, String prefix, String delivery) {
        Map<String, String> m = new HashMap<>();
        m.put(FeaturesJobConfig.SINK_DELIVERY_GUARANTEE, delivery);
        m.put(FeaturesJobConfig.BOOTSTRAP_SERVERS, KAFKA.bootstrapServers());
        m.put(FeaturesJobConfig.TOPIC_EVENTS, t.events());
        m.put(FeaturesJobConfig.TOPIC_MOVIES, t.movies());
        m.put(FeaturesJobConfig.TOPIC_FEATURES, t.features());
        m.put(FeaturesJobConfig.TOPIC_LATE, t.late());
        m.put(FeaturesJobConfig.TOPIC_DLQ, t.dlq());
        String deletions = t.features() + "-deletions"; // one per test topics: a restored job reads the same one
        KAFKA.broker().createTopics(java.util.List.of(Topics.USER_DELETIONS.withName(deletions)));
        m.put(FeaturesJobConfig.TOPIC_DELETIONS, deletions);
        m.put(FeaturesJobConfig.GROUP_ID, prefix);
        m.put(FeaturesJobConfig.PARALLELISM, "2");
        m.put(FeaturesJobConfig.CHECKPOINT_INTERVAL_MS, "300");
        m.put(FeaturesJobConfig.CHECKPOINT_DIR, checkpoints.toUri().toString());
        m.put(FeaturesJobConfig.TRANSACTIONAL_ID_PREFIX, prefix);
        // A transaction the cancelled job left open holds back read_committed readers (the last
        // stable offset) until the broker times it out; keep that well inside the test's deadline.
        // Records it should have committed would still be missing from the count, so loss shows.
        m.put(FeaturesJobConfig.TRANSACTION_TIMEOUT_MS, "15000");
        return FeaturesJobConfig.fromMap(m);
    }

    static JobClient start(FeaturesJobConfig config, String restorePath) throws Exception {
        Configuration conf = config.flinkConfiguration();
        if (restorePath != null) {
            conf.set(StateRecoveryOptions.SAVEPOINT_PATH, restorePath);
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        FeaturesJob.pipeline(config).build(env);
        return env.executeAsync("features-kafka-test");
    }

    static KafkaProducer<byte[], byte[]> producer() {
        Map<String, Object> p = KAFKA.broker().clientProperties();
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    }

    static void produceCatalog(String topic, Map<Long, Movie> catalog) {
        MovieCodec codec = new MovieCodec();
        try (KafkaProducer<byte[], byte[]> p = producer()) {
            for (Movie m : catalog.values()) {
                p.send(new ProducerRecord<>(topic, Long.toString(m.movieId()).getBytes(StandardCharsets.US_ASCII), codec.encode(m)));
            }
        }
    }

    static void produceEvents(String topic, List<ViewingEvent> events) {
        ViewingEventCodec codec = new ViewingEventCodec();
        try (KafkaProducer<byte[], byte[]> p = producer()) {
            for (ViewingEvent e : events) {
                p.send(new ProducerRecord<>(topic, e.userId().getBytes(StandardCharsets.UTF_8), codec.encode(e)));
            }
        }
    }

    /** Reads a topic from the start with read_committed until {@code done} holds or the deadline passes. */
    static List<ConsumerRecord<byte[], byte[]>> readCommitted(String topic, Predicate<List<ConsumerRecord<byte[], byte[]>>> done) {
        return readCommitted(topic, done, Duration.ZERO);
    }

    /**
     * Reads a topic from the start with read_committed until {@code done} holds (or the deadline
     * passes), then keeps polling for {@code grace} more: records that should not exist (duplicates)
     * get that long to show up.
     */
    static List<ConsumerRecord<byte[], byte[]>> readCommitted(String topic, Predicate<List<ConsumerRecord<byte[], byte[]>>> done,
                                                              Duration grace) {
        return read(topic, "read_committed", done, grace);
    }

    static List<ConsumerRecord<byte[], byte[]>> read(String topic, String isolation,
                                                     Predicate<List<ConsumerRecord<byte[], byte[]>>> done, Duration grace) {
        return read(topic, isolation, done, grace, DEADLINE);
    }

    static List<ConsumerRecord<byte[], byte[]>> read(String topic, String isolation,
                                                     Predicate<List<ConsumerRecord<byte[], byte[]>>> done, Duration grace,
                                                     Duration deadlineAfter) {
        Map<String, Object> c = KAFKA.broker().clientProperties();
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation);
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer());
             Admin admin = Admin.create(KAFKA.broker().clientProperties())) {
            List<TopicPartition> parts = consumer.partitionsFor(topic).stream()
                    .map(pi -> new TopicPartition(topic, pi.partition())).toList();
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            long deadline = System.nanoTime() + deadlineAfter.toNanos();
            long lastProgress = System.nanoTime();
            while (!done.test(out) && System.nanoTime() < deadline) {
                int before = out.size();
                consumer.poll(Duration.ofMillis(200)).forEach(out::add);
                if (out.size() > before) {
                    lastProgress = System.nanoTime();
                } else if ("read_committed".equals(isolation) && System.nanoTime() - lastProgress > STALLED.toNanos()) {
                    HangingTransaction.check(admin, topic); // throws on a hang; else keep waiting
                    lastProgress = System.nanoTime();
                }
            }
            if (!done.test(out)) {
                Map<Integer, Long> positions = new TreeMap<>();
                parts.forEach(tp -> positions.put(tp.partition(), consumer.position(tp)));
                LOG.warn("{} ({}): timed out after {} records; positions {}, last stable {}, end {}", topic, isolation, out.size(),
                        positions, HangingTransaction.endOffsets(admin, topic, IsolationLevel.READ_COMMITTED),
                        HangingTransaction.endOffsets(admin, topic, IsolationLevel.READ_UNCOMMITTED));
            }
            long graceEnd = System.nanoTime() + grace.toNanos();
            while (System.nanoTime() < graceEnd) {
                consumer.poll(Duration.ofMillis(200)).forEach(out::add);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted reading " + topic, e);
        }
        LOG.info("read {} records from {} ({})", out.size(), topic, isolation);
        return out;
    }

    /** The number of different (user, triggering event) updates among {@code records}. */
    static long distinctUpdates(List<ConsumerRecord<byte[], byte[]>> records) {
        return decodeFeatures(records).stream().map(f -> f.userId() + "|" + f.triggerEventId()).distinct().count();
    }

    static List<UserPreferenceFeatures> decodeFeatures(List<ConsumerRecord<byte[], byte[]>> records) {
        UserFeaturesCodec codec = new UserFeaturesCodec();
        List<UserPreferenceFeatures> out = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : records) {
            try {
                UserPreferenceFeatures f = codec.decode(r.value());
                assertEquals(f.userId(), new String(r.key(), StandardCharsets.UTF_8));
                out.add(f);
            } catch (InvalidRecordException e) {
                throw new AssertionError("the job wrote an undecodable feature record: " + e, e);
            }
        }
        return out;
    }

    static Map<String, UserPreferenceFeatures> lastPerUser(List<UserPreferenceFeatures> features) {
        Map<String, UserPreferenceFeatures> last = new HashMap<>();
        for (UserPreferenceFeatures f : features) {
            last.put(f.userId(), f); // one partition per user keeps each user's updates in order
        }
        return last;
    }

    static void assertNoUpdateCommittedTwice(List<UserPreferenceFeatures> features) {
        Set<String> seen = new HashSet<>();
        for (UserPreferenceFeatures f : features) {
            assertTrue(seen.add(f.userId() + "|" + f.asOf() + "|" + f.triggerEventId()), "committed twice: " + f);
        }
    }

    static void cancel(JobClient job) throws Exception {
        FlinkJobs.cancelAndAwaitEnd(job);
    }

    @Test
    void finalFeaturesEqualThePureLogicAndLateAndBadRecordsArePublished(@TempDir Path checkpoints) throws Exception {
        TestTopics topics = createTopics();
        FeaturesJobConfig config = config(topics, checkpoints, KAFKA.uniqueName("features-it"));
        PreferenceFeatureLogic logic = new PreferenceFeatureLogic(config.pipeline().features());
        Map<Long, Movie> catalog = ViewingLogFixture.catalog(40, 11);
        List<ViewingEvent> log = ViewingLogFixture.events(20, 300, 40, 10 * ViewingLogFixture.DAY, 11);
        ViewingEvent late = ViewingEvent.play("late-1", "user-0", 1, ViewingLogFixture.T - ViewingLogFixture.DAY);

        produceCatalog(topics.movies(), catalog);
        produceEvents(topics.events(), log);
        byte[] garbage = "{\"eventId\":".getBytes(StandardCharsets.UTF_8);
        // As large as a producer at its default max.request.size (1 MiB) gets onto the topic at the broker's
        // default message.max.bytes: its dead letter, headers added, is larger than either default.
        byte[] huge = new byte[1_048_400];
        java.util.Arrays.fill(huge, (byte) '[');
        try (KafkaProducer<byte[], byte[]> p = producer()) {
            p.send(new ProducerRecord<>(topics.events(), "user-3".getBytes(StandardCharsets.UTF_8), garbage));
            p.send(new ProducerRecord<>(topics.events(), "user-3".getBytes(StandardCharsets.UTF_8), huge)).get();
        }

        JobClient job = start(config, null);
        try {
            // The late event goes out once the log is applied: sent with it, it could reach the job while
            // the job still waits for the catalog, and be buffered with the others instead of judged late.
            readCommitted(topics.features(), r -> r.size() >= log.size());
            produceEvents(topics.events(), List.of(late));
            List<UserPreferenceFeatures> features = decodeFeatures(
                    readCommitted(topics.features(), r -> r.size() >= log.size(), Duration.ofSeconds(1)));
            assertEquals(log.size(), features.size(), "one committed update per valid, timely event");
            assertNoUpdateCommittedTwice(features);
            // The late event emits no update: the last records are the log's.
            ViewingLogFixture.assertFinalFeaturesMatch(logic, log, catalog, lastPerUser(features));

            List<ConsumerRecord<byte[], byte[]>> lateRecords = readCommitted(topics.late(), r -> !r.isEmpty());
            assertEquals(1, lateRecords.size());
            assertEquals(late, new ViewingEventCodec().decode(lateRecords.get(0).value()));

            List<ConsumerRecord<byte[], byte[]>> dead = readCommitted(topics.dlq(), r -> r.size() >= 2);
            assertEquals(2, dead.size());
            assertEquals(RejectReason.MALFORMED_JSON.name(), DeadLetters.header(dead.get(0).headers(), DeadLetters.REASON));
            assertTrue(java.util.Arrays.equals(garbage, dead.get(0).value()), "the DLQ keeps the original bytes");
            assertEquals(RejectReason.OVERSIZE.name(), DeadLetters.header(dead.get(1).headers(), DeadLetters.REASON));
            assertTrue(java.util.Arrays.equals(huge, dead.get(1).value()), "the near-limit record's dead letter, whole");
        } finally {
            cancel(job);
        }
    }

    @Test
    void recoveryFromTheLastCheckpointCommitsEveryUpdateExactlyOnce(@TempDir Path checkpoints) throws Exception {
        // A known defect of the Kafka connector with Kafka 4 (jobs/DEPLOYMENT.md, "A restored features job and
        // hanging transactions"): one transaction never ends, and the last stable offset stands still. It shows
        // in about one restore in three here; it is logged, and the scenario runs once more from scratch. Loss
        // or a duplicate fails the test either way.
        Recovery run = HangingTransaction.retryOnce(LOG, attempt -> recover(checkpoints.resolve("run-" + attempt)));
        assertEquals(run.log().size(), run.features().size(), "one committed update per event across the restart");
        assertNoUpdateCommittedTwice(run.features());
        ViewingLogFixture.assertFinalFeaturesMatch(new PreferenceFeatureLogic(run.config().pipeline().features()), run.log(),
                run.catalog(), lastPerUser(run.features()));
    }

    @Test
    void atLeastOnceRecoveryLosesNoUpdateAndOnlyRepeatsTheOnesAfterTheCheckpoint(@TempDir Path checkpoints) throws Exception {
        // sink.delivery-guarantee=at-least-once: records are visible as written, so a restore from the last
        // checkpoint writes the updates made since that checkpoint a second time. Nothing may be missing, and
        // the last update of each user is still the final state. A repeat need not equal the first: an event
        // held back for an unknown movie is released by event-time timers, and the restored job's watermark
        // does not advance in step with the first run's, so it can be applied before or after a neighbour.
        Recovery run = recover(checkpoints, FeaturesJobConfig.AT_LEAST_ONCE);
        Set<String> updates = new HashSet<>();
        int repeated = 0;
        for (UserPreferenceFeatures f : run.features()) {
            repeated += updates.add(f.userId() + "|" + f.triggerEventId()) ? 0 : 1;
        }
        assertEquals(run.log().stream().map(e -> e.userId() + "|" + e.eventId()).collect(Collectors.toSet()), updates,
                "an update for every event, none for another");
        LOG.info("at least once across a restore: {} updates for {} events ({} repeated)", run.features().size(), run.log().size(), repeated);
        ViewingLogFixture.assertFinalFeaturesMatch(new PreferenceFeatureLogic(run.config().pipeline().features()), run.log(),
                run.catalog(), lastPerUser(run.features()));
    }

    /** What a restore from the last checkpoint committed. */
    record Recovery(FeaturesJobConfig config, Map<Long, Movie> catalog, List<ViewingEvent> log,
                    List<UserPreferenceFeatures> features) {
    }

    private Recovery recover(Path checkpoints) throws Exception {
        return recover(checkpoints, FeaturesJobConfig.EXACTLY_ONCE);
    }

    private Recovery recover(Path checkpoints, String delivery) throws Exception {
        TestTopics topics = createTopics();
        FeaturesJobConfig config = config(topics, checkpoints, KAFKA.uniqueName("features-recovery"), delivery);
        Map<Long, Movie> catalog = ViewingLogFixture.catalog(40, 12);
        List<ViewingEvent> log = ViewingLogFixture.events(20, 600, 40, 10 * ViewingLogFixture.DAY, 12);
        List<ViewingEvent> first = log.subList(0, 300);
        List<ViewingEvent> second = log.subList(300, 450);
        List<ViewingEvent> third = log.subList(450, 600);

        produceCatalog(topics.movies(), catalog);
        produceEvents(topics.events(), first);
        JobClient job1 = start(config, null);
        try {
            // Everything of the first part committed: at least one checkpoint has completed.
            readCommitted(topics.features(), r -> r.size() >= first.size());
            produceEvents(topics.events(), second);
            // Cancel while the job has written updates of the second part that may not be committed yet.
            read(topics.features(), "read_uncommitted", r -> r.size() > first.size(), Duration.ZERO);
        } finally {
            cancel(job1);
        }
        String checkpoint = latestCheckpoint(checkpoints.resolve(job1.getJobID().toString()))
                .orElseThrow(() -> new AssertionError("no retained checkpoint under " + checkpoints));
        produceEvents(topics.events(), third);

        JobClient job2 = start(config, checkpoint);
        try {
            // Keep reading for ten checkpoint intervals after the last expected record: a duplicate
            // committed by the restarted job would show up as an extra record.
            // Distinct updates, so that at least once the repeats do not end the wait before every event's update.
            List<UserPreferenceFeatures> features = decodeFeatures(read(topics.features(), "read_committed",
                    r -> distinctUpdates(r) >= log.size(), Duration.ofSeconds(3), Duration.ofSeconds(90)));
            return new Recovery(config, catalog, log, features);
        } finally {
            cancel(job2);
        }
    }

    /** The newest {@code chk-N} directory with a {@code _metadata} file. */
    static Optional<String> latestCheckpoint(Path jobDir) {
        try (Stream<Path> dirs = Files.list(jobDir)) {
            return dirs.filter(d -> d.getFileName().toString().startsWith("chk-") && Files.exists(d.resolve("_metadata")))
                    .max(Comparator.comparingLong(d -> Long.parseLong(d.getFileName().toString().substring(4))))
                    .map(d -> d.toUri().toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
