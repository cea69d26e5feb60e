package io.moerec.jobs.broker;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.config.SslConfigs;

/**
 * The standard Kafka client settings that reach a SASL or TLS listener, without
 * {@code bootstrap.servers}: what an operator writes into a client properties file, and what tests
 * hand to their clients of an {@link EmbeddedKafkaBroker}.
 */
public final class ClientSecuritySettings {

    private ClientSecuritySettings() {
    }

    /**
     * SASL over plain TCP ({@code security.protocol=SASL_PLAINTEXT}) as {@code username} with
     * {@code mechanism} ({@code PLAIN}, {@code SCRAM-SHA-256} or {@code SCRAM-SHA-512}). Wrong
     * credentials are allowed, for tests of refusals.
     */
    public static Map<String, String> sasl(String mechanism, String username, String password) {
        String module = switch (mechanism) {
            case "PLAIN" -> "org.apache.kafka.common.security.plain.PlainLoginModule";
            case "SCRAM-SHA-256", "SCRAM-SHA-512" -> "org.apache.kafka.common.security.scram.ScramLoginModule";
            default -> throw new IllegalArgumentException("mechanism must be PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512, got " + mechanism);
        };
        Map<String, String> props = new LinkedHashMap<>();
        props.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SASL_PLAINTEXT");
        props.put(SaslConfigs.SASL_MECHANISM, mechanism);
        props.put(SaslConfigs.SASL_JAAS_CONFIG, module + " required username=\"" + username + "\" password=\"" + password + "\";");
        return props;
    }

    /**
     * TLS without SASL ({@code security.protocol=SSL}) trusting the certificates of a PKCS12
     * truststore. Hostname verification stays on (Kafka's default), so the broker's certificate must
     * name 127.0.0.1.
     */
    public static Map<String, String> ssl(Path truststore, String truststorePassword) {
        Map<String, String> props = new LinkedHashMap<>();
        props.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SSL");
        props.put(SslConfigs.SSL_TRUSTSTORE_TYPE_CONFIG, "PKCS12");
        props.put(SslConfigs.SSL_TRUSTSTORE_LOCATION_CONFIG, truststore.toAbsolutePath().toString());
        props.put(SslConfigs.SSL_TRUSTSTORE_PASSWORD_CONFIG, truststorePassword);
        return props;
    }

    /** {@link #sasl} over {@link #ssl}: {@code security.protocol=SASL_SSL}. */
    public static Map<String, String> saslSsl(String mechanism, String username, String password,
                                              Path truststore, String truststorePassword) {
        Map<String, String> props = sasl(mechanism, username, password);
        props.putAll(ssl(truststore, truststorePassword));
        props.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SASL_SSL");
        return props;
    }
}
