package io.moerec.jobs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.moerec.jobs.broker.EmbeddedKafkaBroker;
import io.moerec.jobs.broker.KafkaBrokerExtension;
import io.moerec.jobs.testing.EventLogFixture;
import io.moerec.jobs.testing.SecurityLog;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Replay and catalog load against the embedded broker's SASL listener: with the right credentials
 * (a client properties file, or {@code --kafka-property} flags) they publish; with a wrong password
 * or an unknown user they stop at start-up saying that authentication failed, with the mechanism and
 * the user, and the password is in neither the output nor the log.
 */
class CliSaslTest {

    private static final Logger LOG = LoggerFactory.getLogger(CliSaslTest.class);
    private static final String PASSWORD = "alice-" + UUID.randomUUID();
    private static final String WRONG = "wrong-" + UUID.randomUUID();

    @RegisterExtension
    static final KafkaBrokerExtension KAFKA = KafkaBrokerExtension.withSaslUsers(Map.of("alice", PASSWORD));

    @Test
    void replayAndCatalogLoadPublishOverSaslAndStopOnWrongCredentials(@TempDir Path dir) throws IOException {
        EventLogFixture.Written log = EventLogFixture.write(dir, 300, 10, 5, false, false);
        String sasl = KAFKA.broker().saslBootstrapServers();
        Path clientConfig = dir.resolve("client.properties");
        Properties p = new Properties();
        p.putAll(EmbeddedKafkaBroker.saslSettings("SCRAM-SHA-256", "alice", PASSWORD));
        try (Writer w = Files.newBufferedWriter(clientConfig, StandardCharsets.UTF_8)) {
            p.store(w, null);
        }
        String events = KAFKA.uniqueName("events");
        String dlq = KAFKA.uniqueName("dlq");

        MoerecCliTest.Run replay = MoerecCliTest.run("replay", dir.resolve("events.jsonl").toString(), "--bootstrap", sasl,
                "--kafka-config", clientConfig.toString(), "--topic", events, "--dlq-topic", dlq);
        assertEquals(0, replay.exit(), replay.err());
        assertTrue(replay.out().contains("sent 300, rejected 0"), replay.out());

        List<String> plainFlags = new ArrayList<>();
        EmbeddedKafkaBroker.saslSettings("PLAIN", "alice", PASSWORD).forEach((k, v) -> {
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
                "--kafka-property", "sasl.jaas.config=" + EmbeddedKafkaBroker.saslSettings("PLAIN", "alice", WRONG).get("sasl.jaas.config"),
                "--topic", events, "--dlq-topic", dlq);
        long wrongMs = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(1, wrong.exit(), wrong.out());
        assertRefusal(wrong.err(), "replay", "PLAIN", "alice");

        // Unknown user, SCRAM-SHA-512.
        List<String> stranger = new ArrayList<>(List.of("catalog", "load", dir.toString(), "--bootstrap", sasl));
        EmbeddedKafkaBroker.saslSettings("SCRAM-SHA-512", "mallory", PASSWORD).forEach((k, v) -> {
            stranger.add("--kafka-property");
            stranger.add(k + "=" + v);
        });
        t0 = System.nanoTime();
        MoerecCliTest.Run unknown = MoerecCliTest.run(stranger.toArray(String[]::new));
        long unknownMs = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(1, unknown.exit(), unknown.out());
        assertRefusal(unknown.err(), "catalog load", "SCRAM-SHA-512", "mallory");
        LOG.info("wrong credentials refused at start-up: replay (PLAIN, wrong password) in {} ms, catalog load "
                + "(SCRAM-SHA-512, unknown user) in {} ms", wrongMs, unknownMs);

        for (MoerecCliTest.Run r : List.of(replay, loaded, wrong, unknown)) {
            assertFalse(r.out().contains(PASSWORD) || r.err().contains(PASSWORD) || r.err().contains(WRONG), r.err());
        }
        SecurityLog.assertNoSecrets(PASSWORD, WRONG);
        assertTrue(log.lines() > 0);
    }

    static void assertRefusal(String err, String who, String mechanism, String user) {
        assertTrue(err.contains(who + ": authentication failed"), err);
        assertTrue(err.contains("SASL mechanism " + mechanism) && err.contains("user '" + user + "'"), err);
    }
}
