package io.moerec.jobs.pipeline;

import io.moerec.ingest.replay.CatalogLoader;
import io.moerec.ingest.replay.ReplayOptions;
import io.moerec.ingest.replay.ReplayProducers;
import io.moerec.ingest.replay.ReplaySummary;
import io.moerec.ingest.replay.Replayer;
import io.moerec.ingest.source.DataSet;
import io.moerec.ingest.source.EventTimeSlice;
import io.moerec.ingest.topic.Topics;
import io.moerec.jobs.broker.BrokerLog;
import io.moerec.jobs.broker.EmbeddedKafkaBroker;
import io.moerec.moe.streams.ScoringConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.clients.producer.Producer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded engine as the demo, the benchmark and the pipeline integration tests run it, step by
 * step: a Kafka broker with the project's topics and the replay producer ({@link #startBroker}), the
 * catalog ({@link #loadCatalog}), the features job and scoring app in their child JVMs with a
 * {@code read_committed} monitor ({@link #startPipeline}), the history replayed at full speed
 * ({@link #warmUp}) and the wait until everything published is accounted for ({@link #awaitDrained}).
 * For fault tests the broker can be stopped and started again on its data ({@link #stopBroker},
 * {@link #restartBroker}). {@link #close} stops everything it started, children first; a JVM shutdown
 * hook kills the children should the JVM exit (Ctrl-C) before.
 */
public final class PipelineSession implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PipelineSession.class);

    /** How long the scoring app may take to answer {@code /health}. */
    public static final Duration READY_TIMEOUT = Duration.ofMinutes(2);

    /** Lists must not have changed for this long before a drained pipeline counts as drained. */
    static final Duration QUIET = Duration.ofSeconds(2);

    private EmbeddedKafkaBroker broker;
    private final BrokerLog brokerLog;
    private final Producer<byte[], byte[]> producer;
    private LivePipeline pipeline;
    private PipelineMonitor monitor;
    private Thread killer;

    private PipelineSession(EmbeddedKafkaBroker broker, BrokerLog brokerLog, Producer<byte[], byte[]> producer) {
        this.broker = broker;
        this.brokerLog = brokerLog;
        this.producer = producer;
    }

    /**
     * Starts a broker ({@code port} 0 = any free one) with its data under {@code workDir/kafka} and its
     * log in {@value #BROKER_LOG} under {@code workDir} ({@link BrokerLog}: not on the console), creates
     * the topics and a replay producer.
     */
    public static PipelineSession startBroker(int port, Path workDir) {
        return startBroker(port, workDir, Map.of());
    }

    /** {@link #startBroker(int, Path)} with these settings of the replay producer over {@link ReplayProducers}' own. */
    public static PipelineSession startBroker(int port, Path workDir, Map<String, ?> producerOverrides) {
        BrokerLog log = BrokerLog.toFile(workDir.resolve(BROKER_LOG));
        LOG.info("the embedded Kafka broker logs to {}", log.file());
        EmbeddedKafkaBroker broker;
        try {
            broker = newBroker(port, workDir.resolve("kafka"));
        } catch (RuntimeException e) {
            log.close();
            throw e;
        }
        try {
            broker.createMoerecTopics();
            return new PipelineSession(broker, log,
                    ReplayProducers.create(ReplayProducers.config(broker.bootstrapServers(), producerOverrides)));
        } catch (RuntimeException e) {
            broker.close();
            log.close();
            throw e;
        }
    }

    /** The broker's log file, relative to the work directory (next to the child JVMs' logs). */
    public static final String BROKER_LOG = "logs/kafka-broker.log";

    private static EmbeddedKafkaBroker newBroker(int port, Path dataDir) {
        return EmbeddedKafkaBroker.builder().port(port).dataDir(dataDir).start();
    }

    /** Stops the broker, keeping its data; every client sees its connections refused until {@link #restartBroker}. */
    public void stopBroker() {
        broker.close();
    }

    /** Starts the broker again on its port with its data, as {@link #stopBroker} left them; clients reconnect by themselves. */
    public void restartBroker() {
        broker = newBroker(broker.port(), broker.dataDir());
    }

    public EmbeddedKafkaBroker broker() {
        return broker;
    }

    public String bootstrapServers() {
        return broker.bootstrapServers();
    }

    /** The replay producer ({@link ReplayProducers} settings); owned by this session. */
    public Producer<byte[], byte[]> producer() {
        return producer;
    }

    /** Publishes the data set's catalog to {@code movies}. */
    public ReplaySummary loadCatalog(DataSet data) {
        return new CatalogLoader(producer, Topics.MOVIES, Topics.VIEWING_EVENTS_DLQ.name()).load(data);
    }

    /**
     * The scoring settings the demo and the benchmark share: {@code router}, and coalescing at 200 ms
     * (a user's updates less than 200 ms apart in event time are scored once, with the latest; the
     * warm-up replays the history at full speed and still gets a list per longer gap), under {@code extra}.
     */
    public static Map<String, String> scoringSettings(String router, Map<String, String> extra) {
        Map<String, String> scoring = new LinkedHashMap<>();
        scoring.put(ScoringConfig.ROUTER, router);
        scoring.put(ScoringConfig.COALESCE_INTERVAL_MS, "200");
        scoring.putAll(extra);
        return scoring;
    }

    /**
     * Starts the features job and the scoring app ({@code settings}) and a monitor folding into
     * {@code observations}; returns once the features job has checkpointed the whole catalog and the
     * scoring app is healthy.
     */
    public LivePipeline startPipeline(LivePipeline.Settings settings, PipelineObservations observations)
            throws IOException, InterruptedException {
        if (pipeline != null) {
            throw new IllegalStateException("the pipeline is already running");
        }
        pipeline = LivePipeline.start(settings);
        killer = new Thread(pipeline::kill, "moerec-pipeline-children-kill");
        Runtime.getRuntime().addShutdownHook(killer);
        monitor = new PipelineMonitor(bootstrapServers(), Map.of(), observations);
        pipeline.awaitFeaturesJobHasCatalog(READY_TIMEOUT);
        pipeline.awaitScoringRunning(READY_TIMEOUT);
        return pipeline;
    }

    public LivePipeline pipeline() {
        return Objects.requireNonNull(pipeline, "the pipeline is not started");
    }

    public PipelineMonitor monitor() {
        return Objects.requireNonNull(monitor, "the pipeline is not started");
    }

    /** Replays the events before {@code cut} (and the rejected lines) at full speed. */
    public ReplaySummary warmUp(DataSet data, long cut) {
        return new Replayer(producer, ReplayOptions.defaults().withProgressInterval(Duration.ofSeconds(5)))
                .replay(EventTimeSlice.before(data, cut), p -> LOG.info("warm-up replay: {} sent", p.sent()));
    }

    /**
     * Waits until every one of the {@code published} events is accounted for (features, late or dead
     * letter), the scoring app has committed everything on {@code user-features}, and the lists stopped
     * changing for {@link #QUIET} after that. Returns the {@link System#nanoTime} at which it first saw
     * that state or, if later, the lists last changed (to within the 250 ms it polls at).
     *
     * @throws IllegalStateException past {@code timeout}, or when a child died
     */
    public long awaitDrained(long published, String phase, Duration timeout) throws InterruptedException {
        return pipeline().awaitDrained(monitor(), published, QUIET, timeout, phase);
    }

    @Override
    public void close() {
        RuntimeException first = null;
        for (AutoCloseable c : new AutoCloseable[] {monitor, pipeline, producer, broker, brokerLog}) {
            if (c == null) {
                continue;
            }
            try {
                c.close();
            } catch (Exception e) {
                RuntimeException r = e instanceof RuntimeException re ? re : new IllegalStateException(e);
                if (first == null) {
                    first = r;
                } else {
                    first.addSuppressed(r);
                }
            }
        }
        if (killer != null) {
            try {
                Runtime.getRuntime().removeShutdownHook(killer);
            } catch (IllegalStateException shuttingDown) {
                LOG.debug("JVM is shutting down; the hook runs by itself");
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
