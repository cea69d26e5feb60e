package io.moerec.ingest.config;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.config.SslConfigs;
import org.apache.kafka.common.config.types.Password;
import org.apache.kafka.common.security.JaasContext;

/**
 * Standard Kafka client properties passed through from an app's configuration (security settings
 * above all: {@code security.protocol}, {@code sasl.*}, {@code ssl.*}): validated when the
 * configuration is built, so that a mistyped key or a bad value stops start-up with the key's name
 * (as the user wrote it, with its prefix) and never with a secret value; and masked wherever a
 * configuration is printed. The three apps share this class: the replay CLI ({@code --kafka-property},
 * {@code --kafka-config}), the features job ({@code kafka.*}) and the scoring app ({@code streams.*}).
 */
public final class KafkaClientProperties {

    /** What a secret value is printed as. */
    public static final String MASK = LayeredConfig.MASK;

    private static final List<ConfigDef> CLIENT_DEFS =
            List.of(ProducerConfig.configDef(), ConsumerConfig.configDef(), AdminClientConfig.configDef());

    private static final Pattern USERNAME = Pattern.compile("\\busername\\s*=\\s*\"([^\"]*)\"");

    private KafkaClientProperties() {
    }

    /** Every property name a Kafka producer, consumer or admin client knows. */
    public static Set<String> clientPropertyNames() {
        Set<String> names = new TreeSet<>();
        CLIENT_DEFS.forEach(d -> names.addAll(d.names()));
        return names;
    }

    /**
     * Validates client properties written as {@code prefix + name}: each name must be known to a
     * producer, consumer or admin client and not in {@code owned} (settings the app derives from its
     * own keys), and each value must parse and pass Kafka's own validator; {@code sasl.jaas.config}
     * must parse as a JAAS entry. Returns the properties unchanged (values trimmed), in key order.
     *
     * @throws IllegalArgumentException naming {@code prefix + name}, without the value of a secret
     */
    public static Map<String, String> validate(String prefix, Map<String, String> properties, Map<String, String> owned) {
        Map<String, String> out = new TreeMap<>();
        for (Map.Entry<String, String> e : properties.entrySet()) {
            String name = e.getKey();
            String value = e.getValue() == null ? "" : e.getValue().trim();
            if (owned.containsKey(name)) {
                throw new IllegalArgumentException(prefix + name + " is set by the app; use " + owned.get(name) + " instead");
            }
            ConfigDef.ConfigKey key = clientKey(name);
            if (key == null) {
                throw new IllegalArgumentException("unknown Kafka client property " + prefix + name
                        + " (not a producer, consumer or admin client setting)");
            }
            validateValue(prefix + name, key, value);
            out.put(name, value);
        }
        return out;
    }

    /**
     * Validates one value against a client property's definition (type, validator; a JAAS entry for
     * {@code sasl.jaas.config}); {@code shownName} is the name used in the message. Does nothing for
     * names no client knows.
     */
    public static void validateValue(String shownName, String name, String value) {
        ConfigDef.ConfigKey key = clientKey(name);
        if (key != null) {
            validateValue(shownName, key, value.trim());
        }
    }

    private static void validateValue(String shownName, ConfigDef.ConfigKey key, String value) {
        boolean secret = isSecret(key.name);
        try {
            Object parsed = ConfigDef.parseType(key.name, value, key.type);
            if (key.validator != null) {
                key.validator.ensureValid(key.name, parsed);
            }
        } catch (ConfigException e) {
            throw new IllegalArgumentException(shownName + ": invalid value"
                    + (secret ? "" : " '" + value + "'" + reason(e)));
        }
        if (key.name.equals(SaslConfigs.SASL_JAAS_CONFIG)) {
            try {
                JaasContext.loadClientContext(Map.of(SaslConfigs.SASL_JAAS_CONFIG, new Password(value)));
            } catch (RuntimeException e) {
                // The parser's message may quote the text, which holds the password: leave it out.
                throw new IllegalArgumentException(shownName + " is not a valid JAAS entry; expected "
                        + "'<LoginModule class> required username=\"...\" password=\"...\";'");
            }
        }
    }

    private static String reason(ConfigException e) {
        String m = e.getMessage();
        int i = m == null ? -1 : m.indexOf(": ");
        return i < 0 ? "" : " (" + m.substring(i + 2) + ")";
    }

