package io.moerec.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.moerec.features.PreferenceFeatureLogic;
import io.moerec.features.UserPreferenceState;
import io.moerec.ingest.domain.Movie;
import io.moerec.ingest.domain.UserPreferenceFeatures;
import io.moerec.ingest.domain.ViewingEvent;
import io.moerec.ingest.generate.GeneratorConfig;
import io.moerec.ingest.generate.SyntheticDataGenerator;
import io.moerec.ingest.json.InvalidRecordException;
import io.moerec.ingest.json.UserFeaturesCodec;
import io.moerec.ingest.replay.CatalogLoader;
import io.moerec.ingest.replay.ReplayOptions;
import io.moerec.ingest.replay.ReplayProducers;
import io.moerec.ingest.replay.ReplaySummary;
import io.moerec.ingest.replay.Replayer;
import io.moerec.ingest.source.JsonLinesDataSet;
import io.moerec.ingest.topic.Topic;
import io.moerec.ingest.topic.Topics;
import io.moerec.it.cluster.FlinkSessionCluster;
import io.moerec.jobs.broker.KafkaBrokerExtension;
import io.moerec.jobs.features.FeaturesJob;
import io.moerec.features.flink.FeaturesJobConfig;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deploys the features job as an operator would: the shaded job jar ({@code moerec-jobs-*-flink-job.jar})
 * submitted with Flink's own {@code flink run -d} to a real multi-process session cluster (JobManager
 * and TaskManager JVMs whose classpath holds only Flink's jars), against the embedded broker. A
 * generated log and its catalog are replayed first; the committed {@code user-features}
 * ({@code read_committed}) must hold one update per event and, per user, the final features of the
 * pure {@link PreferenceFeatureLogic#replay}. The job is cancelled and every child JVM stopped, also
 * when the test fails; their output stays under {@code target/session-cluster/} for diagnosis.
 */
class FeaturesJobOnSessionClusterIT {

    private static final Logger LOG = LoggerFactory.getLogger(FeaturesJobOnSessionClusterIT.class);

    @RegisterExtension
    static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

    static final Duration CLUSTER_START = Duration.ofSeconds(60);
    static final Duration SUBMIT = Duration.ofSeconds(60);
    static final Duration FEATURES = Duration.ofSeconds(60);

    static Path requiredPath(String property) {
        String v = System.getProperty(property);
        if (v == null) {
            throw new IllegalStateException("system property " + property + " is not set: run through Maven (mvn verify)");
        }
        return Path.of(v);
    }

    static List<Path> clusterClasspath() throws Exception {
        String cp = Files.readString(requiredPath("moerec.flink.classpath.file"), StandardCharsets.UTF_8).trim();
        List<Path> jars = Arrays.stream(cp.split(File.pathSeparator)).map(Path::of).toList();
        // The cluster stands for flink-dist's lib/: nothing that the job jar must bring itself.
        for (Path jar : jars) {
            String name = jar.getFileName().toString();
            assertTrue(!name.startsWith("moerec-") && !name.startsWith("kafka") && !name.startsWith("flink-connector-kafka")
                    && !name.startsWith("rocksdbjni") && !name.startsWith("jackson-databind"), "not a Flink jar on the cluster classpath: " + jar);
        }
        return jars;
    }

    @Test
    void theShadedJobSubmittedWithFlinkRunWritesThePureLogicsFeatures() throws Exception {
        Path jobJar = requiredPath("moerec.flink.job.jar");
        assertTrue(Files.isRegularFile(jobJar), "no job jar at " + jobJar);
        Path work = requiredPath("moerec.it.work.dir")
                .resolve(LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        Files.createDirectories(work);

        // A small generated data set: the catalog and the events in event-time order.
        GeneratorConfig gen = GeneratorConfig.builder().seed(6).users(40).movies(120).targetEvents(2_000)
                .tasteClusters(4).spanDays(14).build();
        SyntheticDataGenerator generator = new SyntheticDataGenerator(gen);
        Path data = work.resolve("data");
        generator.generate(data);
        Map<Long, Movie> catalog = new HashMap<>();
        List<ViewingEvent> events = new ArrayList<>();
        generator.generate(m -> catalog.put(m.movieId(), m), events::add);

        Topic<String, ViewingEvent> eventsTopic = KAFKA.createUniqueTopic(Topics.VIEWING_EVENTS);
        Topic<Long, Movie> moviesTopic = KAFKA.createUniqueTopic(Topics.MOVIES);
        String featuresTopic = KAFKA.createUniqueTopic(Topics.USER_FEATURES).name();
        String lateTopic = KAFKA.createUniqueTopic(Topics.VIEWING_EVENTS_LATE).name();
        String dlqTopic = KAFKA.createUniqueTopic(Topics.VIEWING_EVENTS_DLQ).name();
        try (Producer<byte[], byte[]> producer = ReplayProducers.create(KAFKA.bootstrapServers())) {
            ReplaySummary movies = new CatalogLoader(producer, moviesTopic, dlqTopic).load(new JsonLinesDataSet(data));
            ReplaySummary replayed = new Replayer(producer, ReplayOptions.defaults().withTopic(eventsTopic).withDlqTopic(dlqTopic))
                    .replay(new JsonLinesDataSet(data));
            assertEquals(catalog.size(), movies.sent());
            assertEquals(events.size(), replayed.sent());
        }

        // Program arguments exactly as an operator passes them to FeaturesJob after the jar.
        String prefix = KAFKA.uniqueName("session-it");
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put(FeaturesJobConfig.BOOTSTRAP_SERVERS, KAFKA.bootstrapServers());
        settings.put(FeaturesJobConfig.TOPIC_EVENTS, eventsTopic.name());
        settings.put(FeaturesJobConfig.TOPIC_MOVIES, moviesTopic.name());
        settings.put(FeaturesJobConfig.TOPIC_FEATURES, featuresTopic);
        settings.put(FeaturesJobConfig.TOPIC_LATE, lateTopic);
        settings.put(FeaturesJobConfig.TOPIC_DLQ, dlqTopic);
        settings.put(FeaturesJobConfig.TOPIC_DELETIONS, KAFKA.createUniqueTopic(Topics.USER_DELETIONS).name());
        settings.put(FeaturesJobConfig.GROUP_ID, prefix);
        settings.put(FeaturesJobConfig.TRANSACTIONAL_ID_PREFIX, prefix);
        settings.put(FeaturesJobConfig.PARALLELISM, "2");
        settings.put(FeaturesJobConfig.CHECKPOINT_INTERVAL_MS, "500");
        settings.put(FeaturesJobConfig.CHECKPOINT_DIR, work.resolve("checkpoints").toUri().toString());
        // The three ways an operator configures the job, as docker-compose.yml does: a properties
        // file (checkpointing), an environment variable of the flink run process (the broker), -s.
        Path properties = work.resolve("features-job.properties");
        Files.writeString(properties, String.join("\n",
                FeaturesJobConfig.CHECKPOINT_INTERVAL_MS + "=" + settings.get(FeaturesJobConfig.CHECKPOINT_INTERVAL_MS),
                FeaturesJobConfig.CHECKPOINT_DIR + "=" + settings.get(FeaturesJobConfig.CHECKPOINT_DIR), ""));
        Map<String, String> environment = Map.of(FeaturesJobConfig.SPEC.environmentVariable(FeaturesJobConfig.BOOTSTRAP_SERVERS),
                settings.get(FeaturesJobConfig.BOOTSTRAP_SERVERS));
        List<String> programArgs = new ArrayList<>(List.of("--config", properties.toString()));
        settings.forEach((k, v) -> {
            if (!k.equals(FeaturesJobConfig.BOOTSTRAP_SERVERS) && !k.startsWith("checkpoint.")) {
                programArgs.addAll(List.of("-s", k + "=" + v));
            }
        });
        assertEquals(FeaturesJobConfig.fromMap(settings), FeaturesJob.parseArgs(programArgs.toArray(String[]::new), environment).orElseThrow());
        PreferenceFeatureLogic logic = new PreferenceFeatureLogic(FeaturesJobConfig.fromMap(settings).pipeline().features());

        long t0 = System.nanoTime();
        FlinkSessionCluster cluster = FlinkSessionCluster.start(work, clusterClasspath(), CLUSTER_START);
        List<Long> pids;
        try (cluster) {
            long started = System.nanoTime();
            String jobId = cluster.submit(jobJar, programArgs, environment, SUBMIT);
            long submitted = System.nanoTime();
            LOG.info("job {} submitted with flink run", jobId);
            try {
                Map<String, UserPreferenceFeatures> last = new HashMap<>();
                long[] firstAt = {0, 0}; // first record read, expected count reached
                int count = readFeatures(cluster, jobId, featuresTopic, events.size(), last, firstAt);
                long done = firstAt[1];
                LOG.info("figures: cluster start {} ms, flink run {} ms, submission to first committed features {} ms, "
                                + "to all {} updates {} ms", ms(started - t0), ms(submitted - started),
                        ms(firstAt[0] - submitted), count, ms(done - submitted));
                assertEquals(events.size(), count, "one committed update per event, none twice");
                assertFinalFeaturesMatch(logic, events, catalog, last);
                // It ran on the cluster at the requested parallelism, not in the client.
                JsonNode job = cluster.getJson("/jobs/" + jobId);
                assertEquals("RUNNING", job.path("state").asText(), job.toString());
                int maxParallelism = 0;
                for (JsonNode v : job.path("vertices")) {
                    maxParallelism = Math.max(maxParallelism, v.path("parallelism").asInt());
                }
                assertEquals(2, maxParallelism, job.toString());
            } catch (Exception | Error e) {
                // Cancel, but never let a failing cancel hide why the test failed.
                try {
                    cluster.cancel(jobId, Duration.ofSeconds(30));
                } catch (Exception cancel) {
                    e.addSuppressed(cancel);
                }
                throw e;
            }
            assertEquals("CANCELED", cluster.cancel(jobId, Duration.ofSeconds(30)));
            pids = cluster.runningPids();
        }
        assertEquals(2, pids.size(), "JobManager and TaskManager ran until the end");
        for (long pid : pids) {
            assertTrue(ProcessHandle.of(pid).map(h -> !h.isAlive()).orElse(true), "child " + pid + " left running");
        }
    }

    private static long ms(long nanos) {
        return nanos / 1_000_000;
    }

    /**
     * Reads the committed features until {@code expected} records arrived, and a little longer to
     * see any extra; fails early with the job's exceptions if the job stops running. Records in
     * {@code at} when the first record and the expected count were read.
     */
    private static int readFeatures(FlinkSessionCluster cluster, String jobId, String topic, int expected,
                                    Map<String, UserPreferenceFeatures> last, long[] at) throws InvalidRecordException {
        Map<String, Object> c = new HashMap<>(KAFKA.broker().clientProperties());
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        UserFeaturesCodec codec = new UserFeaturesCodec();
        int count = 0;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> parts = consumer.partitionsFor(topic).stream().map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            long deadline = System.nanoTime() + FEATURES.toNanos();
            long nextStateCheck = 0;
            long graceEnd = Long.MAX_VALUE;
            // Past the expected count, keep reading for a few checkpoint intervals: an update
            // committed twice would show up as an extra record.
            while (System.nanoTime() < graceEnd) {
                if (count >= expected && graceEnd == Long.MAX_VALUE) {
                    at[1] = System.nanoTime();
                    graceEnd = System.nanoTime() + Duration.ofMillis(1500).toNanos();
                }
                if (count < expected && System.nanoTime() > deadline) {
                    throw new AssertionError("only " + count + " of " + expected + " updates committed within " + FEATURES
                            + "; job is " + cluster.jobState(jobId) + "; exceptions: " + cluster.jobExceptions(jobId)
                            + "; logs in " + cluster.logDir());
                }
                if (System.nanoTime() > nextStateCheck) {
                    String state = cluster.jobState(jobId);
                    if (state != null && Set.of("FAILED", "CANCELED", "FINISHED").contains(state)) {
                        throw new AssertionError("job " + jobId + " is " + state + ": " + cluster.jobExceptions(jobId));
                    }
                    nextStateCheck = System.nanoTime() + Duration.ofSeconds(2).toNanos();
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (count == 0) {
                        at[0] = System.nanoTime();
                    }
                    UserPreferenceFeatures f = codec.decode(r.value());
                    assertEquals(f.userId(), new String(r.key(), StandardCharsets.UTF_8), "key = user id");
                    last.put(f.userId(), f); // a user's updates share a partition, in order
                    count++;
                }
            }
        }
        return count;
    }

    private static void assertFinalFeaturesMatch(PreferenceFeatureLogic logic, List<ViewingEvent> log, Map<Long, Movie> catalog,
                                                 Map<String, UserPreferenceFeatures> last) {
        Map<String, UserPreferenceState> expected = logic.replay(log, catalog::get, f -> { });
        assertEquals(expected.keySet(), last.keySet());
        for (Map.Entry<String, UserPreferenceState> e : expected.entrySet()) {
            String user = e.getKey();
            UserPreferenceFeatures want = logic.features(e.getValue(), user, "-", 0);
            UserPreferenceFeatures got = last.get(user);
            assertEquals(want.asOf(), got.asOf(), user);
            assertEquals(want.firstEventTime(), got.firstEventTime(), user);
            assertArrayEquals(want.eventCounts(), got.eventCounts(), user);
            assertArrayEquals(want.recentWatches(), got.recentWatches(), user);
            // exact up to rounding: events of a movie not yet broadcast are applied a little later
            assertArrayEquals(want.genreAffinity(), got.genreAffinity(), 1e-9, user);
            assertEquals(want.activity(), got.activity(), 1e-9, user);
        }
    }
}
