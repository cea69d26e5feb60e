package io.moerec.jobs.broker;

import io.moerec.ingest.topic.Topic;
import io.moerec.jobs.testing.SelfSignedTls;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Gives a test class one running {@link EmbeddedKafkaBroker}: started before the class's first test,
 * closed (data deleted) after its last. Use either {@code @ExtendWith(KafkaBrokerExtension.class)} and
 * take an {@link EmbeddedKafkaBroker} parameter (constructor, lifecycle or test method), or
 * {@code @RegisterExtension static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();}
 * and call {@link #broker()}. The broker starts with no topics; tests create their own, preferably
 * under unique names ({@link #createUniqueTopic(Topic)}), so that tests of one class never see each
 * other's records. {@code @Nested} classes share their outer class's broker.
 *
 * <p>{@link #withSaslUsersAndTls} also gives the broker a {@code SASL_SSL} listener with throw-away
 * self-signed key material ({@link SelfSignedTls#shared}: made before the first such broker of the
 * test JVM starts, deleted at the end of the run); {@link #bootstrapServers(SecurityProtocol)} and {@link #clientSettings} reach either secured
 * listener, so that one test body can run over {@code SASL_PLAINTEXT} and {@code SASL_SSL}.
 */
public final class KafkaBrokerExtension implements BeforeAllCallback, AfterAllCallback, ParameterResolver {

    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(KafkaBrokerExtension.class);
    private static final String KEY = "broker";

    private final AtomicInteger topicCounter = new AtomicInteger();
    private final Map<String, String> saslUsers;
    private final boolean withTls;
    private volatile EmbeddedKafkaBroker broker;
    private volatile SelfSignedTls tls;

    public KafkaBrokerExtension() {
        this(Map.of(), false);
    }

    private KafkaBrokerExtension(Map<String, String> saslUsers, boolean withTls) {
        this.saslUsers = new LinkedHashMap<>(saslUsers);
        this.withTls = withTls;
    }

    /**
     * A broker that also has a SASL listener ({@link EmbeddedKafkaBroker#saslBootstrapServers()}) for
     * these users (name to password), each usable with PLAIN, SCRAM-SHA-256 and SCRAM-SHA-512.
     */
    public static KafkaBrokerExtension withSaslUsers(Map<String, String> users) {
        if (users.isEmpty()) {
            throw new IllegalArgumentException("at least one SASL user");
        }
        return new KafkaBrokerExtension(users, false);
    }

    /**
     * Like {@link #withSaslUsers}, plus a {@code SASL_SSL} listener for the same users whose
     * certificate only {@link SelfSignedTls#trusted() tls().trusted()} trusts.
     */
    public static KafkaBrokerExtension withSaslUsersAndTls(Map<String, String> users) {
        if (users.isEmpty()) {
            throw new IllegalArgumentException("at least one SASL user");
        }
        return new KafkaBrokerExtension(users, true);
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        if (context.getStore(NS).get(KEY, EmbeddedKafkaBroker.class) != null) {
            return; // a @Nested class: the outer class's broker serves it
        }
        EmbeddedKafkaBroker.Builder builder = EmbeddedKafkaBroker.builder();
        saslUsers.forEach(builder::saslUser);
        if (withTls) {
            tls = SelfSignedTls.shared(context);
            builder.tls(tls.brokerKeystore().path(), tls.brokerKeystore().password());
        }
        EmbeddedKafkaBroker started = builder.start();
        context.getStore(NS).put(KEY, started);
        broker = started;
    }

    @Override
    public void afterAll(ExtensionContext context) {
        // Only the context that started the broker stops it: getRoot-wards lookups would find the
        // outer class's broker from a @Nested class, so look at this context's own entry.
        EmbeddedKafkaBroker own = context.getStore(NS).remove(KEY, EmbeddedKafkaBroker.class);
        if (own != null) {
            own.close();
            if (own == broker) {
                broker = null;
            }
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return parameterContext.getParameter().getType() == EmbeddedKafkaBroker.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return extensionContext.getStore(NS).get(KEY, EmbeddedKafkaBroker.class);
    }

    /** The running broker of the current test class. */
    public EmbeddedKafkaBroker broker() {
        EmbeddedKafkaBroker b = broker;
        if (b == null) {
            throw new IllegalStateException("no broker: register this extension on a static field with @RegisterExtension");
        }
        return b;
    }

    public String bootstrapServers() {
        return broker().bootstrapServers();
    }

    /** The key material of a {@link #withSaslUsersAndTls} broker. */
    public SelfSignedTls tls() {
        SelfSignedTls t = tls;
        if (t == null) {
            throw new IllegalStateException("no TLS: create this extension with withSaslUsersAndTls(...)");
        }
        return t;
    }

    /** The bootstrap servers of the listener that speaks {@code SASL_PLAINTEXT} or {@code SASL_SSL}. */
    public String bootstrapServers(SecurityProtocol protocol) {
        return switch (protocol) {
            case SASL_PLAINTEXT -> broker().saslBootstrapServers();
            case SASL_SSL -> broker().tlsBootstrapServers();
            default -> throw new IllegalArgumentException("no " + protocol + " listener here");
        };
    }

    /**
     * The client settings (without {@code bootstrap.servers}) that reach the {@code protocol} listener
     * as {@code username}; over TLS trusting the broker's certificate.
     */
    public Map<String, String> clientSettings(SecurityProtocol protocol, String mechanism, String username, String password) {
        return switch (protocol) {
            case SASL_PLAINTEXT -> ClientSecuritySettings.sasl(mechanism, username, password);
            case SASL_SSL -> ClientSecuritySettings.saslSsl(mechanism, username, password,
                    tls().trusted().path(), tls().trusted().password());
            default -> throw new IllegalArgumentException("no " + protocol + " listener here");
        };
    }

    /** {@link #clientSettings} plus {@code bootstrap.servers}: for a test's own producers and consumers. */
    public Map<String, Object> clientProperties(SecurityProtocol protocol, String mechanism, String username, String password) {
        Map<String, Object> props = new LinkedHashMap<>();
        props.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(protocol));
        props.putAll(clientSettings(protocol, mechanism, username, password));
        return props;
    }

    /** {@link #clientSettings} over TLS, but trusting an unrelated certificate instead of the broker's. */
    public Map<String, String> untrustingClientSettings(String mechanism, String username, String password) {
        return ClientSecuritySettings.saslSsl(mechanism, username, password,
                tls().untrusted().path(), tls().untrusted().password());
    }

    /**
     * Creates a topic like {@code template} (partitions, config, serdes) under a name no other test
     * uses, e.g. {@code viewing-events-3-1a2b3c4d}, and returns its descriptor.
     */
    public <K, V> Topic<K, V> createUniqueTopic(Topic<K, V> template) {
        Topic<K, V> topic = template.withName(uniqueName(template.name()));
        broker().createTopics(List.of(topic));
        return topic;
    }

    /** A fresh topic name with this prefix (not created). */
    public String uniqueName(String prefix) {
        return prefix + "-" + topicCounter.incrementAndGet() + "-" + UUID.randomUUID().toString().substring(0, 8);
    }
}
