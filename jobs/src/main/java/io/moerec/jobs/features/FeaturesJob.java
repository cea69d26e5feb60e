package io.moerec.jobs.features;

import io.moerec.features.flink.FeaturesJobConfig;
import io.moerec.features.flink.FeaturesPipeline;
import io.moerec.features.flink.KafkaConnectors;
import io.moerec.ingest.config.KafkaAccessCheck;
import io.moerec.ingest.config.MoerecVersion;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.flink.configuration.ConfigConstants;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.GlobalConfiguration;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Entry point of the Flink preference-features job: parses and validates the configuration
 * ({@link FeaturesJobConfig}), wires the Kafka sources and exactly-once sinks and hands them to
 * {@link FeaturesPipeline}. Runs on a local MiniCluster when started directly, or on a cluster when
 * submitted ({@code flink run}); the same configuration keys apply, from a properties file,
 * {@code MOEREC_FEATURES_*} environment variables and {@code -s key=value} (in rising precedence).
 * <pre>
 * FeaturesJob --config features.properties -s bootstrap.servers=localhost:9092 -s parallelism=2
 * </pre>
 */
@Command(name = "features-job", mixinStandardHelpOptions = true, versionProvider = FeaturesJob.Version.class,
        description = "The Flink job that keeps users' preference features (viewing-events + movies -> user-features). "
                + "Keys: see features/CONFIGURATION.md; each also as MOEREC_FEATURES_<KEY> (upper case, . and - as _); "
                + "precedence file < environment < -s.")
public final class FeaturesJob {

    private static final Logger LOG = LoggerFactory.getLogger(FeaturesJob.class);

    /** {@code --version}: the build's version ({@link MoerecVersion}). */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"moerec features-job " + MoerecVersion.current()};
        }
    }

    @Option(names = "--config", description = "a properties file of configuration keys")
    Path configFile;

    @Option(names = {"-s", "--set"}, description = "key=value, overrides the file and MOEREC_FEATURES_* variables (repeatable)")
    Map<String, String> settings = new LinkedHashMap<>();

    public static void main(String[] args) throws Exception {
        Optional<FeaturesJobConfig> parsed = parseArgs(args, System.getenv());
        if (parsed.isEmpty()) {
            return; // usage or version printed
        }
        FeaturesJobConfig config = parsed.get();
        LOG.info("starting the features job: {}", config);
        checkKafka(config);
        Optional<String> restore = config.restorePath();
        if (restore.isPresent()) {
            LOG.info("resuming from {}", restore.get());
        } else if (!config.restore().equals(FeaturesJobConfig.RESTORE_NONE)) {
            LOG.info("no retained checkpoint under {}: starting without state", config.checkpointDir().orElse(""));
        }
        StreamExecutionEnvironment env = environment(config);
        pipeline(config).build(env);
        env.execute("moerec-features");
    }

    /**
     * The execution environment: submitted with {@code flink run}, the cluster's, configured by
     * {@link FeaturesJobConfig#flinkConfiguration()} (which leaves parallelism and the checkpoint
     * directory to the cluster unless their keys are given, and {@code pipeline.max-parallelism} to a
     * cluster whose {@code config.yaml}, under {@code FLINK_CONF_DIR}, sets it); started directly, a
     * local MiniCluster. Nothing is set on the environment afterwards, so {@code flink run -p} keeps
     * its meaning.
     */
    public static StreamExecutionEnvironment environment(FeaturesJobConfig config) {
        return StreamExecutionEnvironment.getExecutionEnvironment(config.flinkConfiguration(clusterConfiguration(System.getenv())));
    }

    /** The cluster's own configuration as Flink's CLI reads it: {@code FLINK_CONF_DIR}'s, or none. */
    static Configuration clusterConfiguration(Map<String, String> environment) {
        String dir = environment.get(ConfigConstants.ENV_FLINK_CONF_DIR);
        return dir == null || dir.isBlank() ? new Configuration() : GlobalConfiguration.loadConfiguration(dir);
    }

    /**
     * Reads the command line ({@code --config file -s key=value ...}) and the environment
     * ({@link FeaturesJobConfig#load}) exactly as {@link #main} does and validates the
     * result; empty when usage or version help was asked for (and printed). A bad argument, key or
     * value throws {@link IllegalArgumentException} naming it.
     */
    public static Optional<FeaturesJobConfig> parseArgs(String[] args, Map<String, String> environment) throws IOException {
        FeaturesJob cli = new FeaturesJob();
        CommandLine cmd = new CommandLine(cli);
        CommandLine.ParseResult parsed;
        try {
            parsed = cmd.parseArgs(args);
        } catch (CommandLine.ParameterException e) {
            cmd.getErr().println(e.getMessage());
            cmd.usage(cmd.getErr());
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        if (CommandLine.printHelpIfRequested(parsed)) {
            return Optional.empty();
        }
        return Optional.of(FeaturesJobConfig.load(cli.configFile, environment, cli.settings));
    }

    /**
     * Connects to Kafka with the job's client settings before the job is submitted
     * ({@link KafkaAccessCheck}), unless {@value FeaturesJobConfig#KAFKA_CHECK_TIMEOUT_MS} is 0: wrong
     * credentials would otherwise make the job restart for ever under its restart strategy.
     *
     * @throws IllegalStateException naming the failure (authentication failed, with protocol,
     *                               mechanism and user; or no answer in time)
     */
    public static void checkKafka(FeaturesJobConfig config) {
        if (config.kafkaCheckTimeoutMs() > 0) {
            KafkaAccessCheck.check("features job", config.kafkaClientProperties(), Duration.ofMillis(config.kafkaCheckTimeoutMs()));
        }
    }

    /** The pipeline wired to Kafka as {@code config} says. */
    public static FeaturesPipeline pipeline(FeaturesJobConfig config) {
        OffsetsInitializer start = config.start().equals("latest") ? OffsetsInitializer.latest() : OffsetsInitializer.earliest();
        String servers = config.bootstrapServers();
        Map<String, String> client = config.kafkaProperties();
        Map<String, String> producer = config.sinkProducerProperties();
        DeliveryGuarantee guarantee = config.exactlyOnceSinks() ? DeliveryGuarantee.EXACTLY_ONCE : DeliveryGuarantee.AT_LEAST_ONCE;
        return new FeaturesPipeline(config.pipeline(),
                KafkaConnectors.rawSource(servers, client, config.eventsTopic(), config.groupId(), start, false),
                // The catalog is always read whole: it is compacted and the broadcast state needs every movie.
                KafkaConnectors.rawSource(servers, client, config.moviesTopic(), config.groupId() + "-catalog",
                        OffsetsInitializer.earliest(), false),
                KafkaConnectors.rawSource(servers, client, config.deletionsTopic(), config.groupId() + "-deletions",
                        OffsetsInitializer.earliest(), false),
                KafkaConnectors.featuresSink(servers, producer, config.featuresTopic(), config.transactionalIdPrefix(),
                        config.transactionTimeoutMs(), guarantee),
                KafkaConnectors.lateSink(servers, producer, config.lateTopic(), config.transactionalIdPrefix(),
                        config.transactionTimeoutMs(), guarantee),
                KafkaConnectors.deadLetterSink(servers, producer, config.dlqTopic(), config.transactionalIdPrefix(),
                        config.transactionTimeoutMs(), guarantee));
    }
}
