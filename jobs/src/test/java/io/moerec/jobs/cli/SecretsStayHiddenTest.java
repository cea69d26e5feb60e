package io.moerec.jobs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.moerec.jobs.features.FeaturesJob;
import io.moerec.features.flink.FeaturesJobConfig;
import io.moerec.moe.streams.ScoringApp;
import io.moerec.moe.streams.ScoringConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Security settings of the three apps: passed through, validated naming the key, and never printed:
 * not by a configuration's {@code toString} (what the apps log at start), not in {@code --help}, not
 * in a validation error.
 */
class SecretsStayHiddenTest {

    static final String SECRET = "pw-7f3a9c";
    static final String JAAS = "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"alice\" password=\""
            + SECRET + "\";";

    @Test
    void featuresJobTakesKafkaSettingsFromFileEnvironmentAndFlagsAndMasksThem() throws Exception {
        Map<String, String> env = Map.of(FeaturesJobConfig.SPEC.environmentVariable("kafka.sasl.jaas.config"), JAAS);
        assertEquals("MOEREC_FEATURES_KAFKA_SASL_JAAS_CONFIG", FeaturesJobConfig.SPEC.environmentVariable("kafka.sasl.jaas.config"));
        FeaturesJobConfig c = FeaturesJob.parseArgs(new String[] {"-s", "bootstrap.servers=h:9093",
                "-s", "kafka.security.protocol=SASL_PLAINTEXT", "-s", "kafka.sasl.mechanism=PLAIN"}, env).orElseThrow();
        assertEquals(Map.of("bootstrap.servers", "h:9093", "security.protocol", "SASL_PLAINTEXT", "sasl.mechanism", "PLAIN",
                "sasl.jaas.config", JAAS), c.kafkaClientProperties());
        assertFalse(c.toString().contains(SECRET), c.toString());
        assertTrue(c.toString().contains("sasl.jaas.config=[hidden]"), c.toString());

        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> FeaturesJob.parseArgs(new String[] {
                "-s", "bootstrap.servers=h:9093", "-s", "kafka.security.protocol=SASL_PLAINTXT"}, Map.of()));
        assertTrue(bad.getMessage().contains("kafka.security.protocol"), bad.getMessage());
        IllegalArgumentException owned = assertThrows(IllegalArgumentException.class, () -> FeaturesJob.parseArgs(new String[] {
                "-s", "bootstrap.servers=h:9093", "-s", "kafka.group.id=x"}, Map.of()));
        assertTrue(owned.getMessage().contains("kafka.group.id") && owned.getMessage().contains("use group.id"), owned.getMessage());
    }

    @Test
    void scoringAppPassesSecuritySettingsToEveryClientAndMasksThem() throws Exception {
        Map<String, String> env = Map.of(ScoringConfig.SPEC.environmentVariable("streams.sasl.jaas.config"), JAAS);
        assertEquals("MOEREC_SCORING_STREAMS_SASL_JAAS_CONFIG", ScoringConfig.SPEC.environmentVariable("streams.sasl.jaas.config"));
        ScoringConfig c = ScoringApp.parseArgs(new String[] {"-s", "bootstrap.servers=h:9093", "-s", "model.path=/m",
                "-s", "streams.security.protocol=SASL_PLAINTEXT", "-s", "streams.sasl.mechanism=PLAIN",
                "-s", "streams.commit.interval.ms=100"}, env).orElseThrow();
        // Kafka Streams gives unprefixed client settings to its producer, consumers and admin client;
        // the app's own model watcher and start-up check get the connection settings.
        assertEquals(JAAS, c.streamsProperties(0).get("sasl.jaas.config"));
        assertEquals(Map.of("bootstrap.servers", "h:9093", "security.protocol", "SASL_PLAINTEXT", "sasl.mechanism", "PLAIN",
                "sasl.jaas.config", JAAS), c.kafkaClientProperties());
        assertFalse(c.toString().contains(SECRET), c.toString());
        assertTrue(c.toString().contains("sasl.jaas.config=[hidden]"), c.toString());

        Map<String, String> base = new HashMap<>(Map.of("bootstrap.servers", "h:9093", "model.path", "/m"));
        base.put("streams.sasl.mechansim", "PLAIN");
        IllegalArgumentException typo = assertThrows(IllegalArgumentException.class, () -> ScoringConfig.fromMap(base));
        assertTrue(typo.getMessage().contains("streams.sasl.mechansim"), typo.getMessage());
        base.remove("streams.sasl.mechansim");
        base.put("streams.producer.ssl.key.password", "");
        base.put("streams.security.protocol", "TLS");
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> ScoringConfig.fromMap(base));
        assertTrue(bad.getMessage().contains("streams.security.protocol"), bad.getMessage());
    }

    @Test
    void tlsStorePasswordsAreMaskedInTheConfigurationsTheAppsLog() throws Exception {
        String[] tls = {"security.protocol=SSL", "ssl.truststore.location=/etc/moerec/trust.p12", "ssl.truststore.password=" + SECRET,
                "ssl.keystore.location=/etc/moerec/client.p12", "ssl.keystore.password=" + SECRET, "ssl.key.password=" + SECRET};
        List<String> features = new ArrayList<>(List.of("-s", "bootstrap.servers=h:9093"));
        List<String> scoring = new ArrayList<>(List.of("-s", "bootstrap.servers=h:9093", "-s", "model.path=/m"));
        for (String kv : tls) {
            features.addAll(List.of("-s", "kafka." + kv));
            scoring.addAll(List.of("-s", "streams." + kv));
        }
        FeaturesJobConfig f = FeaturesJob.parseArgs(features.toArray(String[]::new), Map.of()).orElseThrow();
        ScoringConfig c = ScoringApp.parseArgs(scoring.toArray(String[]::new), Map.of()).orElseThrow();
        assertEquals(SECRET, f.kafkaClientProperties().get("ssl.truststore.password"), "passed through unchanged");
        assertEquals(SECRET, c.kafkaClientProperties().get("ssl.key.password"), "passed through unchanged");
        for (String printed : new String[] {f.toString(), c.toString()}) {
            assertFalse(printed.contains(SECRET), printed);
            for (String key : new String[] {"ssl.truststore.password", "ssl.keystore.password", "ssl.key.password"}) {
                assertTrue(printed.contains(key + "=[hidden]"), printed);
            }
            assertTrue(printed.contains("ssl.truststore.location=/etc/moerec/trust.p12"), printed);
        }
    }

    @Test
    void everyEnvironmentVariableNamesOneKey() {
        for (Set<String> keys : java.util.List.of(FeaturesJobConfig.SPEC.environmentKeys(), ScoringConfig.SPEC.environmentKeys())) {
            Set<String> vars = new HashSet<>();
            for (String k : keys) {
                assertTrue(vars.add(io.moerec.ingest.config.LayeredConfig.environmentVariable("P_", k)), "two keys share a variable: " + k);
            }
        }
    }

    @Test
    void helpNeverShowsAGivenSecret(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        for (String[] args : new String[][] {
                {"replay", dir.toString(), "--bootstrap", "h:1", "--kafka-property", "sasl.jaas.config=" + JAAS,
                    "--kafka-property", "ssl.truststore.password=" + SECRET, "--help"},
                {"catalog", "load", dir.toString(), "--bootstrap", "h:1", "--kafka-property", "sasl.jaas.config=" + JAAS, "--help"},
                {"score", "-s", "streams.sasl.jaas.config=" + JAAS, "-s", "streams.ssl.keystore.password=" + SECRET, "--help"}}) {
            MoerecCliTest.Run r = MoerecCliTest.run(args);
            assertEquals(0, r.exit(), r.err());
            assertTrue(r.out().contains("Usage:"), r.out());
            assertFalse(r.out().contains(SECRET) || r.err().contains(SECRET), String.join(" ", args));
        }
        MoerecCliTest.Run replayHelp = MoerecCliTest.run("replay", "--help");
        assertTrue(replayHelp.out().contains("--kafka-config") && replayHelp.out().contains("--kafka-property"), replayHelp.out());
        String featuresHelp = stdout(() -> FeaturesJob.parseArgs(new String[] {"-s", "kafka.sasl.jaas.config=" + JAAS, "--help"},
                Map.of(FeaturesJobConfig.SPEC.environmentVariable("kafka.ssl.key.password"), SECRET)));
        String scoringHelp = stdout(() -> ScoringApp.parseArgs(new String[] {"-s", "streams.sasl.jaas.config=" + JAAS, "--help"},
                Map.of()));
        for (String help : new String[] {featuresHelp, scoringHelp}) {
            assertTrue(help.contains("Usage:"), help);
            assertFalse(help.contains(SECRET), help);
        }
        // A bad JAAS entry on the command line: the error names the option's key, not the text.
        MoerecCliTest.Run bad = MoerecCliTest.run("replay", dir.toString(), "--bootstrap", "h:1",
                "--kafka-property", "sasl.jaas.config=PlainLoginModule password=\"" + SECRET + "\"");
        assertNotEquals(0, bad.exit());
        assertTrue(bad.err().contains("sasl.jaas.config"), bad.err());
        assertFalse(bad.err().contains(SECRET), bad.err());
    }

    interface Action {
        void run() throws Exception;
    }

    private static String stdout(Action a) throws Exception {
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            a.run();
        } finally {
            System.setOut(old);
        }
        return buf.toString(StandardCharsets.UTF_8);
    }
}
