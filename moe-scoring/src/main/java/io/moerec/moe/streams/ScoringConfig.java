package io.moerec.moe.streams;

import static io.moerec.ingest.config.ConfigValues.parseBoolean;
import static io.moerec.ingest.config.ConfigValues.parseDouble;
import static io.moerec.ingest.config.ConfigValues.parseInt;
import static io.moerec.ingest.config.ConfigValues.parseLong;

import io.moerec.ingest.json.StrictJson;
import io.moerec.ingest.json.UserFeaturesCodec;
import io.moerec.ingest.topic.DeadLetters;
import io.moerec.ingest.topic.Topics;
import io.moerec.ingest.config.KafkaClientProperties;
import io.moerec.ingest.config.LayeredConfig;
import io.moerec.moe.routing.RouterKind;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.streams.StreamsConfig;

/**
 * Everything the scoring app needs to start, validated when built: a bad or missing value fails at
 * start-up with its key in the message. Keys and defaults are in {@link #defaults()};
 * {@code streams.<key>} passes {@code <key>} to Kafka Streams unchanged (for example
 * {@code streams.replication.factor=3}) and wins over what this class derives. Kafka Streams hands
 * unprefixed client properties to all its clients, so {@code streams.security.protocol},
 * {@code streams.sasl.mechanism}, {@code streams.sasl.jaas.config} and {@code streams.ssl.*} secure
 * its producer, consumers and admin client; the app's own model watcher and start-up check take the
 * same unprefixed settings ({@link #kafkaClientProperties()}). A {@code streams.*} key must be a Kafka
 * Streams or client setting (or one of Kafka Streams' {@code producer.}, {@code consumer.},
 * {@code main.consumer.}, {@code restore.consumer.}, {@code global.consumer.}, {@code admin.},
 * {@code topic.} prefixed forms), and its value must pass Kafka's validator. {@link #toString()} masks
 * secret values.
 */
