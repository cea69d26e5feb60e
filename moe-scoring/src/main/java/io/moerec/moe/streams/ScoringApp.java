package io.moerec.moe.streams;

import io.moerec.ingest.config.CommandLineArgs;
import io.moerec.ingest.config.KafkaAccessCheck;
import io.moerec.ingest.config.KafkaClientProperties;
import io.moerec.ingest.config.MoerecVersion;
import io.moerec.moe.MoeModel;
import io.moerec.moe.bundle.ModelBundle;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.apache.kafka.streams.state.HostInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The scoring app: loads and verifies the start-up bundle, runs the {@link ScoringTopology} on Kafka
 * Streams, follows the {@code models} topic for live model updates, and serves the HTTP look-up. Built
 * from a {@link ScoringConfig}; {@link #start()} and {@link #close()} bound its life, so tests run
 * several in one JVM. {@link #main} reads {@code --config}, {@code MOEREC_SCORING_*} environment
 * variables and {@code -s key=value} (in rising precedence, {@link #parseArgs}) and runs until interrupted.
 */
public final class ScoringApp implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ScoringApp.class);

    private final ScoringConfig config;
    private final ModelHolder models;
    private final ScoringMetrics metrics = new ScoringMetrics();
    private final ScoringHealth health;
    private ScoringHttpServer http;
    private KafkaStreams streams;
    private ModelTopicWatcher watcher;
    private ModelDirectoryWatcher dirWatcher;
    private SharedRocksDbMemory rocksDbMemory;

    /** Loads the bundle named by {@code model.path}; an invalid bundle fails here, before anything starts. */
    public ScoringApp(ScoringConfig config) {
        this(config, ModelBundle.load(config.modelPath()));
    }

    public ScoringApp(ScoringConfig config, MoeModel initial) {
        this.config = config;
        this.models = new ModelHolder(initial);
        this.health = new ScoringHealth(() -> models.current() != null);
        metrics.bindModel(models::current);
        LOG.info("model {} loaded from {}", initial.version(), config.modelPath());
    }

    /**
     * Checks that Kafka answers with the configured credentials ({@link KafkaAccessCheck}, unless
     * {@value ScoringConfig#KAFKA_CHECK_TIMEOUT_MS} is 0), then starts the HTTP endpoint, Kafka
     * Streams and the model watcher; returns at once.
     *
     * @throws IllegalStateException when Kafka refuses the credentials or does not answer in time
     */
    public ScoringApp start() throws IOException {
        LOG.info("starting the scoring app: {}", config);
        if (config.kafkaCheckTimeoutMs() > 0) {
            KafkaAccessCheck.check("scoring app", config.kafkaClientProperties(), Duration.ofMillis(config.kafkaCheckTimeoutMs()));
        }
        http = new ScoringHttpServer(config.httpHost(), config.httpPort(), config.httpThreads(), metrics,
                () -> models.current().version());
        NonPersonalList nonPersonal = new NonPersonalList();
        Topology topology = ScoringTopology.buildTopology(config, models, metrics, new CatalogView(), System::currentTimeMillis,
                nonPersonal);
        LOG.debug("scoring topology:\n{}", topology.describe());
        Properties streamsProperties = config.streamsProperties(http.port());
        HostInfo self = HostInfo.buildFromEndpoint(streamsProperties.getProperty(StreamsConfig.APPLICATION_SERVER_CONFIG));
        if (ScoringConfig.boundsRocksDbMemory(streamsProperties)) {
            rocksDbMemory = config.newSharedRocksDbMemory();
            streamsProperties.put(SharedRocksDbMemory.CONFIG, rocksDbMemory);
            LOG.info("RocksDB stores share {}", rocksDbMemory);
        }
        streams = new KafkaStreams(topology, streamsProperties);
        metrics.bindStreams(streams, config.metricsKafkaRefresh());
        streams.setUncaughtExceptionHandler(e -> {
            if (causedBy(e, AuthenticationException.class) || causedBy(e, AuthorizationException.class)) {
                // New threads would fail the same way for ever: credentials or ACLs changed under us.
                LOG.error("a stream thread failed on Kafka security ({}); shutting the app's Kafka Streams client down",
                        KafkaClientProperties.describeAuthentication(config.kafkaClientProperties()), e);
                return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
            }
            LOG.error("a stream thread failed; replacing it", e);
            metrics.threadsReplaced.increment();
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
        });
        streams.setStateListener(health);
        http.attach(new RecommendationLookup(streams, self, nonPersonal), () -> streams.state().name());
        http.attach(health);
        streams.start();
        if (config.watchModelsTopic()) {
            watcher = new ModelTopicWatcher(config.kafkaClientProperties(), config.modelsTopic(), new ModelUpdater(models, metrics));
            watcher.start();
        }
        if (config.modelWatchDir() != null) {
            dirWatcher = new ModelDirectoryWatcher(config.modelWatchDir(), new ModelUpdater(models, metrics));
            dirWatcher.start(config.modelWatchIntervalMs());
        }
        LOG.info("scoring app {} started; HTTP on {}:{}, advertised to the other instances as {}", config.applicationId(),
                config.httpHost(), http.port(), self);
        return this;
    }

    private static boolean causedBy(Throwable t, Class<? extends Throwable> type) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (type.isInstance(c)) {
                return true;
            }
        }
        return false;
    }

    public KafkaStreams streams() {
        return streams;
    }

    public ModelHolder models() {
        return models;
    }

    public ScoringMetrics metrics() {
        return metrics;
    }

    /** Liveness, readiness and the failure of Kafka Streams for good. */
    public ScoringHealth health() {
        return health;
    }

    public int httpPort() {
        return http.port();
    }

    /** The memory all this instance's RocksDB stores share; empty when {@code rocksdb.memory-bytes} is 0 or an operator's setter replaces it. */
    public Optional<SharedRocksDbMemory> rocksDbMemory() {
        return Optional.ofNullable(rocksDbMemory);
    }

    @Override
    public void close() {
        if (dirWatcher != null) {
            dirWatcher.close();
        }
        if (watcher != null) {
            watcher.close();
        }
        boolean storesClosed = true;
        if (streams != null) {
            // Leave the group: the partitions move at once instead of after the session timeout (45 s).
            storesClosed = streams.close(CloseOptions.timeout(Duration.ofSeconds(30))
                    .withGroupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP));
        }
        if (rocksDbMemory != null) {
            if (storesClosed) {
                rocksDbMemory.close();
            } else {
                // Freeing a cache under a store that is still open would crash the JVM; leaking it does not.
                LOG.warn("Kafka Streams did not close within 30 s: leaving {} allocated", rocksDbMemory);
            }
        }
        if (http != null) {
            http.close();
        }
        metrics.close();
    }

    /** Command-line options of {@link #main} and of {@code moerec score}. */
    public static final class Options {
        public Options() {
            // picocli instantiates mixins reflectively
        }

        @Option(names = "--config", description = "a properties file of configuration keys")
        Path configFile;

        @Option(names = {"-s", "--set"}, description = "key=value, overrides the file and MOEREC_SCORING_* variables (repeatable)")
        Map<String, String> settings = new LinkedHashMap<>();

        /** The validated configuration, with this process's environment; a bad value fails naming its key. */
        public ScoringConfig config() throws IOException {
            return config(System.getenv());
        }

        /**
         * The validated configuration from the file, {@code MOEREC_SCORING_*} variables of
         * {@code environment} and {@code -s} (in rising precedence); a bad key, variable or value fails naming it.
         */
        public ScoringConfig config(Map<String, String> environment) throws IOException {
            return ScoringConfig.load(configFile, environment, settings);
        }
    }

    /** {@link #main}'s command: the {@link Options} and {@code --help}/{@code --version}. */
    @Command(name = "scoring-app", mixinStandardHelpOptions = true, versionProvider = Version.class,
            description = "The Kafka Streams scoring app (MoE, HTTP look-up). Keys: see moe-scoring/CONFIGURATION.md; each also as "
                    + "MOEREC_SCORING_<KEY> (upper case, . and - as _); precedence file < environment < -s.")
    static final class Cli {
        @Mixin
        Options options = new Options();
    }

    /** {@code --version}: the build's version ({@link MoerecVersion}). */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"moerec scoring-app " + MoerecVersion.current()};
        }
    }

    /** Exit code of a bad argument, variable, key or value (picocli's, as the {@code moerec} CLI's). */
    static final int USAGE_ERROR = CommandLineArgs.USAGE_ERROR;

    /**
     * Reads the command line ({@code --config file -s key=value ...}) and the environment exactly as
     * {@link #main} does and validates the result; empty when usage or version help was asked for (and
     * printed). A bad argument, variable, key or value throws {@link IllegalArgumentException} naming it.
     */
    public static Optional<ScoringConfig> parseArgs(String[] args, Map<String, String> environment) throws IOException {
        Cli cli = new Cli();
        return CommandLineArgs.parse(cli, args) ? Optional.of(cli.options.config(environment)) : Optional.empty();
    }

    /** What {@link #main} does after reading its command line: run with {@code config}, or exit with {@code exitCode}. */
    record Launch(Optional<ScoringConfig> config, int exitCode) {
    }

    /**
     * {@link #parseArgs} for {@link #main}: help and version go to standard output (exit 0); a bad
     * argument, variable, key or value, or an unreadable {@code --config} file, is one line on
     * {@code err} naming it (exit {@value #USAGE_ERROR}), never a stack trace.
     */
    static Launch launch(String[] args, Map<String, String> environment, PrintWriter err) {
        try {
            Optional<ScoringConfig> config = parseArgs(args, environment);
            config.ifPresent(ScoringConfig::advertisedHost); // a wildcard http.host on a host without a name fails here
            return new Launch(config, 0);
        } catch (IllegalArgumentException | IOException e) {
            CommandLineArgs.printUsageError(err, "scoring-app", e);
            return new Launch(Optional.empty(), USAGE_ERROR);
        }
    }

    public static void main(String[] args) throws Exception {
        Launch launch = launch(args, System.getenv(), new PrintWriter(System.err, true));
        if (launch.config().isEmpty()) {
            System.exit(launch.exitCode());
        }
        int status = runUntilInterrupted(launch.config().get());
        if (status != 0) {
            System.exit(status);
        }
    }

    /** Exit status after Kafka Streams failed for good: an orchestrator restarts the process. */
    public static final int FAILED = 1;

    /**
     * Runs the app until the JVM is asked to stop (returns 0) or Kafka Streams fails for good (closes
     * the app and returns {@value #FAILED}, so that the caller exits non-zero and is restarted).
     */
    public static int runUntilInterrupted(ScoringConfig config) throws IOException, InterruptedException {
        if (!SLF4JBridgeHandler.isInstalled()) {
            SLF4JBridgeHandler.removeHandlersForRootLogger();
            SLF4JBridgeHandler.install();
        }
        CountDownLatch stopped = new CountDownLatch(1);
        CountDownLatch closed = new CountDownLatch(1);
        // The hook waits for close() so the JVM does not halt mid-commit.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stopped.countDown();
            try {
                closed.await(40, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "moerec-scoring-shutdown"));
        try (ScoringApp app = new ScoringApp(config)) {
            app.start();
            return awaitStopOrFailure(app.health(), stopped);
        } finally {
            closed.countDown();
        }
    }

    /** Waits until {@code stopped} counts down (0) or {@code health} reports a failure ({@value #FAILED}, logged). */
    static int awaitStopOrFailure(ScoringHealth health, CountDownLatch stopped) throws InterruptedException {
        health.failure().thenRun(stopped::countDown);
        stopped.await();
        if (health.failure().isDone()) {
            LOG.error("Kafka Streams failed for good ({}); closing and exiting with status {} so that the process is restarted",
                    health.failure().getNow(null), FAILED);
            return FAILED;
        }
        return 0;
    }
}
