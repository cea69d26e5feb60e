package io.moerec.jobs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.moerec.jobs.broker.ClientSecuritySettings;
import io.moerec.jobs.broker.KafkaBrokerExtension;
import io.moerec.jobs.testing.EventLogFixture;
import io.moerec.jobs.testing.SecurityLog;
import io.moerec.jobs.testing.SelfSignedTls;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Replay and catalog load against the embedded broker's {@code SASL_PLAINTEXT} and {@code SASL_SSL}
 * listeners: with the right credentials (a client properties file, or {@code --kafka-property} flags)
 * and, over TLS, a truststore that trusts the broker they publish; with a wrong password or an
 * unknown user they stop at start-up saying that authentication failed, with the mechanism and the
 * user; with a truststore that does not trust the broker's certificate they stop at start-up saying
 * that the SSL handshake failed. No password (SASL or store) is in the output or the log.
 */
class CliSaslTest {

    private static final Logger LOG = LoggerFactory.getLogger(CliSaslTest.class);
    private static final String PASSWORD = "alice-" + UUID.randomUUID();
    private static final String WRONG = "wrong-" + UUID.randomUUID();

    @RegisterExtension
    static final KafkaBrokerExtension KAFKA = KafkaBrokerExtension.withSaslUsersAndTls(Map.of("alice", PASSWORD));

    @ParameterizedTest
    @EnumSource(value = SecurityProtocol.class, names = {"SASL_PLAINTEXT", "SASL_SSL"})
    void replayAndCatalogLoadPublishOverSaslAndStopOnWrongCredentials(SecurityProtocol protocol, @TempDir Path dir)
            throws IOException {
        EventLogFixture.Written log = EventLogFixture.write(dir, 300, 10, 5, false, false);
        String sasl = KAFKA.bootstrapServers(protocol);
        Path clientConfig = writeClientConfig(dir, KAFKA.clientSettings(protocol, "SCRAM-SHA-256", "alice", PASSWORD));
        String events = KAFKA.uniqueName("events");
        String dlq = KAFKA.uniqueName("dlq");

        MoerecCliTest.Run replay = MoerecCliTest.run("replay", dir.resolve("events.jsonl").toString(), "--bootstrap", sasl,
                "--kafka-config", clientConfig.toString(), "--topic", events, "--dlq-topic", dlq);
        assertEquals(0, replay.exit(), replay.err());
        assertTrue(replay.out().contains("sent 300, rejected 0"), replay.out());

        List<String> plainFlags = new ArrayList<>();
        KAFKA.clientSettings(protocol, "PLAIN", "alice", PASSWORD).forEach((k, v) -> {
            plainFlags.add("--kafka-property");
            plainFlags.add(k + "=" + v);
        });
        List<String> load = new ArrayList<>(List.of("catalog", "load", dir.toString(), "--bootstrap", sasl,
                "--topic", KAFKA.uniqueName("movies"), "--dlq-topic", dlq));
        load.addAll(plainFlags);
        MoerecCliTest.Run loaded = MoerecCliTest.run(load.toArray(String[]::new));
        assertEquals(0, loaded.exit(), loaded.err());
        assertTrue(loaded.out().contains("sent " + EventLogFixture.MOVIES + ", rejected 0"), loaded.out());

        // Wrong password, PLAIN, flags win over the file.
        long t0 = System.nanoTime();
        MoerecCliTest.Run wrong = MoerecCliTest.run("replay", dir.resolve("events.jsonl").toString(), "--bootstrap", sasl,
                "--kafka-config", clientConfig.toString(), "--kafka-property", "sasl.mechanism=PLAIN",
                "--kafka-property", "sasl.jaas.config=" + ClientSecuritySettings.sasl("PLAIN", "alice", WRONG).get("sasl.jaas.config"),
                "--topic", events, "--dlq-topic", dlq);
        long wrongMs = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(1, wrong.exit(), wrong.out());
        assertRefusal(wrong.err(), "replay", "PLAIN", "alice");

        // Unknown user, SCRAM-SHA-512.
        List<String> stranger = new ArrayList<>(List.of("catalog", "load", dir.toString(), "--bootstrap", sasl));
        KAFKA.clientSettings(protocol, "SCRAM-SHA-512", "mallory", PASSWORD).forEach((k, v) -> {
            stranger.add("--kafka-property");
            stranger.add(k + "=" + v);
        });
        t0 = System.nanoTime();
        MoerecCliTest.Run unknown = MoerecCliTest.run(stranger.toArray(String[]::new));
        long unknownMs = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(1, unknown.exit(), unknown.out());
        assertRefusal(unknown.err(), "catalog load", "SCRAM-SHA-512", "mallory");
        LOG.info("wrong credentials refused at start-up over {}: replay (PLAIN, wrong password) in {} ms, catalog load "
                + "(SCRAM-SHA-512, unknown user) in {} ms", protocol, wrongMs, unknownMs);

        for (MoerecCliTest.Run r : List.of(replay, loaded, wrong, unknown)) {
            assertNoSecret(r);
        }
        SecurityLog.assertNoSecrets(secrets());
        assertTrue(log.lines() > 0);
    }

