package io.moerec.jobs.features;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.moerec.features.ViewingLogFixture;
import io.moerec.features.flink.FeaturesJobConfig;
import io.moerec.features.flink.FeaturesPipelineConfig;
import io.moerec.ingest.domain.Movie;
import io.moerec.ingest.domain.UserPreferenceFeatures;
import io.moerec.ingest.domain.ViewingEvent;
import io.moerec.ingest.json.MovieCodec;
import io.moerec.ingest.json.UserFeaturesCodec;
import io.moerec.ingest.json.ViewingEventCodec;
import io.moerec.ingest.topic.Topics;
import io.moerec.jobs.broker.KafkaBrokerExtension;
import io.moerec.jobs.testing.SecurityLog;
import io.moerec.jobs.testing.SelfSignedTls;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The features job on a MiniCluster against the embedded broker's {@code SASL_PLAINTEXT} and
 * {@code SASL_SSL} listeners, secured only by {@code kafka.*} settings: its sources and exactly-once
 * sinks read and write with SCRAM (over TLS trusting the broker's certificate); and
 * {@link FeaturesJob#main} with a wrong password stops before submitting the job, saying that
 * authentication failed, with mechanism and user, and with a truststore that does not trust the
 * broker, saying that the SSL handshake failed. No password (SASL or store) reaches the log.
 */
@Tag("flink")
class FeaturesJobSaslTest {

    private static final Logger LOG = LoggerFactory.getLogger(FeaturesJobSaslTest.class);
    private static final String PASSWORD = "flink-" + UUID.randomUUID();
    private static final String WRONG = "wrong-" + UUID.randomUUID();
    private static final Duration DEADLINE = Duration.ofSeconds(60);

    @RegisterExtension
    static final KafkaBrokerExtension KAFKA = KafkaBrokerExtension.withSaslUsersAndTls(Map.of("features", PASSWORD));

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    private static Map<String, String> settings(SecurityProtocol protocol, Map<String, String> security, Path checkpoints,
                                                String prefix) {
        Map<String, String> m = new HashMap<>();
        m.put(FeaturesJobConfig.BOOTSTRAP_SERVERS, KAFKA.bootstrapServers(protocol));
        security.forEach((k, v) -> m.put("kafka." + k, v));
        m.put(FeaturesJobConfig.TOPIC_EVENTS, KAFKA.createUniqueTopic(Topics.VIEWING_EVENTS).name());
        m.put(FeaturesJobConfig.TOPIC_MOVIES, KAFKA.createUniqueTopic(Topics.MOVIES).name());
        m.put(FeaturesJobConfig.TOPIC_FEATURES, KAFKA.createUniqueTopic(Topics.USER_FEATURES).name());
        m.put(FeaturesJobConfig.TOPIC_LATE, KAFKA.createUniqueTopic(Topics.VIEWING_EVENTS_LATE).name());
        m.put(FeaturesJobConfig.TOPIC_DLQ, KAFKA.createUniqueTopic(Topics.VIEWING_EVENTS_DLQ).name());
        m.put(FeaturesJobConfig.TOPIC_DELETIONS, KAFKA.createUniqueTopic(Topics.USER_DELETIONS).name());
        m.put(FeaturesJobConfig.GROUP_ID, prefix);
        m.put(FeaturesJobConfig.TRANSACTIONAL_ID_PREFIX, prefix);
        m.put(FeaturesJobConfig.PARALLELISM, "2");
        m.put(FeaturesJobConfig.CHECKPOINT_INTERVAL_MS, "300");
        m.put(FeaturesJobConfig.CHECKPOINT_DIR, checkpoints.toUri().toString());
        m.put(FeaturesJobConfig.TRANSACTION_TIMEOUT_MS, "15000");
        // Ten users leave a partition without events: without this it holds the watermark back for the default 30 s.
        m.put(FeaturesPipelineConfig.IDLENESS_MS, "1000");
        return m;
    }

    @ParameterizedTest
    @EnumSource(value = SecurityProtocol.class, names = {"SASL_PLAINTEXT", "SASL_SSL"})
    void readsAndWritesOverSaslAndStopsBeforeSubmittingWithAWrongPassword(SecurityProtocol protocol, @TempDir Path checkpoints)
            throws Exception {
        FeaturesJobConfig config = FeaturesJobConfig.fromMap(settings(protocol,
                KAFKA.clientSettings(protocol, "SCRAM-SHA-256", "features", PASSWORD), checkpoints, KAFKA.uniqueName("features-sasl")));
        Map<Long, Movie> catalog = ViewingLogFixture.catalog(20, 21);
        List<ViewingEvent> log = ViewingLogFixture.events(10, 120, 20, 5 * ViewingLogFixture.DAY, 21);
        Map<String, Object> producerProps = KAFKA.clientProperties(protocol, "PLAIN", "features", PASSWORD);
        producerProps.put("acks", "all");
        try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(producerProps, new ByteArraySerializer(), new ByteArraySerializer())) {
            MovieCodec movies = new MovieCodec();
            for (Movie m : catalog.values()) {
                p.send(new ProducerRecord<>(config.moviesTopic(), Long.toString(m.movieId()).getBytes(StandardCharsets.US_ASCII),
                        movies.encode(m)));
            }
            ViewingEventCodec events = new ViewingEventCodec();
            for (ViewingEvent e : log) {
                p.send(new ProducerRecord<>(config.eventsTopic(), e.userId().getBytes(StandardCharsets.UTF_8), events.encode(e)));
            }
        }

        FeaturesJob.checkKafka(config); // what main does before it submits
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(config.flinkConfiguration());
        FeaturesJob.pipeline(config).build(env);
        JobClient job = env.executeAsync("features-sasl-test");
        List<UserPreferenceFeatures> features = new ArrayList<>();
        try {
            Map<String, Object> c = KAFKA.clientProperties(protocol, "SCRAM-SHA-512", "features", PASSWORD);
            c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
                List<TopicPartition> parts = consumer.partitionsFor(config.featuresTopic()).stream()
                        .map(i -> new TopicPartition(i.topic(), i.partition())).toList();
                consumer.assign(parts);
                consumer.seekToBeginning(parts);
                UserFeaturesCodec codec = new UserFeaturesCodec();
                long end = System.nanoTime() + DEADLINE.toNanos();
                while (features.size() < log.size() && System.nanoTime() < end) {
                    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                        features.add(codec.decode(r.value()));
                    }
                }
            }
        } finally {
            FlinkJobs.cancelAndAwaitEnd(job);
        }
        assertEquals(log.size(), features.size(), "one committed update per event, written and read over SASL");

        String[] args = args(settings(protocol, KAFKA.clientSettings(protocol, "SCRAM-SHA-256", "features", WRONG), checkpoints,
                KAFKA.uniqueName("features-sasl-bad")));
        long t0 = System.nanoTime();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> FeaturesJob.main(args));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        LOG.info("features job with a wrong password (SCRAM-SHA-256) over {} refused at start-up in {} ms: {}", protocol, ms,
                e.getMessage());
        assertTrue(e.getMessage().startsWith("features job: authentication failed"), e.getMessage());
        assertTrue(e.getMessage().contains("security.protocol " + protocol + ", SASL mechanism SCRAM-SHA-256, user 'features'"),
                e.getMessage());
        assertFalse(e.getMessage().contains(WRONG), e.getMessage());
        SecurityLog.assertNoSecrets(secrets());
        assertTrue(SecurityLog.text().contains("starting the features job: FeaturesJobConfig["), "main logs its configuration");
    }

    @Test
    void stopsBeforeSubmittingWhenTheBrokerCertificateIsNotTrusted(@TempDir Path checkpoints) {
        String[] args = args(settings(SecurityProtocol.SASL_SSL, KAFKA.untrustingClientSettings("SCRAM-SHA-256", "features", PASSWORD),
                checkpoints, KAFKA.uniqueName("features-tls-bad")));
        long t0 = System.nanoTime();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> FeaturesJob.main(args));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        LOG.info("features job with an untrusted broker certificate refused at start-up in {} ms: {}", ms, e.getMessage());
        SelfSignedTls.assertUntrusted(e.getMessage(), "features job", KAFKA.bootstrapServers(SecurityProtocol.SASL_SSL),
                KAFKA.tls().untrusted());
        SecurityLog.assertNoSecrets(secrets());
        assertTrue(SecurityLog.text().contains("ssl.truststore.password=[hidden]"), "main logs its configuration, masked");
    }

    private static String[] args(Map<String, String> settings) {
        return settings.entrySet().stream()
                .flatMap(e -> java.util.stream.Stream.of("-s", e.getKey() + "=" + e.getValue())).toArray(String[]::new);
    }

    private static String[] secrets() {
        List<String> all = new ArrayList<>(List.of(PASSWORD, WRONG));
        all.addAll(List.of(KAFKA.tls().passwords()));
        return all.toArray(String[]::new);
    }
}
