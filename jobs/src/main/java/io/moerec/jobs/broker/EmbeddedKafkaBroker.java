package io.moerec.jobs.broker;

import io.moerec.ingest.files.Directories;
import io.moerec.ingest.topic.Topic;
import io.moerec.ingest.topic.Topics;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node Apache Kafka broker in KRaft mode (one process acting as broker and controller)
 * listening on 127.0.0.1, started in this JVM from the Kafka jars. {@link Builder#start()} returns only
 * once the broker answers an admin request, or fails within the start deadline with a message that
 * names the port and data directory ({@link BrokerStarter}); {@link #close()} shuts it down and waits
 * for it. A given data directory is kept (a restart on it sees the same topics and records), a
 * temporary one is deleted on close. Start and close are not for concurrent use; the accessors are
 * thread-safe.
 *
 * <p>In-process rather than a child JVM: a start failure arrives as an exception with its cause, and
 * nothing outlives the owner to keep the port and data directory locked. The broker's Scala jars are
 * therefore on the host's classpath, which is why only {@code jobs} and tests depend on it.
 *
 * <p>Listeners ({@link BrokerListeners}): {@code PLAINTEXT} always; with {@link Builder#saslUser} also
 * {@link #saslBootstrapServers()} ({@code SASL_PLAINTEXT}; {@code PLAIN}, {@code SCRAM-SHA-256},
 * {@code SCRAM-SHA-512}); with {@link Builder#tls} also {@link #tlsBootstrapServers()} ({@code SASL_SSL}
 * with users, {@code SSL} without; mutual TLS with {@link Builder#tlsClientAuth}). Clients reach the
 * secured ones with {@link ClientSecuritySettings}.
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafkaBroker.class);

    private final KafkaRaftServer server;
    private final BrokerListeners listeners;
    private final Path dataDir;
    private final boolean deleteDataDirOnClose;
    private final Duration startupTime;
    private volatile boolean closed;

    EmbeddedKafkaBroker(KafkaRaftServer server, BrokerListeners listeners, Path dataDir, boolean deleteDataDirOnClose,
                        Duration startupTime) {
        this.server = server;
        this.listeners = listeners;
        this.dataDir = dataDir;
        this.deleteDataDirOnClose = deleteDataDirOnClose;
        this.startupTime = startupTime;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A broker on a free port with a temporary data directory and the default deadline. */
    public static EmbeddedKafkaBroker start() {
        return builder().start();
    }

    /** {@code 127.0.0.1:port}, for {@code bootstrap.servers}. */
    public String bootstrapServers() {
        return listeners.clientBootstrap();
    }

    public int port() {
        return listeners.clientPort();
    }

    /** {@code 127.0.0.1:port} of the SASL listener; fails when the broker was started without SASL users. */
    public String saslBootstrapServers() {
        if (listeners.saslPort() == 0) {
            throw new IllegalStateException("this broker has no SASL listener: start it with Builder.saslUser(...)");
        }
        return listeners.saslBootstrap();
    }

    /** {@code 127.0.0.1:port} of the TLS listener; fails when the broker was started without {@link Builder#tls}. */
    public String tlsBootstrapServers() {
        if (listeners.tlsPort() == 0) {
            throw new IllegalStateException("this broker has no TLS listener: start it with Builder.tls(...)");
        }
        return listeners.tlsBootstrap();
    }

    /** {@code SASL_SSL} or {@code SSL}: what the TLS listener speaks; fails when there is none. */
    public String tlsSecurityProtocol() {
        tlsBootstrapServers();
        return listeners.tlsProtocol();
    }

    /**
     * Client properties that reach this broker's SASL listener as {@code username} with
     * {@code mechanism}: {@code bootstrap.servers} and {@link ClientSecuritySettings#sasl}.
     */
    public Map<String, Object> saslClientProperties(String mechanism, String username, String password) {
        Map<String, Object> props = new LinkedHashMap<>();
        props.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, saslBootstrapServers());
        props.putAll(ClientSecuritySettings.sasl(mechanism, username, password));
        return props;
    }

    public Path dataDir() {
        return dataDir;
    }

    /** Wall time from the start request until the broker answered its first admin request. */
    public Duration startupTime() {
        return startupTime;
    }

    /** Client properties that reach this broker; callers add their own settings. */
    public Map<String, Object> clientProperties() {
        Map<String, Object> props = new LinkedHashMap<>();
        props.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        return props;
    }

    /** A new admin client for this broker; the caller closes it. */
    public Admin admin() {
        return Admin.create(clientProperties());
    }

    /** Creates these topics (name, partitions, config) unless they exist; see {@link TopicSetup}. */
    public void createTopics(Collection<? extends Topic<?, ?>> topics) {
        try (Admin admin = admin()) {
            TopicSetup.ensureTopics(admin, topics, Duration.ofSeconds(30));
        }
    }

    /** Creates every topic of {@link Topics#all()}. */
    public void createMoerecTopics() {
        createTopics(Topics.all());
    }

    /**
     * Stops the broker and waits until its threads have finished; then deletes the data directory
     * if it was a temporary one. Idempotent.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        long t0 = System.nanoTime();
        try {
            server.shutdown();
            server.awaitShutdown();
            LOG.info("Kafka broker on {} stopped in {} ms", bootstrapServers(),
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
        } finally {
            if (deleteDataDirOnClose) {
                deleteRecursively(dataDir);
            }
        }
    }

    @Override
    public String toString() {
        return "EmbeddedKafkaBroker[" + bootstrapServers() + (listeners.saslPort() == 0 ? "" : ", SASL " + listeners.saslBootstrap())
                + (listeners.tlsPort() == 0 ? "" : ", " + listeners.tlsProtocol() + " " + listeners.tlsBootstrap())
                + ", controller " + BrokerListeners.HOST + ":" + listeners.controllerPort() + ", data " + dataDir + "]";
    }

    static void deleteRecursively(Path dir) {
        try {
            Directories.deleteRecursively(dir);
        } catch (UncheckedIOException e) {
            LOG.warn("could not delete the broker's temporary data directory {}", dir, e);
        }
    }

    /**
     * Settings of an {@link EmbeddedKafkaBroker}, validated as they are set and when {@link #start()}
     * is called. Defaults: a free port, a temporary data directory, a 60 s start deadline.
     */
    public static final class Builder {
        private int port;
        private Path dataDir;
        private Duration startTimeout = Duration.ofSeconds(60);
        private final Map<String, String> overrides = new LinkedHashMap<>();
        private final Map<String, String> saslUsers = new LinkedHashMap<>();
        private Path tlsKeystore;
        private String tlsKeystorePassword;
        private Path tlsTruststore;
        private String tlsTruststorePassword;

        private Builder() {
        }

        /**
         * Adds the TLS listener, whose certificate and private key come from this PKCS12 keystore
         * (one key entry; its key password is the store's). Clients verify the host name, so the
         * certificate should name {@code IP:127.0.0.1}. The files are read when the broker starts.
         */
        public Builder tls(Path keystore, String keystorePassword) {
            this.tlsKeystore = Objects.requireNonNull(keystore, "keystore");
            this.tlsKeystorePassword = TlsStores.checkedPassword("keystore", keystorePassword);
            return this;
        }

        /**
         * Makes the TLS listener require a client certificate trusted by this PKCS12 truststore
         * ({@code ssl.client.auth=required}); needs {@link #tls}.
         */
        public Builder tlsClientAuth(Path truststore, String truststorePassword) {
            this.tlsTruststore = Objects.requireNonNull(truststore, "truststore");
            this.tlsTruststorePassword = TlsStores.checkedPassword("truststore", truststorePassword);
            return this;
        }

        /**
         * Adds a user of the SASL listener (which exists once one user is added), known to all three
         * mechanisms. Names are 1–64 of {@code A-Z a-z 0-9 . _ -}; passwords must not hold {@code "}
         * or {@code \\} (they are written into a JAAS configuration).
         */
        public Builder saslUser(String username, String password) {
            if (username == null || !username.matches("[A-Za-z0-9._-]{1,64}")) {
                throw new IllegalArgumentException("SASL user name must be 1-64 of A-Z a-z 0-9 . _ -, got '" + username + "'");
            }
            if (password == null || password.isEmpty() || password.contains("\"") || password.contains("\\")) {
                throw new IllegalArgumentException("the password of SASL user " + username + " must be non-empty without \" or \\");
            }
            saslUsers.put(username, password);
            return this;
        }

        /** The client port; 0 (the default) picks a free one. */
        public Builder port(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port must be between 0 and 65535, got " + port);
            }
            this.port = port;
            return this;
        }

        /** A data directory that is kept on close and reused on the next start; {@code null} = temporary. */
        public Builder dataDir(Path dataDir) {
            this.dataDir = dataDir;
            return this;
        }

        public Builder startTimeout(Duration startTimeout) {
            if (startTimeout.isNegative() || startTimeout.isZero()) {
                throw new IllegalArgumentException("startTimeout must be positive, got " + startTimeout);
            }
            this.startTimeout = startTimeout;
            return this;
        }

        /** Overrides or adds one broker setting (e.g. {@code log.retention.ms}). */
        public Builder config(String key, String value) {
            overrides.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /**
         * Formats the data directory if it is new, starts the broker and waits until it serves
         * requests.
         *
         * @throws IllegalStateException if it does not come up within the start deadline or fails
         */
        public EmbeddedKafkaBroker start() {
            if (tlsTruststore != null && tlsKeystore == null) {
                throw new IllegalStateException("tlsClientAuth(...) needs tls(...): there is no TLS listener to require it");
            }
            TlsStores tls = tlsKeystore == null ? null
                    : new TlsStores(tlsKeystore, tlsKeystorePassword, tlsTruststore, tlsTruststorePassword);
            if (tls != null) {
                tls.checkReadable();
            }
            return new BrokerStarter(port, dataDir, startTimeout, overrides, saslUsers, tls).start();
        }
    }
}