    @Test
    void replayAndCatalogLoadStopAtStartWhenTheBrokerCertificateIsNotTrusted(@TempDir Path dir) throws IOException {
        EventLogFixture.write(dir, 20, 5, 5, false, false);
        String tls = KAFKA.bootstrapServers(SecurityProtocol.SASL_SSL);
        Path clientConfig = writeClientConfig(dir, KAFKA.untrustingClientSettings("SCRAM-SHA-256", "alice", PASSWORD));
        long t0 = System.nanoTime();
        MoerecCliTest.Run replay = MoerecCliTest.run("replay", dir.resolve("events.jsonl").toString(), "--bootstrap", tls,
                "--kafka-config", clientConfig.toString(), "--topic", KAFKA.uniqueName("events"));
        long replayMs = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(1, replay.exit(), replay.out());
        SelfSignedTls.assertUntrusted(replay.err(), "replay", tls, KAFKA.tls().untrusted());
        t0 = System.nanoTime();
        MoerecCliTest.Run load = MoerecCliTest.run("catalog", "load", dir.toString(), "--bootstrap", tls,
                "--kafka-config", clientConfig.toString(), "--topic", KAFKA.uniqueName("movies"));
        long loadMs = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(1, load.exit(), load.out());
        SelfSignedTls.assertUntrusted(load.err(), "catalog load", tls, KAFKA.tls().untrusted());
        LOG.info("untrusted broker certificate refused at start-up: replay in {} ms, catalog load in {} ms: {}",
                replayMs, loadMs, replay.err().strip());
        assertNoSecret(replay);
        assertNoSecret(load);
        SecurityLog.assertNoSecrets(secrets());
    }

    private static Path writeClientConfig(Path dir, Map<String, String> settings) throws IOException {
        Path clientConfig = dir.resolve("client.properties");
        Properties p = new Properties();
        p.putAll(settings);
        try (Writer w = Files.newBufferedWriter(clientConfig, StandardCharsets.UTF_8)) {
            p.store(w, null);
        }
        return clientConfig;
    }

    private static String[] secrets() {
        List<String> all = new ArrayList<>(List.of(PASSWORD, WRONG));
        all.addAll(List.of(KAFKA.tls().passwords()));
        return all.toArray(String[]::new);
    }

    private static void assertNoSecret(MoerecCliTest.Run r) {
        for (String secret : secrets()) {
            assertFalse(r.out().contains(secret) || r.err().contains(secret), r.err());
        }
    }

    static void assertRefusal(String err, String who, String mechanism, String user) {
        assertTrue(err.contains(who + ": authentication failed"), err);
        assertTrue(err.contains("SASL mechanism " + mechanism) && err.contains("user '" + user + "'"), err);
    }
}
