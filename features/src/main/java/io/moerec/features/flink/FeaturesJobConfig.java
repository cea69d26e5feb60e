package io.moerec.features.flink;

import static io.moerec.ingest.config.ValueParser.bool;
import static io.moerec.ingest.config.ValueParser.intIn;
import static io.moerec.ingest.config.ValueParser.longIn;
import static io.moerec.ingest.config.ValueParser.millisAtLeast;
import static io.moerec.ingest.config.ValueParser.oneOf;
import static io.moerec.ingest.config.ValueParser.required;

import io.moerec.ingest.config.ConfigKey;
import io.moerec.ingest.config.ConfigSpec;
import io.moerec.ingest.config.ConfigValues;
import io.moerec.ingest.config.KafkaClientProperties;
import io.moerec.ingest.config.LayeredConfig;
import io.moerec.ingest.config.ValueParser;
import io.moerec.ingest.topic.Topics;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.ExecutionOptions;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.configuration.StateRecoveryOptions;

/**
 * Everything the features job needs to start, validated when built: a bad or missing value fails at
 * start-up with its key in the message. Every key is declared once in {@link #SPEC} (default,
 * description, validator; features/CONFIGURATION.md is generated from it): the job's own, the
 * pipeline's {@code stream.*} and the feature logic's {@code features.*} keys
 * ({@link FeaturesPipelineConfig}), and {@code kafka.<client property>} (for example
 * {@code kafka.security.protocol=SASL_SSL}, {@code kafka.sasl.jaas.config=...}), handed to every
 * Kafka client of the job (sources, sinks and the start-up check) and validated by
 * {@link KafkaClientProperties}. Each key can also be set by an environment variable
 * ({@link ConfigSpec#environmentVariable}); precedence, lowest first: defaults, properties file, environment,
 * {@code -s key=value}. {@link #toString()} masks secret values.
 */
public final class FeaturesJobConfig {

    public static final String BOOTSTRAP_SERVERS = "bootstrap.servers";
    public static final String TOPIC_EVENTS = "topic.viewing-events";
    public static final String TOPIC_MOVIES = "topic.movies";
    public static final String TOPIC_FEATURES = "topic.user-features";
    public static final String TOPIC_LATE = "topic.viewing-events-late";
    public static final String TOPIC_DLQ = "topic.viewing-events-dlq";
    public static final String TOPIC_DELETIONS = "topic.user-deletions";
    public static final String GROUP_ID = "group.id";
    public static final String PARALLELISM = "parallelism";
    public static final String MAX_PARALLELISM = "max-parallelism";
    public static final String BUFFER_TIMEOUT_MS = "buffer-timeout-ms";
    public static final String CHECKPOINT_INTERVAL_MS = "checkpoint.interval-ms";
    public static final String CHECKPOINT_DIR = "checkpoint.dir";
    public static final String TRANSACTIONAL_ID_PREFIX = "transactional-id-prefix";
    public static final String TRANSACTION_TIMEOUT_MS = "transaction.timeout-ms";
    /**
     * The sinks' delivery guarantee: {@value #EXACTLY_ONCE} (transactions committed with each checkpoint,
     * the default) or {@value #AT_LEAST_ONCE} (records visible as soon as written; replayed after a restore).
     */
    public static final String SINK_DELIVERY_GUARANTEE = "sink.delivery-guarantee";
    public static final String EXACTLY_ONCE = "exactly-once";
    public static final String AT_LEAST_ONCE = "at-least-once";
    /** The sinks' producers' {@code linger.ms}. */
    public static final String SINK_LINGER_MS = "sink.linger-ms";
    /** The sinks' producers' {@code compression.type}. */
    public static final String SINK_COMPRESSION = "sink.compression";
    public static final String START = "start";
    public static final String RESTORE = "restore";