    private static ConfigDef.ConfigKey clientKey(String name) {
        for (ConfigDef d : CLIENT_DEFS) {
            ConfigDef.ConfigKey k = d.configKeys().get(name);
            if (k != null) {
                return k;
            }
        }
        return null;
    }

    /**
     * Whether a property's value is secret: a Kafka {@code PASSWORD}-typed setting (such as
     * {@code sasl.jaas.config} or {@code ssl.keystore.password}), or a name that holds
     * {@code password}, {@code secret}, {@code jaas} or {@code credential}, or a private key
     * ({@code ssl.keystore.key}). Prefixed names ({@code producer.ssl.key.password}) count too.
     */
    public static boolean isSecret(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        if (n.contains("password") || n.contains("secret") || n.contains("jaas") || n.contains("credential")
                || n.endsWith("ssl.keystore.key") || n.endsWith("basic.auth.user.info")) {
            return true;
        }
        for (String rest = n; ; ) {
            ConfigDef.ConfigKey k = clientKey(rest);
            if (k != null && k.type == ConfigDef.Type.PASSWORD) {
                return true;
            }
            int dot = rest.indexOf('.');
            if (dot < 0) {
                return false;
            }
            rest = rest.substring(dot + 1);
        }
    }

    /** The value, or {@link #MASK} if {@link #isSecret secret}. */
    public static String mask(String name, String value) {
        return isSecret(name) ? MASK : value;
    }

    /** A copy with secret values replaced by {@link #MASK}, for logs and {@code toString}. */
    public static Map<String, String> masked(Map<String, String> properties) {
        Map<String, String> out = new LinkedHashMap<>();
        properties.forEach((k, v) -> out.put(k, mask(k, v)));
        return out;
    }

    /**
     * How these client properties authenticate, for messages: the security protocol, the SASL
     * mechanism and the user name of a {@code username="..."} JAAS option (never the password), and
     * with TLS the truststore that decides whether the broker is trusted (its location, the inline
     * PEM certificates, or the JVM's default).
     */
    public static String describeAuthentication(Map<String, ?> properties) {
        Object protocol = properties.get(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG);
        String p = protocol == null ? "PLAINTEXT" : protocol.toString().toUpperCase(Locale.ROOT);
        StringBuilder sb = new StringBuilder("security.protocol ").append(p);
        if (p.startsWith("SASL")) {
            Object mechanism = properties.get(SaslConfigs.SASL_MECHANISM);
            sb.append(", SASL mechanism ").append(mechanism == null ? SaslConfigs.DEFAULT_SASL_MECHANISM : mechanism);
            Object jaas = properties.get(SaslConfigs.SASL_JAAS_CONFIG);
            String text = jaas instanceof Password pw ? pw.value() : jaas == null ? null : jaas.toString();
            if (text != null) {
                Matcher m = USERNAME.matcher(text);
                if (m.find()) {
                    sb.append(", user '").append(m.group(1)).append('\'');
                }
            }
        }
        if (p.endsWith("SSL")) {
            Object location = properties.get(SslConfigs.SSL_TRUSTSTORE_LOCATION_CONFIG);
            if (location != null && !location.toString().isBlank()) {
                sb.append(", truststore ").append(location);
            } else if (properties.get(SslConfigs.SSL_TRUSTSTORE_CERTIFICATES_CONFIG) != null) {
                sb.append(", truststore from ").append(SslConfigs.SSL_TRUSTSTORE_CERTIFICATES_CONFIG);
            } else {
                sb.append(", the JVM's default truststore");
            }
        }
        return sb.toString();
    }

    /**
     * The subset of client properties that decides how a connection is made and authenticated
     * ({@code security.protocol}, {@code security.providers}, {@code sasl.*}, {@code ssl.*},
     * {@code client.dns.lookup}): what an app hands to a helper client of its own (a preflight check,
     * a watcher) besides the main ones.
     */
    public static Map<String, String> connectionSettings(Map<String, String> properties) {
        Map<String, String> out = new TreeMap<>();
        properties.forEach((k, v) -> {
            if (k.startsWith("sasl.") || k.startsWith("ssl.") || k.equals(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG)
                    || k.equals("security.providers") || k.equals(CommonClientConfigs.CLIENT_DNS_LOOKUP_CONFIG)) {
                out.put(k, v);
            }
        });
        return out;
    }
}
