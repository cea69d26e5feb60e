package io.moerec.jobs.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.moerec.ingest.topic.Topic;
import io.moerec.ingest.topic.Topics;
import io.moerec.ingest.config.KafkaAccessCheck;
import io.moerec.jobs.testing.SelfSignedTls;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.SslConfigs;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedKafkaBrokerTest {

    @Test
    void dataDirectorySurvivesRestart(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("kafka");
        List<String> sent = new ArrayList<>();
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder().dataDir(data).start()) {
            broker.createMoerecTopics();
            try (KafkaProducer<String, String> producer = producer(broker)) {
                List<Future<RecordMetadata>> acks = new ArrayList<>();
                for (int i = 0; i < 100; i++) {
                    String v = "record-" + i;
                    acks.add(producer.send(new ProducerRecord<>("viewing-events", "u" + (i % 7), v)));
                    sent.add(v);
                }
                producer.flush();
                for (Future<RecordMetadata> ack : acks) {
                    ack.get(10, TimeUnit.SECONDS); // acknowledged before the broker goes down
                }
            }
        }
        assertTrue(Files.exists(data.resolve("meta.properties")), "data dir kept after close");

        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder().dataDir(data).start()) {
            try (Admin admin = broker.admin()) {
                Map<String, TopicDescription> topics = admin.describeTopics(
                        Topics.all().stream().map(Topic::name).collect(Collectors.toList())).allTopicNames().get(30, TimeUnit.SECONDS);
                for (Topic<?, ?> t : Topics.all()) {
                    assertEquals(t.partitions(), topics.get(t.name()).partitions().size(), t.name());
                }
            }
            List<String> read = consumeAll(broker, "viewing-events", sent.size());
            assertEquals(Set.copyOf(sent), Set.copyOf(read));
            assertEquals(sent.size(), read.size());
        }
    }

    /**
     * Replays carry event time from years back. On a default broker, two user-features updates 60 days
     * apart in event time end up in two segments (a roll every 7 days of record time), and the closed one
     * becomes the cleaner's to compact before readers that count updates have read it.
     */
    @Test
    void eventTimeHistoryStaysInOneSegmentAndIsNotExpired() throws Exception {
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start()) {
            broker.createMoerecTopics();
            long start = java.time.Instant.parse("2000-01-01T00:00:00Z").toEpochMilli();
            try (KafkaProducer<String, String> producer = producer(broker)) {
                for (int day = 0; day <= 60; day += 30) {
                    producer.send(new ProducerRecord<>(Topics.USER_FEATURES.name(), 0, start + Duration.ofDays(day).toMillis(), "u1", "day " + day))
                            .get(10, TimeUnit.SECONDS);
                }
            }
            try (Stream<Path> files = Files.list(broker.dataDir().resolve(Topics.USER_FEATURES.name() + "-0"))) {
                assertEquals(1, files.filter(f -> f.toString().endsWith(".log")).count(), "segments of 60 days of event time");
            }
            try (Admin admin = broker.admin()) {
                ConfigResource topic = new ConfigResource(ConfigResource.Type.TOPIC, Topics.VIEWING_EVENTS.name());
                assertEquals("-1", admin.describeConfigs(List.of(topic)).all().get(30, TimeUnit.SECONDS).get(topic)
                        .get("retention.ms").value(), "no deletion by (event) time");
            }
        }
    }

    @Test
    void temporaryDataDirectoryIsDeletedOnClose() {
        Path data;
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start()) {
            data = broker.dataDir();
            assertTrue(Files.isDirectory(data));
            assertTrue(broker.bootstrapServers().startsWith("127.0.0.1:"));
        }
        assertTrue(Files.notExists(data), data + " deleted");
    }

    @Test
    void aTakenPortFailsWithAMessageNamingIt() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            int port = taken.getLocalPort();
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> EmbeddedKafkaBroker.builder().port(port).startTimeout(Duration.ofSeconds(30)).start().close());
            assertTrue(e.getMessage().contains(":" + port), e.getMessage());
        }
    }

    /**
     * Without SASL users the TLS listener speaks {@code SSL}; with client authentication it serves a
     * client whose certificate it trusts and refuses, at the start-up check, one without a
     * certificate and one that does not trust the broker's.
     */
    @Test
    @ExtendWith(SelfSignedTls.Resolver.class)
    void tlsListenerWithClientAuthServesOnlyTrustedClientsThatTrustIt(SelfSignedTls tls) {
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder()
                .tls(tls.brokerKeystore().path(), tls.brokerKeystore().password())
                .tlsClientAuth(tls.brokerTruststore().path(), tls.brokerTruststore().password()).start()) {
            assertEquals("SSL", broker.tlsSecurityProtocol());
            String bootstrap = broker.tlsBootstrapServers();
            Map<String, Object> mutual = new LinkedHashMap<>(Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrap));
            mutual.putAll(ClientSecuritySettings.ssl(tls.trusted().path(), tls.trusted().password()));
            Map<String, Object> noCertificate = new LinkedHashMap<>(mutual);
            mutual.put(SslConfigs.SSL_KEYSTORE_TYPE_CONFIG, "PKCS12");
            mutual.put(SslConfigs.SSL_KEYSTORE_LOCATION_CONFIG, tls.clientKeystore().path().toString());
            mutual.put(SslConfigs.SSL_KEYSTORE_PASSWORD_CONFIG, tls.clientKeystore().password());
            KafkaAccessCheck.check("mutual TLS", mutual, Duration.ofSeconds(30));

            IllegalStateException anonymous = assertThrows(IllegalStateException.class,
                    () -> KafkaAccessCheck.check("no client certificate", noCertificate, Duration.ofSeconds(30)));
            assertTrue(anonymous.getMessage().startsWith("no client certificate: SSL handshake failed with Kafka " + bootstrap),
                    anonymous.getMessage());

            Map<String, Object> untrusting = new LinkedHashMap<>(mutual);
            untrusting.putAll(ClientSecuritySettings.ssl(tls.untrusted().path(), tls.untrusted().password()));
            IllegalStateException untrusted = assertThrows(IllegalStateException.class,
                    () -> KafkaAccessCheck.check("untrusting", untrusting, Duration.ofSeconds(30)));
            SelfSignedTls.assertUntrusted(untrusted.getMessage(), "untrusting", bootstrap, tls.untrusted());

            Map<String, Object> wrongStorePassword = new LinkedHashMap<>(mutual);
            wrongStorePassword.put(SslConfigs.SSL_TRUSTSTORE_PASSWORD_CONFIG, tls.untrusted().password());
            IllegalStateException unreadable = assertThrows(IllegalStateException.class,
                    () -> KafkaAccessCheck.check("wrong store password", wrongStorePassword, Duration.ofSeconds(30)));
            assertTrue(unreadable.getMessage().contains("Failed to load SSL keystore " + tls.trusted().path() + " of type PKCS12 "
                    + "(IOException: keystore password was incorrect)"), unreadable.getMessage());
            assertFalse(unreadable.getMessage().contains(tls.untrusted().password()), unreadable.getMessage());
        }
    }

    static KafkaProducer<String, String> producer(EmbeddedKafkaBroker broker) {
        Map<String, Object> props = broker.clientProperties();
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        return new KafkaProducer<>(props, new StringSerializer(), new StringSerializer());
    }

    /** Reads a topic from the beginning until {@code expected} values arrived or 30 s passed. */
    static List<String> consumeAll(EmbeddedKafkaBroker broker, String topic, int expected) {
        Map<String, Object> props = broker.clientProperties();
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        List<String> out = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer())) {
            List<TopicPartition> parts = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).collect(Collectors.toList());
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (out.size() < expected && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    out.add(r.value());
                }
            }
        }
        return out;
    }
}
