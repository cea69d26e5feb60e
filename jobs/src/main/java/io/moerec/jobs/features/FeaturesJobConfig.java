package io.moerec.jobs.features;

import static io.moerec.ingest.config.ConfigValues.parseBoolean;
import static io.moerec.ingest.config.ConfigValues.parseInt;
import static io.moerec.ingest.config.ConfigValues.parseLong;

import io.moerec.features.flink.FeaturesPipelineConfig;
import io.moerec.features.flink.FlinkSettings;
import io.moerec.ingest.topic.Topics;
import io.moerec.ingest.config.KafkaClientProperties;
import io.moerec.ingest.config.LayeredConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateRecoveryOptions;

/**
 * Everything the features job needs to start, validated when built: a bad or missing value fails at
 * start-up with its key in the message. Keys (defaults in {@link #defaults()}):
 * {@value #BOOTSTRAP_SERVERS} (required), {@code topic.*}, {@value #GROUP_ID}, {@value #PARALLELISM},
 * {@value #CHECKPOINT_INTERVAL_MS}, {@value #CHECKPOINT_DIR}, {@value #TRANSACTIONAL_ID_PREFIX},
 * {@value #TRANSACTION_TIMEOUT_MS}, {@value #START}, {@value #RESTORE},
 * {@value #ROCKSDB_PARTITIONED_INDEX_FILTERS}, {@value #ROCKSDB_BLOOM_FILTER}, plus the pipeline's {@code stream.*} and the
 * feature logic's {@code features.*} keys ({@link FeaturesPipelineConfig}), and
 * {@code kafka.<client property>} (for example {@code kafka.security.protocol=SASL_SSL},
 * {@code kafka.sasl.jaas.config=...}), handed to every Kafka client of the job (sources, sinks and the
 * start-up check) and validated by {@link KafkaClientProperties}. Each key can also be
 * set by an environment variable ({@link #environmentVariable}); precedence, lowest first: defaults,
 * properties file, environment, {@code -s key=value}. {@link #toString()} masks secret values.
 */