    /** {@value #RESTORE} value: start without state (the default). */
    public static final String RESTORE_NONE = "none";
    /**
     * {@value #RESTORE} value: resume from the newest retained checkpoint under {@value #CHECKPOINT_DIR}
     * (any job's; a {@code file:} URI only), or start without state if there is none.
     */
    public static final String RESTORE_LATEST = "latest";
    public static final String KAFKA_CHECK_TIMEOUT_MS = "startup.kafka-check-timeout-ms";
    /**
     * Two-level RocksDB index and filters (true by default): without them a job with about a million
     * users slowed to a few hundred events/s, see {@link FlinkSettings#rocksDbReadPath}.
     */
    public static final String ROCKSDB_PARTITIONED_INDEX_FILTERS = "state.rocksdb.partitioned-index-filters";
    /** A RocksDB bloom filter per file (true by default), see {@link FlinkSettings#rocksDbReadPath}. */
    public static final String ROCKSDB_BLOOM_FILTER = "state.rocksdb.bloom-filter";
    /** Prefix of Kafka client properties passed to every client of the job. */
    public static final String KAFKA_PREFIX = "kafka.";

    /** Prefix of the environment variables that set the job's keys. */
    public static final String ENV_PREFIX = "MOEREC_FEATURES_";

    /** Client settings the job derives from its own keys; {@code kafka.<name>} for these is refused. */
    static final Map<String, String> OWNED_KAFKA_PROPERTIES = Map.ofEntries(
            Map.entry("bootstrap.servers", BOOTSTRAP_SERVERS),
            Map.entry("group.id", GROUP_ID),
            Map.entry("transactional.id", TRANSACTIONAL_ID_PREFIX),
            Map.entry("transaction.timeout.ms", TRANSACTION_TIMEOUT_MS),
            Map.entry("linger.ms", SINK_LINGER_MS),
            Map.entry("compression.type", SINK_COMPRESSION),
            Map.entry("isolation.level", "nothing (the job reads read_committed)"),
            Map.entry("key.serializer", "nothing (the job's serializers)"),
            Map.entry("value.serializer", "nothing (the job's serializers)"),
            Map.entry("key.deserializer", "nothing (the job's deserializers)"),
            Map.entry("value.deserializer", "nothing (the job's deserializers)"));

    /** The broker's default {@code transaction.max.timeout.ms}: a longer producer timeout is refused. */
    public static final long MAX_TRANSACTION_TIMEOUT_MS = 15 * 60 * 1000L;

    /** A checkpoint directory: a URI, since Flink takes any file system's; null when blank (the cluster's). */
    private static final ValueParser<String> CHECKPOINT_URI = ValueParser.allowing("a URI, e.g. `file:///var/lib/moerec/checkpoints`",
            (key, value) -> {
                if (value.isBlank()) {
                    return null;
                }
                ConfigValues.require(value.contains(":/"), key, "must be a URI such as file:///var/lib/moerec/checkpoints", value);
                return value;
            });

