package io.moerec.moe.streams;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.moerec.ingest.domain.Genre;
import io.moerec.ingest.domain.Movie;
import io.moerec.ingest.domain.RecommendationList;
import io.moerec.ingest.domain.UserPreferenceFeatures;
import io.moerec.ingest.topic.Topic;
import io.moerec.ingest.topic.Topics;
import io.moerec.jobs.broker.KafkaBrokerExtension;
import io.moerec.jobs.testing.SecurityLog;
import io.moerec.jobs.testing.SelfSignedTls;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The scoring app on the embedded broker's {@code SASL_PLAINTEXT} and {@code SASL_SSL} listeners,
 * configured only through {@code streams.*} client settings: with the right SCRAM credentials (and
 * over TLS a truststore that trusts the broker) it starts and publishes a list (read back over SASL);
 * with a wrong password it fails in {@link ScoringApp#start()} saying authentication failed, with
 * mechanism and user, and with a truststore that does not trust the broker's certificate saying that
 * the SSL handshake failed, instead of replacing stream threads for ever. No password (SASL or store)
 * reaches the log.
 */
class ScoringAppSaslTest {

    private static final Logger LOG = LoggerFactory.getLogger(ScoringAppSaslTest.class);
    private static final String PASSWORD = "scorer-" + UUID.randomUUID();
    private static final String WRONG = "wrong-" + UUID.randomUUID();
    private static final Duration DEADLINE = Duration.ofSeconds(45);

    @RegisterExtension
    static final KafkaBrokerExtension KAFKA = KafkaBrokerExtension.withSaslUsersAndTls(Map.of("scorer", PASSWORD));

    @TempDir
    Path tmp;

    @BeforeAll
    static void train() {
        ScoringFixtures.ensure();
    }

    private Map<String, String> settings(SecurityProtocol protocol, Map<String, String> security, String appId) {
        Map<String, String> s = ScoringFixtures.settings(KAFKA.bootstrapServers(protocol), tmp.resolve(appId));
        s.put(ScoringConfig.APPLICATION_ID, appId);
        security.forEach((k, v) -> s.put("streams." + k, v));
        s.put("streams.replication.factor", "1");
        s.put("streams.commit.interval.ms", "100");
        return s;
    }

    @ParameterizedTest
    @EnumSource(value = SecurityProtocol.class, names = {"SASL_PLAINTEXT", "SASL_SSL"})
    void startsAndPublishesWithTheRightCredentialsAndStopsAtStartWithWrongOnes(SecurityProtocol protocol) throws Exception {
        Topic<String, UserPreferenceFeatures> features = KAFKA.createUniqueTopic(Topics.USER_FEATURES);
        Topic<Long, Movie> movies = KAFKA.createUniqueTopic(Topics.MOVIES);
        Topic<String, RecommendationList> recommendations = KAFKA.createUniqueTopic(Topics.RECOMMENDATIONS);
        Map<String, String> good = settings(protocol, KAFKA.clientSettings(protocol, "SCRAM-SHA-512", "scorer", PASSWORD),
                KAFKA.uniqueName("scoring-sasl"));
        good.put(ScoringConfig.TOPIC_FEATURES, features.name());
        good.put(ScoringConfig.TOPIC_MOVIES, movies.name());
        good.put(ScoringConfig.TOPIC_RECOMMENDATIONS, recommendations.name());
        good.put(ScoringConfig.TOPIC_MODELS, KAFKA.createUniqueTopic(Topics.MODELS).name());
        good.put(ScoringConfig.TOPIC_DLQ, KAFKA.createUniqueTopic(Topics.VIEWING_EVENTS_DLQ).name());

        Map<String, Object> producerProps = KAFKA.clientProperties(protocol, "PLAIN", "scorer", PASSWORD);
        producerProps.put("acks", "all");
        try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(producerProps, new ByteArraySerializer(), new ByteArraySerializer());
             ScoringApp app = new ScoringApp(ScoringConfig.fromMap(good)).start()) {
            for (Movie m : ScoringFixtures.catalog()) {
                send(p, movies, m.movieId(), m);
            }
            send(p, features, "u1", ScoringFixtures.features("u1", Genre.COMEDY, new long[0], "sasl-e1", ScoringFixtures.T0 + 1));
            Map<String, Object> c = KAFKA.clientProperties(protocol, "SCRAM-SHA-256", "scorer", PASSWORD);
            c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            try (KafkaConsumer<byte[], byte[]> out = new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
                List<TopicPartition> parts = out.partitionsFor(recommendations.name()).stream()
                        .map(i -> new TopicPartition(i.topic(), i.partition())).toList();
                out.assign(parts);
                out.seekToBeginning(parts);
                awaitList(out, recommendations, "sasl-e1");
            }
            assertTrue(app.streams().state().isRunningOrRebalancing(),
                    "the scoring app stopped: " + app.streams().state());
        }

        Map<String, String> bad = settings(protocol, KAFKA.clientSettings(protocol, "SCRAM-SHA-256", "scorer", WRONG),
                KAFKA.uniqueName("scoring-sasl-bad"));
        long t0 = System.nanoTime();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> {
            try (ScoringApp app = new ScoringApp(ScoringConfig.fromMap(bad))) {
                app.start();
            }
        });
        long ms = (System.nanoTime() - t0) / 1_000_000;
        LOG.info("scoring app with a wrong password (SCRAM-SHA-256) over {} refused at start-up in {} ms: {}", protocol, ms,
                e.getMessage());
        assertTrue(e.getMessage().startsWith("scoring app: authentication failed"), e.getMessage());
        assertTrue(e.getMessage().contains("security.protocol " + protocol + ", SASL mechanism SCRAM-SHA-256, user 'scorer'"),
                e.getMessage());
        assertFalse(e.getMessage().contains(WRONG), e.getMessage());
        SecurityLog.assertNoSecrets(secrets());
        assertTrue(SecurityLog.text().contains("starting the scoring app: ScoringConfig["), "the app logs its configuration");
    }

    @Test
    void stopsAtStartWhenTheBrokerCertificateIsNotTrusted() {
        Map<String, String> untrusting = settings(SecurityProtocol.SASL_SSL,
                KAFKA.untrustingClientSettings("SCRAM-SHA-512", "scorer", PASSWORD), KAFKA.uniqueName("scoring-tls-bad"));
        long t0 = System.nanoTime();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> {
            try (ScoringApp app = new ScoringApp(ScoringConfig.fromMap(untrusting))) {
                app.start();
            }
        });
        long ms = (System.nanoTime() - t0) / 1_000_000;
        LOG.info("scoring app with an untrusted broker certificate refused at start-up in {} ms: {}", ms, e.getMessage());
        SelfSignedTls.assertUntrusted(e.getMessage(), "scoring app", KAFKA.bootstrapServers(SecurityProtocol.SASL_SSL),
                KAFKA.tls().untrusted());
        SecurityLog.assertNoSecrets(secrets());
        assertTrue(SecurityLog.text().contains("ssl.truststore.password=[hidden]"), "the app logs its configuration, masked");
    }

    private static String[] secrets() {
        List<String> all = new ArrayList<>(List.of(PASSWORD, WRONG));
        all.addAll(List.of(KAFKA.tls().passwords()));
        return all.toArray(String[]::new);
    }

    private static <K, V> void send(KafkaProducer<byte[], byte[]> p, Topic<K, V> topic, K key, V value) throws Exception {
        p.send(new ProducerRecord<>(topic.name(), topic.keySerde().serializer().serialize(topic.name(), key),
                topic.valueSerde().serializer().serialize(topic.name(), value))).get();
    }

    private static void awaitList(KafkaConsumer<byte[], byte[]> c, Topic<String, RecommendationList> topic, String trigger) {
        long end = System.nanoTime() + DEADLINE.toNanos();
        while (System.nanoTime() < end) {
            for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                if (topic.valueSerde().deserializer().deserialize(r.topic(), r.value()).triggerEventId().equals(trigger)) {
                    return;
                }
            }
        }
        fail("no list for " + trigger + " within " + DEADLINE);
    }
}