public record ScoringConfig(
        String bootstrapServers,
        String applicationId,
        String featuresTopic,
        String moviesTopic,
        String recommendationsTopic,
        String modelsTopic,
        String dlqTopic,
        Path modelPath,
        boolean watchModelsTopic,
        Path modelWatchDir,
        long modelWatchIntervalMs,
        RouterKind router,
        int topN,
        int balancedBatch,
        long coalesceIntervalMs,
        String processingGuarantee,
        int streamThreads,
        int standbyReplicas,
        Path stateDir,
        String httpHost,
        int httpPort,
        long kafkaCheckTimeoutMs,
        Map<String, String> streamsOverrides,
        int maxRecordBytes,
        long rocksDbMemoryBytes,
        double rocksDbWriteBufferRatio,
        boolean rocksDbStrictCapacityLimit) {

    public static final String BOOTSTRAP_SERVERS = "bootstrap.servers";
    public static final String APPLICATION_ID = "application.id";
    public static final String TOPIC_FEATURES = "topic.user-features";
    public static final String TOPIC_MOVIES = "topic.movies";
    public static final String TOPIC_RECOMMENDATIONS = "topic.recommendations";
    public static final String TOPIC_MODELS = "topic.models";
    public static final String TOPIC_DLQ = "topic.dlq";
    public static final String MODEL_PATH = "model.path";
    public static final String MODEL_WATCH_TOPIC = "model.watch-topic";
    public static final String MODEL_WATCH_DIR = "model.watch-dir";
    public static final String MODEL_WATCH_INTERVAL_MS = "model.watch-interval-ms";
    public static final String ROUTER = "router";
    public static final String TOP_N = "top-n";
    public static final String BALANCED_BATCH = "router.balanced.batch";
    public static final String COALESCE_INTERVAL_MS = "coalesce.interval-ms";
    public static final String PROCESSING_GUARANTEE = "processing.guarantee";
    public static final String STREAM_THREADS = "num.stream.threads";
    public static final String STANDBY_REPLICAS = "num.standby.replicas";
    public static final String STATE_DIR = "state.dir";
    public static final String HTTP_HOST = "http.host";
    public static final String HTTP_PORT = "http.port";
    public static final String STREAMS_PREFIX = "streams.";
    public static final String KAFKA_CHECK_TIMEOUT_MS = "startup.kafka-check-timeout-ms";
    public static final String MAX_RECORD_BYTES = "input.max-record-bytes";
    public static final String ROCKSDB_MEMORY_BYTES = "rocksdb.memory-bytes";
    public static final String ROCKSDB_WRITE_BUFFER_RATIO = "rocksdb.write-buffer-ratio";
    public static final String ROCKSDB_STRICT_CAPACITY_LIMIT = "rocksdb.strict-capacity-limit";

    /** Default off-heap budget of all the app's RocksDB stores together (jobs/BENCH.md, "Many users"). */
    public static final long DEFAULT_ROCKSDB_MEMORY_BYTES = 64L << 20;

    /** Smallest budget accepted: below it the stores' memtables flush almost on every write. */
    static final long MIN_ROCKSDB_MEMORY_BYTES = 8L << 20;

    /** Kafka Streams' prefixes for settings of one of its clients or of its internal topics. */
    private static final List<String> CLIENT_PREFIXES = List.of(StreamsConfig.MAIN_CONSUMER_PREFIX,
            StreamsConfig.RESTORE_CONSUMER_PREFIX, StreamsConfig.GLOBAL_CONSUMER_PREFIX, StreamsConfig.CONSUMER_PREFIX,
            StreamsConfig.PRODUCER_PREFIX, StreamsConfig.ADMIN_CLIENT_PREFIX);

    private static final Set<String> GUARANTEES = Set.of(StreamsConfig.EXACTLY_ONCE_V2, StreamsConfig.AT_LEAST_ONCE);

    public ScoringConfig {
        require(BOOTSTRAP_SERVERS, bootstrapServers);
        require(APPLICATION_ID, applicationId);
        require(TOPIC_FEATURES, featuresTopic);
        require(TOPIC_MOVIES, moviesTopic);
        require(TOPIC_RECOMMENDATIONS, recommendationsTopic);
        require(TOPIC_MODELS, modelsTopic);
        require(TOPIC_DLQ, dlqTopic);
        if (modelPath == null) {
            throw new IllegalArgumentException(MODEL_PATH + " is required");
        }
        range(MODEL_WATCH_INTERVAL_MS, modelWatchIntervalMs, 100, 3_600_000);
        range(TOP_N, topN, 1, 1000);
        range(BALANCED_BATCH, balancedBatch, 1, 1_000_000);
        if (coalesceIntervalMs < 0 || coalesceIntervalMs > 3_600_000) {
            throw new IllegalArgumentException(COALESCE_INTERVAL_MS + " must be in [0, 3600000] (0 = off), got " + coalesceIntervalMs);
        }
        if (!GUARANTEES.contains(processingGuarantee)) {
            throw new IllegalArgumentException(PROCESSING_GUARANTEE + " must be one of " + GUARANTEES + ", got '" + processingGuarantee + "'");
        }
        range(STREAM_THREADS, streamThreads, 1, 64);
        range(STANDBY_REPLICAS, standbyReplicas, 0, 8);
        require(HTTP_HOST, httpHost);
        range(HTTP_PORT, httpPort, 0, 65535);
        range(KAFKA_CHECK_TIMEOUT_MS, kafkaCheckTimeoutMs, 0, 600_000);
        StrictJson.recordLimit(MAX_RECORD_BYTES, maxRecordBytes);
        if (rocksDbMemoryBytes != 0) {
            range(ROCKSDB_MEMORY_BYTES + " (0 = Kafka Streams' own per-store memory)", rocksDbMemoryBytes,
                    MIN_ROCKSDB_MEMORY_BYTES, 1L << 40);
        }
        if (!(rocksDbWriteBufferRatio >= 0.05 && rocksDbWriteBufferRatio <= 0.9)) {
            throw new IllegalArgumentException(ROCKSDB_WRITE_BUFFER_RATIO + " must be in [0.05, 0.9], got " + rocksDbWriteBufferRatio);
        }
        streamsOverrides.forEach(ScoringConfig::validateStreamsSetting);
        streamsOverrides = Map.copyOf(streamsOverrides);
    }

    private static void validateStreamsSetting(String key, String value) {
        String shown = STREAMS_PREFIX + key;
        if (key.startsWith(StreamsConfig.TOPIC_PREFIX)) {
            return; // internal topics' settings: the broker validates them when it creates the topics
        }
        for (String prefix : CLIENT_PREFIXES) {
            if (key.startsWith(prefix)) {
                KafkaClientProperties.validateValue(shown, key.substring(prefix.length()), value);
                return;
            }
        }
        if (KafkaClientProperties.clientPropertyNames().contains(key)) {
            KafkaClientProperties.validateValue(shown, key, value);
            return;
        }
        ConfigDef.ConfigKey k = StreamsConfig.configDef().configKeys().get(key);
        if (k == null) {
            throw new IllegalArgumentException("unknown Kafka Streams setting " + shown
                    + " (not a Kafka Streams or client property, nor a producer./consumer./admin./topic. prefixed one)");
        }
        try {
            Object parsed = ConfigDef.parseType(key, value, k.type);
            if (k.validator != null) {
                k.validator.ensureValid(key, parsed);
            }
        } catch (ConfigException e) {
            throw new IllegalArgumentException(shown + ": invalid value"
                    + (KafkaClientProperties.isSecret(key) ? "" : " '" + value + "' (" + e.getMessage() + ")"));
        }
    }

    /**
     * Client properties for the app's own clients (the model watcher, the start-up check):
     * {@code bootstrap.servers} and the unprefixed connection settings among {@code streams.*}
     * ({@link KafkaClientProperties#connectionSettings}).
     */
    public Map<String, String> kafkaClientProperties() {
        Map<String, String> m = new TreeMap<>(KafkaClientProperties.connectionSettings(streamsOverrides));
        m.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, streamsOverrides.getOrDefault(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrapServers));
        return m;
    }

    /** The configuration with secret values masked ({@link KafkaClientProperties#isSecret}): safe to log. */
    @Override
    public String toString() {
        return "ScoringConfig[bootstrapServers=" + bootstrapServers + ", applicationId=" + applicationId + ", featuresTopic="
                + featuresTopic + ", moviesTopic=" + moviesTopic + ", recommendationsTopic=" + recommendationsTopic
                + ", modelsTopic=" + modelsTopic + ", dlqTopic=" + dlqTopic + ", modelPath=" + modelPath + ", watchModelsTopic="
                + watchModelsTopic + ", modelWatchDir=" + modelWatchDir + ", modelWatchIntervalMs=" + modelWatchIntervalMs
                + ", router=" + router + ", topN=" + topN + ", balancedBatch=" + balancedBatch + ", coalesceIntervalMs="
                + coalesceIntervalMs + ", processingGuarantee=" + processingGuarantee
                + ", streamThreads=" + streamThreads + ", standbyReplicas=" + standbyReplicas + ", stateDir=" + stateDir
                + ", httpHost=" + httpHost + ", httpPort=" + httpPort + ", kafkaCheckTimeoutMs=" + kafkaCheckTimeoutMs
                + ", streams=" + KafkaClientProperties.masked(new TreeMap<>(streamsOverrides)) + ", maxRecordBytes=" + maxRecordBytes
                + ", rocksDbMemoryBytes=" + rocksDbMemoryBytes + ", rocksDbWriteBufferRatio=" + rocksDbWriteBufferRatio
                + ", rocksDbStrictCapacityLimit=" + rocksDbStrictCapacityLimit + "]";
    }

    /** Every key with its default ({@value #BOOTSTRAP_SERVERS} and {@value #MODEL_PATH} have none). */
    public static Map<String, String> defaults() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(BOOTSTRAP_SERVERS, "");
        m.put(APPLICATION_ID, "moerec-scoring");
        m.put(TOPIC_FEATURES, Topics.USER_FEATURES.name());
        m.put(TOPIC_MOVIES, Topics.MOVIES.name());
        m.put(TOPIC_RECOMMENDATIONS, Topics.RECOMMENDATIONS.name());
        m.put(TOPIC_MODELS, Topics.MODELS.name());
        m.put(TOPIC_DLQ, Topics.VIEWING_EVENTS_DLQ.name());
        m.put(MODEL_PATH, "");
        m.put(MODEL_WATCH_TOPIC, "true");
        m.put(MODEL_WATCH_DIR, "");
        m.put(MODEL_WATCH_INTERVAL_MS, "2000");
        m.put(ROUTER, RouterKind.SOFTMAX.configName());
        m.put(TOP_N, "10");
        m.put(BALANCED_BATCH, "200");
        m.put(COALESCE_INTERVAL_MS, "0");
        m.put(PROCESSING_GUARANTEE, StreamsConfig.EXACTLY_ONCE_V2);
        m.put(STREAM_THREADS, "1");
        m.put(STANDBY_REPLICAS, "0");
        m.put(STATE_DIR, Path.of(System.getProperty("java.io.tmpdir"), "moerec", "streams").toString());
        m.put(HTTP_HOST, "127.0.0.1");
        m.put(HTTP_PORT, "8080");
        m.put(KAFKA_CHECK_TIMEOUT_MS, "30000");
        m.put(MAX_RECORD_BYTES, Integer.toString(UserFeaturesCodec.MAX_BYTES));
        m.put(ROCKSDB_MEMORY_BYTES, Long.toString(DEFAULT_ROCKSDB_MEMORY_BYTES));
        m.put(ROCKSDB_WRITE_BUFFER_RATIO, "0.5");
        m.put(ROCKSDB_STRICT_CAPACITY_LIMIT, "false");
        return m;
    }

    /** Reads settings over the defaults; an unknown key (other than {@code streams.*}) is rejected. */
    public static ScoringConfig fromMap(Map<String, String> settings) {
        Map<String, String> v = defaults();
        Map<String, String> streams = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : settings.entrySet()) {
            String k = e.getKey();
            if (k.startsWith(STREAMS_PREFIX)) {
                streams.put(k.substring(STREAMS_PREFIX.length()), e.getValue().trim());
            } else if (!v.containsKey(k)) {
                throw new IllegalArgumentException("unknown configuration key " + k + "; known are " + v.keySet()
                        + " and streams.* (passed to Kafka Streams)");
            } else {
                v.put(k, e.getValue().trim());
            }
        }
        RouterKind router;
        try {
            router = RouterKind.parse(v.get(ROUTER));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(ROUTER + ": " + e.getMessage(), e);
        }
        return new ScoringConfig(v.get(BOOTSTRAP_SERVERS), v.get(APPLICATION_ID), v.get(TOPIC_FEATURES), v.get(TOPIC_MOVIES),
                v.get(TOPIC_RECOMMENDATIONS), v.get(TOPIC_MODELS), v.get(TOPIC_DLQ),
                v.get(MODEL_PATH).isBlank() ? null : Path.of(v.get(MODEL_PATH)), parseBoolean(v, MODEL_WATCH_TOPIC),
                v.get(MODEL_WATCH_DIR).isBlank() ? null : Path.of(v.get(MODEL_WATCH_DIR)), parseLong(v, MODEL_WATCH_INTERVAL_MS), router,
                parseInt(v, TOP_N), parseInt(v, BALANCED_BATCH), parseLong(v, COALESCE_INTERVAL_MS),
                v.get(PROCESSING_GUARANTEE), parseInt(v, STREAM_THREADS), parseInt(v, STANDBY_REPLICAS),
                Path.of(v.get(STATE_DIR)), v.get(HTTP_HOST), parseInt(v, HTTP_PORT), parseLong(v, KAFKA_CHECK_TIMEOUT_MS), streams,
                StrictJson.recordLimit(MAX_RECORD_BYTES, parseLong(v, MAX_RECORD_BYTES)), parseLong(v, ROCKSDB_MEMORY_BYTES),
                parseDouble(v, ROCKSDB_WRITE_BUFFER_RATIO), parseBoolean(v, ROCKSDB_STRICT_CAPACITY_LIMIT));
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
        return LayeredConfig.load(propertiesFile, environment, ENV_PREFIX, environmentKeys(), overrides);
    }

    /**
     * The keys an environment variable can set: those of {@link #defaults()} and
     * {@code streams.<name>} for every Kafka Streams and client property name (so that a secret such
     * as {@code streams.sasl.jaas.config} can come from {@code MOEREC_SCORING_STREAMS_SASL_JAAS_CONFIG}).
     */
    public static Set<String> environmentKeys() {
        Set<String> keys = new TreeSet<>(defaults().keySet());
        KafkaClientProperties.clientPropertyNames().forEach(n -> keys.add(STREAMS_PREFIX + n));
        StreamsConfig.configDef().names().forEach(n -> keys.add(STREAMS_PREFIX + n));
        return keys;
    }

    /** Prefix of the environment variables that set the app's keys. */
    public static final String ENV_PREFIX = "MOEREC_SCORING_";

    /**
     * The environment variable for a key: {@value #ENV_PREFIX} and the key upper-cased with
     * {@code .} and {@code -} as {@code _}, e.g. {@code model.watch-dir} is
     * {@code MOEREC_SCORING_MODEL_WATCH_DIR}. The keys of {@link #environmentKeys()} have one;
     * prefixed {@code streams.*} keys ({@code streams.producer.*}, ...) are set in the file or with {@code -s}.
     */
    public static String environmentVariable(String key) {
        return LayeredConfig.environmentVariable(ENV_PREFIX, key);
    }

    /**
     * The settings given by environment variables named as {@link #environmentVariable}. A variable
     * with the prefix that names no key fails, naming the variable ({@link LayeredConfig#fromEnvironment}).
     */
    public static Map<String, String> fromEnvironment(Map<String, String> environment) {
        return LayeredConfig.fromEnvironment(environment, ENV_PREFIX, environmentKeys());
    }

    /**
     * The Kafka Streams properties: application id, brokers, guarantee, threads, standbys, state
     * directory, the advertised {@code application.server} for interactive queries, the dead-letter
     * handler, the producer's {@code max.request.size} raised to {@link DeadLetters#MAX_DEAD_LETTER_BYTES} (a bad
     * record as large as its topic allows must still fit in its dead letter, headers added), the
     * {@link BoundedMemoryRocksDbConfigSetter} as {@code rocksdb.config.setter} unless
     * {@value #ROCKSDB_MEMORY_BYTES} is 0 (its {@link SharedRocksDbMemory} is the app's to add:
     * {@link #boundsRocksDbMemory}), then the {@code streams.*} overrides (so an operator's own
     * {@code streams.rocksdb.config.setter} wins).
     */
    public Properties streamsProperties(int boundHttpPort) {
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, processingGuarantee);
        p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, streamThreads);
        p.put(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, standbyReplicas);
        p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        p.put(StreamsConfig.APPLICATION_SERVER_CONFIG, httpHost + ":" + boundHttpPort);
        p.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterHandler.class);
        p.put(DeadLetterHandler.DLQ_TOPIC_CONFIG, dlqTopic);
        p.put(DeadLetterHandler.GLOBAL_TOPICS_CONFIG, moviesTopic);
        p.put(StreamsConfig.producerPrefix(ProducerConfig.MAX_REQUEST_SIZE_CONFIG), DeadLetters.MAX_DEAD_LETTER_BYTES);
        if (rocksDbMemoryBytes > 0) {
            p.put(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG, BoundedMemoryRocksDbConfigSetter.class);
        }
        p.putAll(streamsOverrides);
        return p;
    }

    /**
     * Whether Kafka Streams will run the {@link BoundedMemoryRocksDbConfigSetter} (named as a class
     * or by its name, by default or by {@code streams.rocksdb.config.setter}), so that the app must
     * give it a {@link SharedRocksDbMemory} ({@link #newSharedRocksDbMemory}).
     */
    public static boolean boundsRocksDbMemory(Properties streamsProperties) {
        Object setter = streamsProperties.get(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG);
        String name = setter instanceof Class<?> c ? c.getName() : String.valueOf(setter).trim();
        return BoundedMemoryRocksDbConfigSetter.class.getName().equals(name);
    }

    /** A new shared memory of {@value #ROCKSDB_MEMORY_BYTES} (the default if that is 0), for one app instance. */
    public SharedRocksDbMemory newSharedRocksDbMemory() {
        return new SharedRocksDbMemory(rocksDbMemoryBytes > 0 ? rocksDbMemoryBytes : DEFAULT_ROCKSDB_MEMORY_BYTES,
                rocksDbWriteBufferRatio, rocksDbStrictCapacityLimit);
    }

    private static void require(String key, String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(key + " is required");
        }
    }

    private static void range(String key, long value, long min, long max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(key + " must be in [" + min + ", " + max + "], got " + value);
        }
    }
}