    /** Every key of the job, declared once: the single place of defaults and their descriptions. */
    public static final ConfigSpec SPEC = ConfigSpec.builder()
            .environmentPrefix(ENV_PREFIX)
            .required(BOOTSTRAP_SERVERS, required(), "Kafka brokers, `host:port[,host:port...]`")
            .key(TOPIC_EVENTS, Topics.VIEWING_EVENTS.name(), required(), "topic of the viewing events (input)")
            .key(TOPIC_MOVIES, Topics.MOVIES.name(), required(), "the compacted movie catalog (input, broadcast)")
            .key(TOPIC_FEATURES, Topics.USER_FEATURES.name(), required(), "topic of the users' preference features (output)")
            .key(TOPIC_LATE, Topics.VIEWING_EVENTS_LATE.name(), required(), "topic of the late events (output)")
            .key(TOPIC_DLQ, Topics.VIEWING_EVENTS_DLQ.name(), required(), "dead-letter topic of undecodable events (output)")
            .key(TOPIC_DELETIONS, Topics.USER_DELETIONS.name(), required(), "requests to forget a user (key = user id; input, read from the earliest offset)")
            .key(GROUP_ID, "moerec-features", required(),
                    "consumer group of the events source (the catalog source uses `<group.id>-catalog`); unique per deployment")
            .key(ConfigKey.of(PARALLELISM, "", ValueParser.unsetWhenBlank(intIn(1, 1024)),
                    "parallelism of the job's operators, set as Flink's `parallelism.default`; empty: the cluster's"
                    + " (`flink run -p`, its `parallelism.default`; locally, the cores)").showingDefault("(the cluster's)"))
            .key(MAX_PARALLELISM, "128", intIn(1, 32768),
                    "the number of key groups, set as Flink's `pipeline.max-parallelism` unless the cluster sets that key:"
                    + " the most the job can ever be scaled out to; it must never change for a job with state"
                    + " (a savepoint restores only with the same value), so choose it once, generously")
            .key(ConfigKey.of(BUFFER_TIMEOUT_MS, "", ValueParser.unsetWhenBlank(longIn(0, 60_000)),
                    "how long a task's network buffer waits to fill before it is sent on, ms, set as Flink's"
                    + " `execution.buffer-timeout.interval` (0: each record at once, more CPU per event); empty: the cluster's"
                    + " (Flink's default is 100, a latency floor on every network hop)").showingDefault("(the cluster's)"))
            .key(CHECKPOINT_INTERVAL_MS, "10000", millisAtLeast(100),
                    "exactly-once checkpoint interval, ms; with `sink.delivery-guarantee` exactly-once, output becomes visible to"
                    + " read_committed consumers at each checkpoint")
            .key(ConfigKey.of(CHECKPOINT_DIR, "", CHECKPOINT_URI,
                    "where checkpoints are kept (retained on cancellation), set as Flink's `execution.checkpointing.dir`;"
                    + " empty: the cluster's `execution.checkpointing.dir`").showingDefault("(the cluster's)"))
            .key(TRANSACTIONAL_ID_PREFIX, "moerec-features", required(),
                    "prefix of the sinks' transactional ids; unique per deployment, kept across a restore")
            .key(TRANSACTION_TIMEOUT_MS, Long.toString(MAX_TRANSACTION_TIMEOUT_MS),
                    ValueParser.allowing("at most " + MAX_TRANSACTION_TIMEOUT_MS + ", at least twice `checkpoint.interval-ms`",
                            (key, value) -> {
                                long v = ConfigValues.parseLong(key, value);
                                ConfigValues.require(v <= MAX_TRANSACTION_TIMEOUT_MS, key, "must be at most "
                                        + MAX_TRANSACTION_TIMEOUT_MS + " (the broker's default transaction.max.timeout.ms)", v);
                                return v;
                            }),
                    "the sinks' Kafka transaction timeout, ms (the broker's default cap is 15 min)")
            .key(SINK_DELIVERY_GUARANTEE, EXACTLY_ONCE, oneOf(EXACTLY_ONCE, AT_LEAST_ONCE),
                    "the sinks' guarantee. `exactly-once`: Kafka transactions committed with each checkpoint, so read_committed"
                    + " consumers see each update once, up to `checkpoint.interval-ms` after it was made. `at-least-once`: records"
                    + " are visible as soon as written (no checkpoint wait) and flushed at each checkpoint; after a crash the"
                    + " updates since the last checkpoint are written again, so consumers may see duplicates. Lists still never"
                    + " hold a watched movie: every update carries the user's complete watched set")
            .key(SINK_LINGER_MS, "5", longIn(0, 60_000),
                    "the sinks' producers' `linger.ms`: how long a batch waits for more records (5 is the Kafka client's default)")
            .key(SINK_COMPRESSION, "none", oneOf("none", "gzip", "snappy", "lz4", "zstd"),
                    "the sinks' producers' `compression.type`")
            .key(START, "earliest", oneOf("earliest", "latest"), "where the events source starts without a restored state")
            .key(RESTORE, RESTORE_NONE, ValueParser.allowing("`none`, `latest` or a path", required()),
                    "the state to start from: none; `latest` = the newest retained checkpoint under a `file:` `checkpoint.dir`"
                    + " (or none if there is none); or a checkpoint or savepoint path")
            .key(KAFKA_CHECK_TIMEOUT_MS, "30000", longIn(0, 600_000, "0 = no check"),
                    "before starting, one admin request with the job's Kafka settings must answer within this many ms")
            .key(ROCKSDB_PARTITIONED_INDEX_FILTERS, "true", bool(),
                    "two-level RocksDB index and filters (without them a job with a million users slowed to a few hundred events/s)")
            .key(ROCKSDB_BLOOM_FILTER, "true", bool(), "a RocksDB bloom filter per file")
            .include(FeaturesPipelineConfig.SPEC)
            .family(KAFKA_PREFIX, "a Kafka client property handed to every source, sink and the start-up check"
                    + " (e.g. `kafka.security.protocol=SASL_SSL`), validated against Kafka's own definitions;"
                    + " secret values are logged as `[hidden]`", KafkaClientProperties.clientPropertyNames(),
                    KafkaClientProperties::isSecret)
            .build();

