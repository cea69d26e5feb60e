package io.moerec.ingest.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class KafkaClientPropertiesTest {

    static final String SECRET = "s3cret-Pa55";
    static final String JAAS = "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"alice\" password=\""
            + SECRET + "\";";

    @Test
    void standardSecuritySettingsPassThroughUnchanged() {
        Map<String, String> in = Map.of("security.protocol", "SASL_SSL", "sasl.mechanism", "SCRAM-SHA-512",
                "sasl.jaas.config", JAAS, "ssl.truststore.location", "/etc/kafka/truststore.jks",
                "ssl.truststore.password", SECRET, "ssl.endpoint.identification.algorithm", "https");
        assertEquals(in, KafkaClientProperties.validate("kafka.", in, Map.of()));
    }

    @Test
    void aMistypedKeyOrABadValueFailsNamingTheKeyWithItsPrefix() {
        IllegalArgumentException typo = assertThrows(IllegalArgumentException.class,
                () -> KafkaClientProperties.validate("kafka.", Map.of("sasl.mechansim", "PLAIN"), Map.of()));
        assertTrue(typo.getMessage().contains("kafka.sasl.mechansim"), typo.getMessage());
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                () -> KafkaClientProperties.validate("kafka.", Map.of("security.protocol", "SASL_PLAINTXT"), Map.of()));
        assertTrue(bad.getMessage().contains("kafka.security.protocol") && bad.getMessage().contains("SASL_PLAINTXT"), bad.getMessage());
        IllegalArgumentException owned = assertThrows(IllegalArgumentException.class,
                () -> KafkaClientProperties.validate("", Map.of("bootstrap.servers", "x:1"), Map.of("bootstrap.servers", "--bootstrap")));
        assertTrue(owned.getMessage().contains("--bootstrap"), owned.getMessage());
    }

    @Test
    void aBadJaasEntryFailsNamingTheKeyButNeverQuotingIt() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> KafkaClientProperties.validate("kafka.",
                Map.of("sasl.jaas.config", "ScramLoginModule username=\"alice\" password=\"" + SECRET + "\""), Map.of()));
        assertTrue(e.getMessage().contains("kafka.sasl.jaas.config"), e.getMessage());
        assertFalse(e.getMessage().contains(SECRET), e.getMessage());
        assertNull(e.getCause(), "the parser's message would quote the text");
    }

    @Test
    void secretsAreMaskedAndTheUserIsNamedWithoutThePassword() {
        for (String k : new String[] {"sasl.jaas.config", "ssl.keystore.password", "ssl.truststore.password", "ssl.key.password",
                "ssl.keystore.key", "producer.ssl.key.password", "main.consumer.sasl.jaas.config"}) {
            assertTrue(KafkaClientProperties.isSecret(k), k);
        }
        for (String k : new String[] {"security.protocol", "sasl.mechanism", "ssl.truststore.location", "bootstrap.servers"}) {
            assertFalse(KafkaClientProperties.isSecret(k), k);
        }
        Map<String, String> masked = KafkaClientProperties.masked(Map.of("sasl.jaas.config", JAAS, "sasl.mechanism", "PLAIN"));
        assertEquals(Map.of("sasl.jaas.config", KafkaClientProperties.MASK, "sasl.mechanism", "PLAIN"), masked);
        String auth = KafkaClientProperties.describeAuthentication(Map.of("security.protocol", "SASL_SSL",
                "sasl.mechanism", "SCRAM-SHA-512", "sasl.jaas.config", JAAS));
        assertEquals("security.protocol SASL_SSL, SASL mechanism SCRAM-SHA-512, user 'alice', the JVM's default truststore", auth);
    }

    @Test
    void tlsStorePasswordsAreMaskedAndTheTruststoreIsNamed() {
        Map<String, String> tls = Map.of("security.protocol", "SSL", "ssl.truststore.location", "/etc/moerec/trust.p12",
                "ssl.truststore.password", SECRET, "ssl.keystore.location", "/etc/moerec/client.p12",
                "ssl.keystore.password", SECRET, "ssl.key.password", SECRET);
        Map<String, String> masked = KafkaClientProperties.masked(tls);
        assertFalse(masked.toString().contains(SECRET), masked.toString());
        assertEquals(KafkaClientProperties.MASK, masked.get("ssl.key.password"));
        assertEquals("/etc/moerec/trust.p12", masked.get("ssl.truststore.location"));
        String auth = KafkaClientProperties.describeAuthentication(tls);
        assertEquals("security.protocol SSL, truststore /etc/moerec/trust.p12", auth);
        assertEquals("security.protocol SSL, truststore from ssl.truststore.certificates",
                KafkaClientProperties.describeAuthentication(Map.of("security.protocol", "ssl",
                        "ssl.truststore.certificates", "-----BEGIN CERTIFICATE-----")));
        assertEquals("security.protocol SASL_PLAINTEXT, SASL mechanism GSSAPI",
                KafkaClientProperties.describeAuthentication(Map.of("security.protocol", "SASL_PLAINTEXT")));
    }
}
