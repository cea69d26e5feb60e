package io.moerec.jobs.broker;

import io.moerec.ingest.topic.Topic;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
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
 */
public final class KafkaBrokerExtension implements BeforeAllCallback, AfterAllCallback, ParameterResolver {

    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(KafkaBrokerExtension.class);
    private static final String KEY = "broker";

    private final AtomicInteger topicCounter = new AtomicInteger();
    private final Map<String, String> saslUsers;
    private volatile EmbeddedKafkaBroker broker;

    public KafkaBrokerExtension() {
        this(Map.of());
    }

    private KafkaBrokerExtension(Map<String, String> saslUsers) {
        this.saslUsers = new LinkedHashMap<>(saslUsers);
    }

    /**
     * A broker that also has a SASL listener ({@link EmbeddedKafkaBroker#saslBootstrapServers()}) for
     * these users (name to password), each usable with PLAIN, SCRAM-SHA-256 and SCRAM-SHA-512.
     */
    public static KafkaBrokerExtension withSaslUsers(Map<String, String> users) {
        if (users.isEmpty()) {
            throw new IllegalArgumentException("at least one SASL user");
        }
        return new KafkaBrokerExtension(users);
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        if (context.getStore(NS).get(KEY, EmbeddedKafkaBroker.class) != null) {
            return; // a @Nested class: the outer class's broker serves it
        }
        EmbeddedKafkaBroker.Builder builder = EmbeddedKafkaBroker.builder();
        saslUsers.forEach(builder::saslUser);
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