    private final LayeredConfig values;
    private final Map<String, String> kafkaProperties;
    private final FeaturesPipelineConfig pipeline;

    private FeaturesJobConfig(LayeredConfig values) {
        this.values = values;
        this.pipeline = FeaturesPipelineConfig.from(values);
        // A transaction stays open for a whole checkpoint interval; it must not time out before the commit.
        if (transactionTimeoutMs() < 2 * checkpointIntervalMs()) {
            throw new IllegalArgumentException(TRANSACTION_TIMEOUT_MS + " (" + transactionTimeoutMs()
                    + ") must be at least twice " + CHECKPOINT_INTERVAL_MS + " (" + checkpointIntervalMs() + ")");
        }
        if (restore().equals(RESTORE_LATEST) && !checkpointDir().orElse("").startsWith("file:")) {
            throw new IllegalArgumentException(RESTORE + "=" + RESTORE_LATEST + " needs a file: " + CHECKPOINT_DIR + ", got "
                    + checkpointDir().orElse("none") + " (give the checkpoint's path instead)");
        }
        this.kafkaProperties = Map.copyOf(KafkaClientProperties.validate(KAFKA_PREFIX, values.family(KAFKA_PREFIX),
                OWNED_KAFKA_PROPERTIES));
    }

    /** The reference page of the keys, features/CONFIGURATION.md, generated from {@link #SPEC}. */
    public static String referencePage() {
        return SPEC.markdown("Features job configuration");
    }

    /**
     * Reads settings over the defaults. The keys of {@link #SPEC} and {@code kafka.*} are known;
     * anything else is rejected so that a typo fails loudly.
     */
    public static FeaturesJobConfig fromMap(Map<String, String> settings) {
        return new FeaturesJobConfig(SPEC.parse(settings));
    }

    /**
     * The validated configuration from, in rising precedence: the defaults, a properties file (may be
     * null), the {@code MOEREC_FEATURES_*} variables of {@code environment} (named as
     * {@link ConfigSpec#environmentVariable}, e.g. {@code MOEREC_FEATURES_KAFKA_SASL_JAAS_CONFIG}; an
     * unknown one fails naming it) and {@code overrides} ({@code -s key=value}).
     */
    public static FeaturesJobConfig load(Path propertiesFile, Map<String, String> environment, Map<String, String> overrides)
            throws IOException {
        return fromMap(SPEC.layers(propertiesFile, environment, overrides));
    }

    public String bootstrapServers() {
        return values.get(BOOTSTRAP_SERVERS, String.class);
    }

    public String eventsTopic() {
        return values.get(TOPIC_EVENTS, String.class);
    }

    public String moviesTopic() {
        return values.get(TOPIC_MOVIES, String.class);
    }

    public String featuresTopic() {
        return values.get(TOPIC_FEATURES, String.class);
    }

    public String lateTopic() {
        return values.get(TOPIC_LATE, String.class);
    }

    public String dlqTopic() {
        return values.get(TOPIC_DLQ, String.class);
    }