public record FeaturesJobConfig(
        String bootstrapServers,
        String eventsTopic,
        String moviesTopic,
        String featuresTopic,
        String lateTopic,
        String dlqTopic,
        String deletionsTopic,
        String groupId,
        int parallelism,
        long checkpointIntervalMs,
        String checkpointDir,
        String transactionalIdPrefix,
        long transactionTimeoutMs,
        String start,
        String restore,
        long kafkaCheckTimeoutMs,
        boolean rocksDbPartitionedIndexFilters,
        boolean rocksDbBloomFilter,
        Map<String, String> kafkaProperties,
        FeaturesPipelineConfig pipeline) {

    public static final String BOOTSTRAP_SERVERS = "bootstrap.servers";
    public static final String TOPIC_EVENTS = "topic.viewing-events";
    public static final String TOPIC_MOVIES = "topic.movies";
    public static final String TOPIC_FEATURES = "topic.user-features";
    public static final String TOPIC_LATE = "topic.viewing-events-late";
    public static final String TOPIC_DLQ = "topic.viewing-events-dlq";
    /** Requests to forget a user (key = user id), read from the earliest offset. */
    public static final String TOPIC_DELETIONS = "topic.user-deletions";
    public static final String GROUP_ID = "group.id";
    public static final String PARALLELISM = "parallelism";
    public static final String CHECKPOINT_INTERVAL_MS = "checkpoint.interval-ms";
    public static final String CHECKPOINT_DIR = "checkpoint.dir";
    public static final String TRANSACTIONAL_ID_PREFIX = "transactional-id-prefix";
    public static final String TRANSACTION_TIMEOUT_MS = "transaction.timeout-ms";
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

    /** Client settings the job derives from its own keys; {@code kafka.<name>} for these is refused. */
    static final Map<String, String> OWNED_KAFKA_PROPERTIES = Map.of(
            "bootstrap.servers", BOOTSTRAP_SERVERS,
            "group.id", GROUP_ID,
            "transactional.id", TRANSACTIONAL_ID_PREFIX,
            "transaction.timeout.ms", TRANSACTION_TIMEOUT_MS,
            "isolation.level", "nothing (the job reads read_committed)",
            "key.serializer", "nothing (the job's serializers)",
            "value.serializer", "nothing (the job's serializers)",
            "key.deserializer", "nothing (the job's deserializers)",
            "value.deserializer", "nothing (the job's deserializers)");

    /** The broker's default {@code transaction.max.timeout.ms}: a longer producer timeout is refused. */
    public static final long MAX_TRANSACTION_TIMEOUT_MS = 15 * 60 * 1000L;

    public FeaturesJobConfig {
        require(BOOTSTRAP_SERVERS, bootstrapServers);
        require(TOPIC_EVENTS, eventsTopic);
        require(TOPIC_MOVIES, moviesTopic);
        require(TOPIC_FEATURES, featuresTopic);
        require(TOPIC_LATE, lateTopic);
        require(TOPIC_DLQ, dlqTopic);
        require(TOPIC_DELETIONS, deletionsTopic);
        require(GROUP_ID, groupId);
        require(CHECKPOINT_DIR, checkpointDir);
        require(TRANSACTIONAL_ID_PREFIX, transactionalIdPrefix);
        require(RESTORE, restore);
        Objects.requireNonNull(pipeline, "pipeline");
        if (parallelism < 1 || parallelism > 1024) {
            throw new IllegalArgumentException(PARALLELISM + " must be in [1, 1024], got " + parallelism);
        }
        if (checkpointIntervalMs < 100) {
            throw new IllegalArgumentException(CHECKPOINT_INTERVAL_MS + " must be at least 100, got " + checkpointIntervalMs);
        }
        if (!checkpointDir.contains(":/")) {
            throw new IllegalArgumentException(CHECKPOINT_DIR + " must be a URI such as file:///var/lib/moerec/checkpoints, got "
                    + checkpointDir);
        }
        if (transactionTimeoutMs > MAX_TRANSACTION_TIMEOUT_MS) {
            throw new IllegalArgumentException(TRANSACTION_TIMEOUT_MS + " must be at most " + MAX_TRANSACTION_TIMEOUT_MS
                    + " (the broker's default transaction.max.timeout.ms), got " + transactionTimeoutMs);
        }
        // A transaction stays open for a whole checkpoint interval; it must not time out before the commit.
        if (transactionTimeoutMs < 2 * checkpointIntervalMs) {
            throw new IllegalArgumentException(TRANSACTION_TIMEOUT_MS + " (" + transactionTimeoutMs
                    + ") must be at least twice " + CHECKPOINT_INTERVAL_MS + " (" + checkpointIntervalMs + ")");
        }
        if (!start.equals("earliest") && !start.equals("latest")) {
            throw new IllegalArgumentException(START + " must be 'earliest' or 'latest', got '" + start + "'");
        }
        if (restore.equals(RESTORE_LATEST) && !checkpointDir.startsWith("file:")) {
            throw new IllegalArgumentException(RESTORE + "=" + RESTORE_LATEST + " needs a file: " + CHECKPOINT_DIR + ", got "
                    + checkpointDir + " (give the checkpoint's path instead)");
        }
        if (kafkaCheckTimeoutMs < 0 || kafkaCheckTimeoutMs > 600_000) {
            throw new IllegalArgumentException(KAFKA_CHECK_TIMEOUT_MS + " must be in [0, 600000] (0 = no check), got "
                    + kafkaCheckTimeoutMs);
        }
        kafkaProperties = Map.copyOf(KafkaClientProperties.validate(KAFKA_PREFIX, kafkaProperties, OWNED_KAFKA_PROPERTIES));
    }

    /**
     * The Kafka client properties of every client of the job: the {@code kafka.*} settings and
     * {@code bootstrap.servers}.
     */
    public Map<String, String> kafkaClientProperties() {
        Map<String, String> m = new TreeMap<>(kafkaProperties);
        m.put("bootstrap.servers", bootstrapServers);
        return m;
    }

    /** The configuration with secret values ({@link KafkaClientProperties#isSecret}) masked: safe to log. */
    @Override
    public String toString() {
        return "FeaturesJobConfig[bootstrapServers=" + bootstrapServers + ", eventsTopic=" + eventsTopic + ", moviesTopic="
                + moviesTopic + ", featuresTopic=" + featuresTopic + ", lateTopic=" + lateTopic + ", dlqTopic=" + dlqTopic + ", deletionsTopic=" + deletionsTopic
                + ", groupId=" + groupId + ", parallelism=" + parallelism + ", checkpointIntervalMs=" + checkpointIntervalMs
                + ", checkpointDir=" + checkpointDir + ", transactionalIdPrefix=" + transactionalIdPrefix
                + ", transactionTimeoutMs=" + transactionTimeoutMs + ", start=" + start + ", restore=" + restore + ", kafkaCheckTimeoutMs="
                + kafkaCheckTimeoutMs + ", rocksDbPartitionedIndexFilters=" + rocksDbPartitionedIndexFilters
                + ", rocksDbBloomFilter=" + rocksDbBloomFilter + ", kafka=" + KafkaClientProperties.masked(kafkaProperties) + ", pipeline=" + pipeline + "]";
    }

    /** Every key with its default ({@value #BOOTSTRAP_SERVERS} has none). */
    public static Map<String, String> defaults() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(BOOTSTRAP_SERVERS, "");
        m.put(TOPIC_EVENTS, Topics.VIEWING_EVENTS.name());
        m.put(TOPIC_MOVIES, Topics.MOVIES.name());
        m.put(TOPIC_FEATURES, Topics.USER_FEATURES.name());
        m.put(TOPIC_LATE, Topics.VIEWING_EVENTS_LATE.name());
        m.put(TOPIC_DLQ, Topics.VIEWING_EVENTS_DLQ.name());
        m.put(TOPIC_DELETIONS, Topics.USER_DELETIONS.name());
        m.put(GROUP_ID, "moerec-features");
        m.put(PARALLELISM, "1");
        m.put(CHECKPOINT_INTERVAL_MS, "10000");
        m.put(CHECKPOINT_DIR, Path.of(System.getProperty("java.io.tmpdir"), "moerec", "checkpoints").toUri().toString());
        m.put(TRANSACTIONAL_ID_PREFIX, "moerec-features");
        m.put(TRANSACTION_TIMEOUT_MS, Long.toString(MAX_TRANSACTION_TIMEOUT_MS));
        m.put(START, "earliest");
        m.put(RESTORE, RESTORE_NONE);
        m.put(KAFKA_CHECK_TIMEOUT_MS, "30000");
        m.put(ROCKSDB_PARTITIONED_INDEX_FILTERS, "true");
        m.put(ROCKSDB_BLOOM_FILTER, "true");
        return m;
    }

    /**
     * Reads settings over the defaults. Keys of this class, {@code stream.*}, {@code features.*} and
     * {@code kafka.*} are known; anything else is rejected so that a typo fails loudly.
     */
    public static FeaturesJobConfig fromMap(Map<String, String> settings) {
        Map<String, String> v = defaults();
        Map<String, String> kafka = new TreeMap<>();
        for (Map.Entry<String, String> e : settings.entrySet()) {
            String k = e.getKey();
            if (k.startsWith("stream.") || k.startsWith("features.")) {
                continue; // validated by FeaturesPipelineConfig below
            }
            if (k.startsWith(KAFKA_PREFIX)) {
                kafka.put(k.substring(KAFKA_PREFIX.length()), e.getValue());
                continue; // validated by KafkaClientProperties in the constructor
            }
            if (!v.containsKey(k)) {
                throw new IllegalArgumentException("unknown configuration key " + k + "; known are " + v.keySet()
                                + " and the stream.*, features.* and kafka.* keys");
            }
            v.put(k, e.getValue().trim());
        }
        return new FeaturesJobConfig(v.get(BOOTSTRAP_SERVERS), v.get(TOPIC_EVENTS), v.get(TOPIC_MOVIES),
                v.get(TOPIC_FEATURES), v.get(TOPIC_LATE), v.get(TOPIC_DLQ), v.get(TOPIC_DELETIONS), v.get(GROUP_ID),
                parseInt(v, PARALLELISM), parseLong(v, CHECKPOINT_INTERVAL_MS), v.get(CHECKPOINT_DIR),
                v.get(TRANSACTIONAL_ID_PREFIX), parseLong(v, TRANSACTION_TIMEOUT_MS), v.get(START),
                v.get(RESTORE), parseLong(v, KAFKA_CHECK_TIMEOUT_MS), parseBoolean(v, ROCKSDB_PARTITIONED_INDEX_FILTERS),
                parseBoolean(v, ROCKSDB_BLOOM_FILTER), kafka, FeaturesPipelineConfig.fromMap(settings));
    }

    /** Reads a properties file; {@code overrides} win over its entries. */
    public static Map<String, String> load(Path propertiesFile, Map<String, String> overrides) throws IOException {
        return load(propertiesFile, Map.of(), overrides);
    }

    /**
     * The settings from, in rising precedence: a properties file (may be null), environment
     * variables ({@link #fromEnvironment}) and explicit overrides ({@code -s key=value}).
     */
    public static Map<String, String> load(Path propertiesFile, Map<String, String> environment,
                                           Map<String, String> overrides) throws IOException {
        return LayeredConfig.load(propertiesFile, environment, ENV_PREFIX, knownKeys(), overrides);
    }

    /** Prefix of the environment variables that set the job's keys. */
    public static final String ENV_PREFIX = "MOEREC_FEATURES_";

    /**
     * Every key the job reads: its own, the pipeline's {@code stream.*}, the logic's {@code features.*}
     * and {@code kafka.<name>} for every Kafka client property name (so that secrets such as
     * {@code kafka.sasl.jaas.config} can come from {@code MOEREC_FEATURES_KAFKA_SASL_JAAS_CONFIG}).
     */
    public static Set<String> knownKeys() {
        Set<String> keys = new TreeSet<>(defaults().keySet());
        keys.addAll(FeaturesPipelineConfig.defaults().toMap().keySet());
        KafkaClientProperties.clientPropertyNames().forEach(n -> keys.add(KAFKA_PREFIX + n));
        return keys;
    }

    /**
     * The environment variable for a key: {@value #ENV_PREFIX} and the key upper-cased with
     * {@code .} and {@code -} as {@code _}, e.g. {@code bootstrap.servers} is
     * {@code MOEREC_FEATURES_BOOTSTRAP_SERVERS}.
     */
    public static String environmentVariable(String key) {
        return LayeredConfig.environmentVariable(ENV_PREFIX, key);
    }

    /**
     * The settings given by environment variables named as {@link #environmentVariable}. A variable
     * with the prefix that names no known key fails, naming the variable, so that a typo does not
     * silently leave a default in place ({@link LayeredConfig#fromEnvironment}).
     */
    public static Map<String, String> fromEnvironment(Map<String, String> environment) {
        return LayeredConfig.fromEnvironment(environment, ENV_PREFIX, knownKeys());
    }

    /**
     * The Flink configuration: RocksDB (read path as {@value #ROCKSDB_PARTITIONED_INDEX_FILTERS} and
     * {@value #ROCKSDB_BLOOM_FILTER} say), incremental exactly-once checkpoints, no generic types.
     */
    public Configuration flinkConfiguration() {
        Configuration c = FlinkSettings.rocksDbReadPath(
                FlinkSettings.rocksDbExactlyOnce(Duration.ofMillis(checkpointIntervalMs), checkpointDir),
                rocksDbPartitionedIndexFilters, rocksDbBloomFilter);
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
        if (restore.equals(RESTORE_NONE)) {
            return Optional.empty();
        }
        if (restore.equals(RESTORE_LATEST)) {
            return latestCheckpoint(Path.of(URI.create(checkpointDir)));
        }
        return Optional.of(restore);
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

    private static void require(String key, String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(key + " is required");
        }
    }
}
