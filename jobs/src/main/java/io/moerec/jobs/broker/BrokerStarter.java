package io.moerec.jobs.broker;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
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
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts the KRaft server of an {@link EmbeddedKafkaBroker} from settings its builder validated:
 * creates and formats the data directory when it is new, picks free ports (retrying when one is taken
 * before the broker binds it), runs the server's start-up under the deadline, waits until it answers
 * an admin request, and registers the SCRAM users. On failure nothing is left running and a temporary
 * data directory is deleted.
 */
final class BrokerStarter {

    // One logger name for everything the broker's lifecycle logs.
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafkaBroker.class);

    private static final int NODE_ID = 1;
    /** Retries when a port picked as free was taken by someone else before the broker bound it. */
    private static final int FREE_PORT_ATTEMPTS = 3;

    private final int port;
    private final Path dataDir;
    private final Duration startTimeout;
    private final Map<String, String> overrides;
    private final Map<String, String> saslUsers;
    private final TlsStores tls;

    /** {@code port} 0 picks a free one; {@code dataDir} null is temporary; {@code tls} null means no TLS listener. */
    BrokerStarter(int port, Path dataDir, Duration startTimeout, Map<String, String> overrides, Map<String, String> saslUsers,
                  TlsStores tls) {
        this.port = port;
        this.dataDir = dataDir;
        this.startTimeout = startTimeout;
        this.overrides = new LinkedHashMap<>(overrides);
        this.saslUsers = new LinkedHashMap<>(saslUsers);
        this.tls = tls;
    }

    EmbeddedKafkaBroker start() {
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
                BrokerListeners listeners = BrokerListeners.onFreePorts(port, saslUsers, tls);
                try {
                    return startOnce(listeners, dir, temporary);
                } catch (PortTakenException e) {
                    if (attempt >= attempts) {
                        throw new IllegalStateException("Kafka broker cannot listen on " + listeners.clientBootstrap()
                                + " or controller port " + listeners.controllerPort() + ": address in use", e.getCause());
                    }
                    LOG.info("port {} or {} was taken meanwhile, trying other free ports", listeners.clientPort(),
                            listeners.controllerPort());
                }
            }
        } catch (RuntimeException e) {
            if (temporary) {
                EmbeddedKafkaBroker.deleteRecursively(dir);
            }
            throw e;
        }
    }

    private EmbeddedKafkaBroker startOnce(BrokerListeners listeners, Path dir, boolean temporary) {
        long t0 = System.nanoTime();
        Map<String, String> props = brokerProperties(listeners.controllerPort(), dir);
        props.putAll(listeners.brokerProperties());
        props.putAll(overrides);
        KafkaConfig config = new KafkaConfig(props, false);
        formatIfNew(config, dir);
        KafkaRaftServer server = new KafkaRaftServer(config, Time.SYSTEM);
        String where = "Kafka broker on " + listeners.clientBootstrap() + " (data " + dir + ")";
        // startup() blocks until the broker is unfenced, and can block for ever when the controller
        // cannot form a quorum: run it on its own thread so the deadline holds.
        ExecutorService starter = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "moerec-kafka-start");
            t.setDaemon(true);
            return t;
        });
        try {
            Future<?> started = starter.submit(server::startup);
            long deadline = t0 + startTimeout.toNanos();
            started.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            awaitServing(listeners.clientBootstrap(), deadline);
            if (listeners.saslPort() != 0) {
                ScramUsers.register(listeners.clientBootstrap(), listeners.saslBootstrap(), saslUsers, deadline);
            }
            EmbeddedKafkaBroker ready = new EmbeddedKafkaBroker(server, listeners, dir, temporary,
                    Duration.ofNanos(System.nanoTime() - t0));
            LOG.info("Kafka broker up at {} in {} ms (data {})", ready.bootstrapServers(), ready.startupTime().toMillis(), dir);
            return ready;
        } catch (ExecutionException e) {
            stopQuietly(server);
            if (hasCause(e, BindException.class) && port == 0) {
                throw new PortTakenException(e.getCause());
            }
            throw new IllegalStateException(where + " failed to start: " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            stopQuietly(server);
            throw new IllegalStateException(where + " did not start within " + startTimeout.toSeconds() + " s", e);
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
    private static Map<String, String> brokerProperties(int ctrlPort, Path dir) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("process.roles", "broker,controller");
        p.put("node.id", Integer.toString(NODE_ID));
        // A static one-voter quorum: the controller port may change between restarts on the same
        // data directory, which a dynamic (KIP-853) quorum would record in its log.
        p.put("controller.quorum.voters", NODE_ID + "@" + BrokerListeners.HOST + ":" + ctrlPort);
        p.put("controller.listener.names", BrokerListeners.CONTROLLER);
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
        // Fewer internal partitions: 50 offsets partitions are slow to create on a small machine.
        p.put("offsets.topic.num.partitions", "4");
        p.put("transaction.state.log.num.partitions", "4");
        // Exactly-once sinks (Flink's KafkaSink defaults to 1 h) must not be refused.
        p.put("transaction.max.timeout.ms", Long.toString(Duration.ofHours(1).toMillis()));
        // Tests and demos want their consumers assigned now, not after 3 s.
        p.put("group.initial.rebalance.delay.ms", "0");
        // The cleaner's 128 MB default would take most of a small host heap; a catalog needs little.
        p.put("log.cleaner.dedupe.buffer.size", Integer.toString(8 * 1024 * 1024));
        p.put("log.cleaner.threads", "1");
        // Replayed logs carry event time, often years back, and the features job stamps its updates with it.
        // Segments roll by size only: rolling every 7 days of event time (the default log.roll.ms) let the
        // cleaner compact away user-features updates that readers (the demo's monitor, the tests' counts)
        // had not read yet. Nothing is deleted by age: the default 7-day retention would drop a replayed log
        // at the next retention check.
        p.put("log.roll.ms", Long.toString(Duration.ofDays(365L * 1000).toMillis()));
        p.put("log.retention.ms", "-1");
        // Topics are created from their descriptors; a mistyped name must fail, not appear.
        p.put("auto.create.topics.enable", "false");
        p.put("num.network.threads", "2");
        p.put("num.io.threads", "4");
        p.put("num.recovery.threads.per.data.dir", "1");
        return p;
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
                    .setControllerListenerName(BrokerListeners.CONTROLLER)
                    .setReleaseVersion(MetadataVersion.latestProduction())
                    .setHasDynamicQuorum(false)
                    .run();
        } catch (Exception e) {
            throw new IllegalStateException("cannot format Kafka data directory " + dir + ": " + e.getMessage(), e);
        }
    }

    /** The broker is started when an admin request succeeds, not merely when its sockets are bound. */
    private static void awaitServing(String bootstrap, long deadlineNanos) throws InterruptedException, TimeoutException {
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

    /** Signals that an automatically chosen port was taken between choosing and binding it. */
    private static final class PortTakenException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        PortTakenException(Throwable cause) {
            super(cause);
        }
    }
}