    public String deletionsTopic() {
        return values.get(TOPIC_DELETIONS, String.class);
    }

    public String groupId() {
        return values.get(GROUP_ID, String.class);
    }

    /** The job's parallelism when {@value #PARALLELISM} is given; empty: the cluster decides. */
    public OptionalInt parallelism() {
        Integer p = values.get(PARALLELISM, Integer.class);
        return p == null ? OptionalInt.empty() : OptionalInt.of(p);
    }

    /** The network buffer timeout when {@value #BUFFER_TIMEOUT_MS} is given; empty: the cluster's. */
    public Optional<Duration> bufferTimeout() {
        return Optional.ofNullable(values.get(BUFFER_TIMEOUT_MS, Long.class)).map(Duration::ofMillis);
    }

    /** The job's fixed number of key groups ({@value #MAX_PARALLELISM}). */
    public int maxParallelism() {
        return values.get(MAX_PARALLELISM, Integer.class);
    }

    public long checkpointIntervalMs() {
        return values.get(CHECKPOINT_INTERVAL_MS, Long.class);
    }

    /** The checkpoint directory when {@value #CHECKPOINT_DIR} is given; empty: the cluster's. */
    public Optional<String> checkpointDir() {
        return Optional.ofNullable(values.get(CHECKPOINT_DIR, String.class));
    }

    public String transactionalIdPrefix() {
        return values.get(TRANSACTIONAL_ID_PREFIX, String.class);
    }

    public long transactionTimeoutMs() {
        return values.get(TRANSACTION_TIMEOUT_MS, Long.class);
    }

    /** Whether the sinks are transactional ({@value #SINK_DELIVERY_GUARANTEE} = {@value #EXACTLY_ONCE}). */
    public boolean exactlyOnceSinks() {
        return values.get(SINK_DELIVERY_GUARANTEE, String.class).equals(EXACTLY_ONCE);
    }

    /**
     * Producer settings of the sinks on top of {@link #kafkaProperties()}: {@value #SINK_LINGER_MS} as
     * {@code linger.ms}, {@value #SINK_COMPRESSION} as {@code compression.type}.
     */
    public Map<String, String> sinkProducerProperties() {
        Map<String, String> m = new TreeMap<>(kafkaProperties);
        m.put("linger.ms", Long.toString(values.get(SINK_LINGER_MS, Long.class)));
        m.put("compression.type", values.get(SINK_COMPRESSION, String.class));
        return m;
    }

    /** {@code earliest} or {@code latest}. */
    public String start() {
        return values.get(START, String.class);
    }

    public String restore() {
        return values.get(RESTORE, String.class);
    }

    public long kafkaCheckTimeoutMs() {
        return values.get(KAFKA_CHECK_TIMEOUT_MS, Long.class);
    }

    public boolean rocksDbPartitionedIndexFilters() {
        return values.get(ROCKSDB_PARTITIONED_INDEX_FILTERS, Boolean.class);
    }

    public boolean rocksDbBloomFilter() {
        return values.get(ROCKSDB_BLOOM_FILTER, Boolean.class);
    }

    /** The {@code kafka.*} settings without the prefix, validated, in name order. */
    public Map<String, String> kafkaProperties() {
        return kafkaProperties;
    }

    /** The pipeline's parameters ({@code stream.*}, {@code features.*}). */
    public FeaturesPipelineConfig pipeline() {
        return pipeline;
    }

    /**
     * The Kafka client properties of every client of the job: the {@code kafka.*} settings and
     * {@code bootstrap.servers}.
     */
    public Map<String, String> kafkaClientProperties() {
        Map<String, String> m = new TreeMap<>(kafkaProperties);
        m.put("bootstrap.servers", bootstrapServers());
        return m;
    }

    /** Every key with its value (secrets masked): safe to log. */
    @Override
    public String toString() {
        return "FeaturesJobConfig" + values;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FeaturesJobConfig c && c.values.equals(values);
    }

    @Override
    public int hashCode() {
        return values.hashCode();
    }

