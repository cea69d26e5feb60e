package io.moerec.jobs.broker;

import io.moerec.jobs.net.LoopbackPorts;

import io.moerec.ingest.topic.Topic;
import io.moerec.ingest.topic.Topics;
import io.moerec.ingest.files.Directories;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialAlteration;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.config.SslConfigs;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node Apache Kafka broker in KRaft mode (one process acting as broker and controller)
 * listening on 127.0.0.1, started in this JVM from the Kafka jars. {@link #start()} returns only
 * once the broker answers an admin request, or fails within the start deadline with a message that
 * names the port and data directory; {@link #close()} shuts it down cleanly and waits for it. The
 * data directory is kept when one was given (so a restart on it sees the same topics and records),
 * otherwise it is a temporary directory deleted on close. Instances are not shared between threads
 * during start and close; the accessors are thread-safe.
 *
 * <p>Why in-process rather than a child JVM: it starts in about half the time (no second JVM warm-up
 * on a 2-core machine), a start failure arrives as an exception with its cause instead of a log to
 * scrape, and nothing can outlive the owner (a child JVM survives a {@code kill -9} of its parent and
 * keeps the port and the data directory locked). The costs, accepted: the broker shares heap and CPU
 * with its host, and its Scala jars are on the host's classpath, which is why only {@code jobs} and
 * tests (through the {@code jobs} test-jar) depend on it, and why the Flink job and the Kafka Streams
 * app, which run in JVMs of their own anyway (RocksDB clash), never host it.
 *
 * <p>With {@link Builder#saslUser} the broker also listens on a second loopback port,
 * {@link #saslBootstrapServers()}, that accepts only {@code SASL_PLAINTEXT} with mechanism
 * {@code PLAIN}, {@code SCRAM-SHA-256} or {@code SCRAM-SHA-512}, for the given users. The first
 * listener stays {@code PLAINTEXT}: the broker talks to itself there (transaction markers), and tests
 * use it to create topics and check results without credentials. The KRaft controller listener is
 * {@code PLAINTEXT} too. Every listener is bound to 127.0.0.1 only.
 *
 * <p>With {@link Builder#tls} the broker listens on one more loopback port,
 * {@link #tlsBootstrapServers()}, with TLS and the caller's PKCS12 keystore: {@code SASL_SSL} for the
 * same users and mechanisms when SASL users were added, {@code SSL} otherwise; with
 * {@link Builder#tlsClientAuth} it also requires a client certificate that the given truststore
 * trusts (mutual TLS). The broker never creates key material itself.
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafkaBroker.class);

    private static final int NODE_ID = 1;
    private static final String HOST = LoopbackPorts.HOST;
    private static final String CONTROLLER_LISTENER = "CONTROLLER";
    private static final String SASL_LISTENER = "SASL";
    private static final String TLS_LISTENER = "TLS";
    /** Retries when a port picked as free was taken by someone else before the broker bound it. */
    private static final int FREE_PORT_ATTEMPTS = 3;

    private final KafkaRaftServer server;
    private final int port;
    private final int saslPort;
    private final int tlsPort;
    private final String tlsProtocol;
    private final int controllerPort;
    private final Path dataDir;
    private final boolean deleteDataDirOnClose;
    private final Duration startupTime;
    private volatile boolean closed;

    private EmbeddedKafkaBroker(KafkaRaftServer server, int port, int saslPort, int tlsPort, String tlsProtocol,
                                int controllerPort, Path dataDir, boolean deleteDataDirOnClose, Duration startupTime) {
        this.server = server;
        this.port = port;
        this.saslPort = saslPort;
        this.tlsPort = tlsPort;
        this.tlsProtocol = tlsProtocol;
        this.controllerPort = controllerPort;
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
        return HOST + ":" + port;
    }

    public int port() {
        return port;
    }

    /** {@code 127.0.0.1:port} of the SASL listener; fails when the broker was started without SASL users. */
    public String saslBootstrapServers() {
        if (saslPort == 0) {
            throw new IllegalStateException("this broker has no SASL listener: start it with Builder.saslUser(...)");
        }
        return HOST + ":" + saslPort;
    }

    /** {@code 127.0.0.1:port} of the TLS listener; fails when the broker was started without {@link Builder#tls}. */
    public String tlsBootstrapServers() {
        if (tlsPort == 0) {
            throw new IllegalStateException("this broker has no TLS listener: start it with Builder.tls(...)");
        }
        return HOST + ":" + tlsPort;
    }

    /** {@code SASL_SSL} or {@code SSL}: what the TLS listener speaks; fails when there is none. */
    public String tlsSecurityProtocol() {
        tlsBootstrapServers();
        return tlsProtocol;
    }

    /**
     * Client properties that reach this broker's SASL listener as {@code username} with
     * {@code mechanism} ({@code PLAIN}, {@code SCRAM-SHA-256} or {@code SCRAM-SHA-512}):
     * {@code bootstrap.servers}, {@code security.protocol}, {@code sasl.mechanism} and
     * {@code sasl.jaas.config}. Wrong credentials are allowed, for tests of refusals.
     */
    public Map<String, Object> saslClientProperties(String mechanism, String username, String password) {
        Map<String, Object> props = new LinkedHashMap<>();
        props.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, saslBootstrapServers());
        props.putAll(saslSettings(mechanism, username, password));
        return props;
    }

    /**
     * The three standard client settings for SASL over plain TCP with this mechanism and user, without
     * {@code bootstrap.servers}: what an operator writes into a client properties file.
     */
    public static Map<String, String> saslSettings(String mechanism, String username, String password) {
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
     * The standard client settings for TLS without SASL ({@code security.protocol=SSL}) that trust the
     * certificates of a PKCS12 truststore; without {@code bootstrap.servers}. Hostname verification
     * stays on (Kafka's default), so the broker's certificate must name 127.0.0.1.
     */
    public static Map<String, String> sslSettings(Path truststore, String truststorePassword) {
        Map<String, String> props = new LinkedHashMap<>();
        props.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SSL");
        props.put(SslConfigs.SSL_TRUSTSTORE_TYPE_CONFIG, "PKCS12");
        props.put(SslConfigs.SSL_TRUSTSTORE_LOCATION_CONFIG, truststore.toAbsolutePath().toString());
        props.put(SslConfigs.SSL_TRUSTSTORE_PASSWORD_CONFIG, truststorePassword);
        return props;
    }

    /** {@link #saslSettings} over {@link #sslSettings}: {@code security.protocol=SASL_SSL}. */
    public static Map<String, String> saslSslSettings(String mechanism, String username, String password,
                                                      Path truststore, String truststorePassword) {
        Map<String, String> props = saslSettings(mechanism, username, password);
        props.putAll(sslSettings(truststore, truststorePassword));
        props.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SASL_SSL");
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
        return "EmbeddedKafkaBroker[" + bootstrapServers() + (saslPort == 0 ? "" : ", SASL " + HOST + ":" + saslPort)
                + (tlsPort == 0 ? "" : ", " + tlsProtocol + " " + HOST + ":" + tlsPort)
                + ", controller " + HOST + ":" + controllerPort + ", data " + dataDir + "]";
    }

    /**
     * Settings of an {@link EmbeddedKafkaBroker}, validated when {@link #start()} is called. Defaults:
     * a free port, a temporary data directory, a 60 s start deadline.
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
            this.tlsKeystorePassword = storePassword("keystore", keystorePassword);
            return this;
        }

        /**
         * Makes the TLS listener require a client certificate trusted by this PKCS12 truststore
         * ({@code ssl.client.auth=required}); needs {@link #tls}.
         */
        public Builder tlsClientAuth(Path truststore, String truststorePassword) {
            this.tlsTruststore = Objects.requireNonNull(truststore, "truststore");
            this.tlsTruststorePassword = storePassword("truststore", truststorePassword);
            return this;
        }

        private static String storePassword(String store, String password) {
            if (password == null || password.isEmpty()) {
                throw new IllegalArgumentException("the TLS " + store + " password must be non-empty");
            }
            return password;
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
            for (Path store : new Path[] {tlsKeystore, tlsTruststore}) {
                if (store != null && !Files.isReadable(store)) {
                    throw new IllegalStateException("cannot read the TLS store " + store);
                }
            }
            boolean temporary = dataDir == null;
            Path dir;
            try {
                dir = temporary ? Files.createTempDirectory("moerec-kafka-") : Files.createDirectories(dataDir);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create the broker's data directory " + dataDir, e);
            }
            try {
                int attempts = port == 0 ? FREE_PORT_ATTEMPTS : 1;
                for (int attempt = 1; ; attempt++) {
                    // Distinct ports: Kafka refuses two listeners on one port.
                    int[] free = LoopbackPorts.free(1 + (port == 0 ? 1 : 0) + (saslUsers.isEmpty() ? 0 : 1)
                            + (tlsKeystore == null ? 0 : 1), port);
                    int next = 0;
                    int ctrlPort = free[next++];
                    int clientPort = port == 0 ? free[next++] : port;
                    int saslPort = saslUsers.isEmpty() ? 0 : free[next++];
                    int tlsPort = tlsKeystore == null ? 0 : free[next];
                    try {
                        return startOnce(clientPort, saslPort, tlsPort, ctrlPort, dir, temporary);
                    } catch (PortTakenException e) {
                        if (attempt >= attempts) {
                            throw new IllegalStateException("Kafka broker cannot listen on " + HOST + ":" + clientPort
                                    + " or controller port " + ctrlPort + ": address in use", e.getCause());
                        }
                        LOG.info("port {} or {} was taken meanwhile, trying other free ports", clientPort, ctrlPort);
                    }
                }
            } catch (RuntimeException e) {
                if (temporary) {
                    deleteRecursively(dir);
                }
                throw e;
            }
        }

        private EmbeddedKafkaBroker startOnce(int clientPort, int saslPort, int tlsPort, int ctrlPort, Path dir, boolean temporary) {
            long t0 = System.nanoTime();
            Map<String, String> props = brokerProperties(clientPort, ctrlPort, dir);
            // Listener name -> "protocol port", in the order they are declared.
            Map<String, String> extraListeners = new LinkedHashMap<>();
            if (saslPort != 0) {
                extraListeners.put(SASL_LISTENER, "SASL_PLAINTEXT " + saslPort);
                props.putAll(saslMechanisms(SASL_LISTENER, saslUsers));
            }
            String tlsProtocol = null;
            if (tlsPort != 0) {
                tlsProtocol = saslUsers.isEmpty() ? "SSL" : "SASL_SSL";
                extraListeners.put(TLS_LISTENER, tlsProtocol + " " + tlsPort);
                props.putAll(tlsListener());
                if (!saslUsers.isEmpty()) {
                    props.putAll(saslMechanisms(TLS_LISTENER, saslUsers));
                }
            }
            props.putAll(listeners(clientPort, ctrlPort, extraListeners));
            props.putAll(overrides);
            KafkaConfig config = new KafkaConfig(props, false);
            formatIfNew(config, dir);
            KafkaRaftServer server = new KafkaRaftServer(config, Time.SYSTEM);
            // startup() blocks until the broker is unfenced, and can block for ever when the
            // controller cannot form a quorum: run it on its own thread so the deadline holds.
            ExecutorService starter = Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "moerec-kafka-start");
                t.setDaemon(true);
                return t;
            });
            try {
                Future<?> started = starter.submit(server::startup);
                long deadline = t0 + startTimeout.toNanos();
                started.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                awaitServing(HOST + ":" + clientPort, deadline);
                if (saslPort != 0) {
                    addScramUsers(HOST + ":" + clientPort, HOST + ":" + saslPort, saslUsers, deadline);
                }
                EmbeddedKafkaBroker ready = new EmbeddedKafkaBroker(server, clientPort, saslPort, tlsPort, tlsProtocol, ctrlPort,
                        dir, temporary, Duration.ofNanos(System.nanoTime() - t0));
                LOG.info("Kafka broker up at {} in {} ms (data {})", ready.bootstrapServers(),
                        ready.startupTime().toMillis(), dir);
                return ready;
            } catch (ExecutionException e) {
                stopQuietly(server);
                if (hasCause(e, BindException.class) && port == 0) {
                    throw new PortTakenException(e.getCause());
                }
                throw new IllegalStateException("Kafka broker on " + HOST + ":" + clientPort + " (data " + dir
                        + ") failed to start: " + e.getCause(), e.getCause());
            } catch (TimeoutException e) {
                stopQuietly(server);
                throw new IllegalStateException("Kafka broker on " + HOST + ":" + clientPort + " (data " + dir
                        + ") did not start within " + startTimeout.toSeconds() + " s", e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                stopQuietly(server);
                throw new IllegalStateException("interrupted while starting the Kafka broker", e);
            } catch (RuntimeException e) {
                stopQuietly(server);
                throw e;
            } finally {
                starter.shutdownNow();
            }
        }

        /** Small settings for one node on a shared laptop-sized machine; see the comments for why. */
        private static Map<String, String> brokerProperties(int clientPort, int ctrlPort, Path dir) {
            Map<String, String> p = new LinkedHashMap<>();
            p.put("process.roles", "broker,controller");
            p.put("node.id", Integer.toString(NODE_ID));
            // A static one-voter quorum: the controller port may change between restarts on the same
            // data directory, which a dynamic (KIP-853) quorum would record in its log.
            p.put("controller.quorum.voters", NODE_ID + "@" + HOST + ":" + ctrlPort);
            p.put("controller.listener.names", CONTROLLER_LISTENER);
            p.put("inter.broker.listener.name", "PLAINTEXT");
            p.put("log.dirs", dir.toAbsolutePath().toString());
            // One replica of everything, including the internal topics.
            p.put("default.replication.factor", "1");
            p.put("min.insync.replicas", "1");
            p.put("offsets.topic.replication.factor", "1");
            p.put("transaction.state.log.replication.factor", "1");
            p.put("transaction.state.log.min.isr", "1");
            p.put("share.coordinator.state.topic.replication.factor", "1");
            p.put("share.coordinator.state.topic.min.isr", "1");
            // Fewer internal partitions: 50 offsets partitions cost seconds to create on 2 cores.
            p.put("offsets.topic.num.partitions", "4");
            p.put("transaction.state.log.num.partitions", "4");
            // Exactly-once sinks (Flink's KafkaSink defaults to 1 h) must not be refused.
            p.put("transaction.max.timeout.ms", Long.toString(Duration.ofHours(1).toMillis()));
            // Tests and demos want their consumers assigned now, not after 3 s.
            p.put("group.initial.rebalance.delay.ms", "0");
            // The cleaner's 128 MB default would take most of a small host heap; a catalog needs little.
            p.put("log.cleaner.dedupe.buffer.size", Integer.toString(8 * 1024 * 1024));
            p.put("log.cleaner.threads", "1");
            // Topics are created from their descriptors; a mistyped name must fail, not appear.
            p.put("auto.create.topics.enable", "false");
            p.put("num.network.threads", "2");
            p.put("num.io.threads", "4");
            p.put("num.recovery.threads.per.data.dir", "1");
            return p;
        }

        /**
         * {@code listeners}, {@code advertised.listeners} and {@code listener.security.protocol.map}:
         * PLAINTEXT on the client port, the controller, and the extra listeners (name to
         * {@code "protocol port"}), all on 127.0.0.1.
         */
        private static Map<String, String> listeners(int clientPort, int ctrlPort, Map<String, String> extra) {
            StringBuilder listeners = new StringBuilder("PLAINTEXT://" + HOST + ":" + clientPort);
            StringBuilder advertised = new StringBuilder(listeners);
            StringBuilder protocols = new StringBuilder("PLAINTEXT:PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
            extra.forEach((name, protocolAndPort) -> {
                String[] pp = protocolAndPort.split(" ");
                String address = "," + name + "://" + HOST + ":" + pp[1];
                listeners.append(address);
                advertised.append(address);
                protocols.append(',').append(name).append(':').append(pp[0]);
            });
            listeners.append(',').append(CONTROLLER_LISTENER).append("://").append(HOST).append(':').append(ctrlPort);
            Map<String, String> p = new LinkedHashMap<>();
            p.put("listeners", listeners.toString());
            p.put("advertised.listeners", advertised.toString());
            p.put("listener.security.protocol.map", protocols.toString());
            return p;
        }

        /**
         * SASL on listener {@code name}: three mechanisms; PLAIN users are listed in the listener's
         * JAAS entry, SCRAM users are added to the cluster's metadata after start ({@link #addScramUsers}).
         */
        private static Map<String, String> saslMechanisms(String name, Map<String, String> users) {
            String prefix = "listener.name." + name.toLowerCase(Locale.ROOT) + ".";
            Map<String, String> p = new LinkedHashMap<>();
            p.put(prefix + "sasl.enabled.mechanisms", "PLAIN,SCRAM-SHA-256,SCRAM-SHA-512");
            StringBuilder plain = new StringBuilder("org.apache.kafka.common.security.plain.PlainLoginModule required");
            users.forEach((u, pw) -> plain.append(" user_").append(u).append("=\"").append(pw).append('"'));
            p.put(prefix + "plain.sasl.jaas.config", plain.append(';').toString());
            String scram = "org.apache.kafka.common.security.scram.ScramLoginModule required;";
            p.put(prefix + "scram-sha-256.sasl.jaas.config", scram);
            p.put(prefix + "scram-sha-512.sasl.jaas.config", scram);
            return p;
        }

        /** The TLS listener's keystore and, for mutual TLS, its truststore and {@code ssl.client.auth}. */
        private Map<String, String> tlsListener() {
            String prefix = "listener.name." + TLS_LISTENER.toLowerCase(Locale.ROOT) + ".";
            Map<String, String> p = new LinkedHashMap<>();
            p.put(prefix + SslConfigs.SSL_KEYSTORE_TYPE_CONFIG, "PKCS12");
            p.put(prefix + SslConfigs.SSL_KEYSTORE_LOCATION_CONFIG, tlsKeystore.toAbsolutePath().toString());
            p.put(prefix + SslConfigs.SSL_KEYSTORE_PASSWORD_CONFIG, tlsKeystorePassword);
            if (tlsTruststore != null) {
                p.put(prefix + SslConfigs.SSL_TRUSTSTORE_TYPE_CONFIG, "PKCS12");
                p.put(prefix + SslConfigs.SSL_TRUSTSTORE_LOCATION_CONFIG, tlsTruststore.toAbsolutePath().toString());
                p.put(prefix + SslConfigs.SSL_TRUSTSTORE_PASSWORD_CONFIG, tlsTruststorePassword);
                p.put(prefix + "ssl.client.auth", "required");
            }
            return p;
        }

        /**
         * Stores the users' SCRAM credentials (both mechanisms) through the PLAINTEXT listener and
         * waits until each user can log in on the SASL listener: credentials reach the listener's
         * cache through the metadata log, a moment after the request returned.
         */
        private static void addScramUsers(String plainBootstrap, String saslBootstrap, Map<String, String> users, long deadline)
                throws InterruptedException, TimeoutException {
            try (Admin admin = Admin.create(Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, plainBootstrap))) {
                // One request per mechanism: a request may alter each user's credentials only once.
                for (ScramMechanism mechanism : List.of(ScramMechanism.SCRAM_SHA_256, ScramMechanism.SCRAM_SHA_512)) {
                    List<UserScramCredentialAlteration> upserts = new ArrayList<>();
                    users.forEach((u, pw) -> upserts.add(new UserScramCredentialUpsertion(u, new ScramCredentialInfo(mechanism, 4096), pw)));
                    admin.alterUserScramCredentials(upserts).all().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                }
            } catch (ExecutionException e) {
                throw new IllegalStateException("cannot store SCRAM credentials: " + e.getCause(), e.getCause());
            }
            for (Map.Entry<String, String> u : users.entrySet()) {
                for (String mechanism : List.of("SCRAM-SHA-256", "SCRAM-SHA-512")) {
                    Map<String, Object> props = new LinkedHashMap<>();
                    props.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, saslBootstrap);
                    props.putAll(saslSettings(mechanism, u.getKey(), u.getValue()));
                    awaitLogin(props, deadline);
                }
            }
        }

        private static void awaitLogin(Map<String, Object> props, long deadlineNanos) throws InterruptedException, TimeoutException {
            AuthenticationException last = null;
            while (System.nanoTime() < deadlineNanos) {
                try (Admin admin = Admin.create(props)) {
                    admin.describeCluster().nodes().get(5, TimeUnit.SECONDS);
                    return;
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof AuthenticationException a)) {
                        throw new IllegalStateException("SASL listener check failed: " + e.getCause(), e.getCause());
                    }
                    last = a;
                    TimeUnit.MILLISECONDS.sleep(50);
                }
            }
            TimeoutException t = new TimeoutException("SCRAM credentials did not become usable: " + last);
            t.initCause(last);
            throw t;
        }

        private static void formatIfNew(KafkaConfig config, Path dir) {
            if (Files.exists(dir.resolve("meta.properties"))) {
                LOG.info("reusing formatted Kafka data directory {}", dir);
                return;
            }
            try {
                new Formatter()
                        .setPrintStream(new PrintStream(OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8))
                        .setNodeId(NODE_ID)
                        .setClusterId(Uuid.randomUuid().toString())
                        .addDirectory(dir.toAbsolutePath().toString())
                        .setMetadataLogDirectory(config.metadataLogDir())
                        .setControllerListenerName(CONTROLLER_LISTENER)
                        .setReleaseVersion(MetadataVersion.latestProduction())
                        .setHasDynamicQuorum(false)
                        .run();
            } catch (Exception e) {
                throw new IllegalStateException("cannot format Kafka data directory " + dir + ": " + e.getMessage(), e);
            }
        }

        /** The broker is started when an admin request succeeds, not merely when its sockets are bound. */
        private static void awaitServing(String bootstrap, long deadlineNanos)
                throws InterruptedException, TimeoutException {
            Map<String, Object> props = new LinkedHashMap<>();
            props.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            props.put(CommonClientConfigs.REQUEST_TIMEOUT_MS_CONFIG, 5000);
            props.put(CommonClientConfigs.DEFAULT_API_TIMEOUT_MS_CONFIG, 5000);
            try (Admin admin = Admin.create(props)) {
                Exception last = null;
                while (System.nanoTime() < deadlineNanos) {
                    try {
                        if (!admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).isEmpty()) {
                            return;
                        }
                    } catch (ExecutionException | TimeoutException e) {
                        last = e;
                    }
                }
                TimeoutException t = new TimeoutException("broker did not answer describeCluster");
                if (last != null) {
                    t.initCause(last);
                }
                throw t;
            }
        }
    }

    private static void stopQuietly(KafkaRaftServer server) {
        try {
            server.shutdown();
            server.awaitShutdown();
        } catch (RuntimeException e) {
            // The start already failed with the exception that matters; this one is secondary.
            LOG.warn("while stopping a broker that failed to start", e);
        }
    }

    private static boolean hasCause(Throwable t, Class<? extends Throwable> type) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (type.isInstance(c)) {
                return true;
            }
        }
        return false;
    }

    static void deleteRecursively(Path dir) {
        try {
            Directories.deleteRecursively(dir);
        } catch (UncheckedIOException e) {
            LOG.warn("could not delete the broker's temporary data directory {}", dir, e);
        }
    }

    /** Signals that an automatically chosen port was taken between choosing and binding it. */
    private static final class PortTakenException extends RuntimeException {
        PortTakenException(Throwable cause) {
            super(cause);
        }
    }
}