    /**
     * The Flink configuration: RocksDB (read path as {@value #ROCKSDB_PARTITIONED_INDEX_FILTERS} and
     * {@value #ROCKSDB_BLOOM_FILTER} say), incremental exactly-once checkpoints, no generic types. What a
     * cluster configures for itself is set only when its key is given: {@value #PARALLELISM} as
     * {@code parallelism.default} (else {@code flink run -p} or the cluster's default applies),
     * {@value #BUFFER_TIMEOUT_MS} as {@code execution.buffer-timeout.interval} and
     * {@value #CHECKPOINT_DIR} as {@code execution.checkpointing.dir} with file-system storage (else the
     * cluster's directory). {@value #MAX_PARALLELISM} becomes {@code pipeline.max-parallelism} (see
     * {@link #flinkConfiguration(ReadableConfig)} for a cluster that sets it).
     */
    public Configuration flinkConfiguration() {
        return flinkConfiguration(new Configuration());
    }

    /**
     * {@link #flinkConfiguration()} for a cluster configured with {@code cluster} (its
     * {@code config.yaml}): a {@code pipeline.max-parallelism} there is left to apply, since a job
     * setting it would override the cluster's and change the key groups of a running deployment.
     */
    public Configuration flinkConfiguration(ReadableConfig cluster) {
        Configuration c = FlinkSettings.rocksDbReadPath(
                FlinkSettings.rocksDbExactlyOnce(Duration.ofMillis(checkpointIntervalMs())),
                rocksDbPartitionedIndexFilters(), rocksDbBloomFilter());
        checkpointDir().ifPresent(dir -> FlinkSettings.checkpointsIn(c, dir));
        parallelism().ifPresent(p -> c.set(CoreOptions.DEFAULT_PARALLELISM, p));
        bufferTimeout().ifPresent(t -> c.set(ExecutionOptions.BUFFER_TIMEOUT, t));
        if (cluster.getOptional(PipelineOptions.MAX_PARALLELISM).isEmpty()) {
            c.set(PipelineOptions.MAX_PARALLELISM, maxParallelism());
        }
        restorePath().ifPresent(path -> c.set(StateRecoveryOptions.SAVEPOINT_PATH, path));
        return c;
    }

    /**
     * The checkpoint or savepoint to resume from, as {@value #RESTORE} says: none, the newest retained
     * checkpoint under {@value #CHECKPOINT_DIR} ({@link #latestCheckpoint}), or the given path. The
     * transactional id prefix must be the one the checkpointed job ran with: the restored sinks commit
     * the checkpoint's pending transactions and abort the ones the old job left open.
     */
    public Optional<String> restorePath() {
        if (restore().equals(RESTORE_NONE)) {
            return Optional.empty();
        }
        if (restore().equals(RESTORE_LATEST)) {
            return latestCheckpoint(Path.of(URI.create(checkpointDir().orElseThrow())));
        }
        return Optional.of(restore());
    }

    /**
     * The newest complete checkpoint ({@code <job id>/chk-N} with its {@code _metadata}, which Flink
     * writes last) of any job under {@code checkpointDir}, by the time its metadata was written; empty
     * if there is none. Checkpoints are retained (on cancellation and, of course, on a crash) by
     * {@link FlinkSettings#rocksDbExactlyOnce}.
     */
    public static Optional<String> latestCheckpoint(Path checkpointDir) {
        if (!Files.isDirectory(checkpointDir)) {
            return Optional.empty();
        }
        try (Stream<Path> metadata = Files.find(checkpointDir, 3, (p, attrs) -> attrs.isRegularFile()
                && p.getFileName().toString().equals("_metadata")
                && p.getParent().getFileName().toString().startsWith("chk-"))) {
            return metadata.max(Comparator.comparing((Path p) -> {
                        try {
                            return Files.getLastModifiedTime(p);
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    }).thenComparingLong(p -> Long.parseLong(p.getParent().getFileName().toString().substring(4))))
                    .map(p -> p.getParent().toUri().toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the checkpoints under " + checkpointDir, e);
        }
    }
}
