package io.moerec.moe.streams;

import static io.moerec.ingest.config.ValueParser.allowing;
import static io.moerec.ingest.config.ValueParser.bool;
import static io.moerec.ingest.config.ValueParser.doubleIn;
import static io.moerec.ingest.config.ValueParser.host;
import static io.moerec.ingest.config.ValueParser.intIn;
import static io.moerec.ingest.config.ValueParser.longIn;
import static io.moerec.ingest.config.ValueParser.named;
import static io.moerec.ingest.config.ValueParser.oneOf;
import static io.moerec.ingest.config.ValueParser.optionalPath;
import static io.moerec.ingest.config.ValueParser.port;
import static io.moerec.ingest.config.ValueParser.required;
import static io.moerec.ingest.config.ValueParser.requiredPath;
import static io.moerec.ingest.config.ValueParser.text;
import static io.moerec.ingest.config.ValueParser.zeroOrLongIn;

import io.moerec.ingest.config.ConfigKey;
import io.moerec.ingest.config.ConfigSpec;
import io.moerec.ingest.config.KafkaClientProperties;
import io.moerec.ingest.config.LayeredConfig;
import io.moerec.ingest.json.StrictJson;
import io.moerec.ingest.json.UserFeaturesCodec;
import io.moerec.ingest.topic.DeadLetters;
import io.moerec.ingest.topic.Topics;
import io.moerec.ingest.domain.Genre;
import io.moerec.moe.routing.RouterKind;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
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
 * start-up with its key in the message. Every key is declared once in {@link #SPEC} (default,
 * description, validator; moe-scoring/CONFIGURATION.md is generated from it); this class adds the
 * typed getters and what the app derives from them. {@code streams.<key>} passes {@code <key>} to
 * Kafka Streams unchanged (for example {@code streams.replication.factor=3}) and wins over what this
 * class derives. Kafka Streams hands unprefixed client properties to all its clients, so
 * {@code streams.security.protocol}, {@code streams.sasl.mechanism}, {@code streams.sasl.jaas.config}
 * and {@code streams.ssl.*} secure its producer, consumers and admin client; the app's own model
 * watcher and start-up check take the same unprefixed settings ({@link #kafkaClientProperties()}). A
 * {@code streams.*} key must be a Kafka Streams or client setting (or one of Kafka Streams'
 * {@code producer.}, {@code consumer.}, {@code main.consumer.}, {@code restore.consumer.},
 * {@code global.consumer.}, {@code admin.}, {@code topic.} prefixed forms), and its value must pass
 * Kafka's validator. {@link #toString()} masks secret values.
 */
public final class ScoringConfig {

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
    public static final String CAPACITY_FACTOR = "router.capacity.factor";
    public static final String CAPACITY_WINDOW = "router.capacity.window";
    public static final String COALESCE_INTERVAL_MS = "coalesce.interval-ms";
    public static final String PROCESSING_GUARANTEE = "processing.guarantee";
    public static final String PRODUCER_LINGER_MS = "producer.linger-ms";
    public static final String STREAM_THREADS = "num.stream.threads";
    public static final String STANDBY_REPLICAS = "num.standby.replicas";
    public static final String STATE_DIR = "state.dir";
    public static final String HTTP_HOST = "http.host";
    public static final String HTTP_PORT = "http.port";
    public static final String HTTP_ADVERTISED_HOST = "http.advertised-host";
    public static final String HTTP_THREADS = "http.threads";
    public static final String METRICS_KAFKA_REFRESH_MS = "metrics.kafka-refresh.ms";
    public static final String STREAMS_PREFIX = "streams.";
    public static final String KAFKA_CHECK_TIMEOUT_MS = "startup.kafka-check-timeout-ms";
    public static final String MAX_RECORD_BYTES = "input.max-record-bytes";
    public static final String ROCKSDB_MEMORY_BYTES = "rocksdb.memory-bytes";
    public static final String ROCKSDB_WRITE_BUFFER_RATIO = "rocksdb.write-buffer-ratio";
    public static final String ROCKSDB_STRICT_CAPACITY_LIMIT = "rocksdb.strict-capacity-limit";

    /** Prefix of the environment variables that set the app's keys. */
    public static final String ENV_PREFIX = "MOEREC_SCORING_";

    /** Default off-heap budget of all the app's RocksDB stores together (jobs/BENCH.md, "Many users"). */
    public static final long DEFAULT_ROCKSDB_MEMORY_BYTES = 64L << 20;

    /** Smallest budget accepted: below it the stores' memtables flush almost on every write. */
    static final long MIN_ROCKSDB_MEMORY_BYTES = 8L << 20;

    /** Kafka Streams' prefixes for settings of one of its clients or of its internal topics. */
    private static final List<String> CLIENT_PREFIXES = List.of(StreamsConfig.MAIN_CONSUMER_PREFIX,
            StreamsConfig.RESTORE_CONSUMER_PREFIX, StreamsConfig.GLOBAL_CONSUMER_PREFIX, StreamsConfig.CONSUMER_PREFIX,
            StreamsConfig.PRODUCER_PREFIX, StreamsConfig.ADMIN_CLIENT_PREFIX);

    /** Every key of the app, declared once: the single place of defaults and their descriptions. */
    public static final ConfigSpec SPEC = ConfigSpec.builder()
            .environmentPrefix(ENV_PREFIX)
            .required(BOOTSTRAP_SERVERS, required(), "Kafka brokers, `host:port[,host:port...]`")
            .required(MODEL_PATH, requiredPath(), "the model bundle directory served at start, verified when loaded")
            .key(APPLICATION_ID, "moerec-scoring", required(),
                    "Kafka Streams application id; instances with the same id share the partitions")
            .key(TOPIC_FEATURES, Topics.USER_FEATURES.name(), required(), "topic of the users' preference features (input)")
            .key(TOPIC_MOVIES, Topics.MOVIES.name(), required(), "the compacted movie catalog (input, a global table)")
            .key(TOPIC_RECOMMENDATIONS, Topics.RECOMMENDATIONS.name(), required(), "topic of the recommendation lists (output)")
            .key(TOPIC_MODELS, Topics.MODELS.name(), required(), "topic of the model announcements")
            .key(TOPIC_DLQ, Topics.VIEWING_EVENTS_DLQ.name(), required(), "dead-letter topic of undecodable input records")
            .key(MODEL_WATCH_TOPIC, "true", bool(), "follow the models topic and swap announced bundles in live")
            .key(ConfigKey.of(MODEL_WATCH_DIR, "", optionalPath(),
                    "poll this directory for bundle sub-directories (empty = off)").showingDefault("(off)"))
            .key(MODEL_WATCH_INTERVAL_MS, "2000", longIn(100, 3_600_000), "poll interval of `model.watch-dir`, ms")
            .key(ROUTER, RouterKind.SOFTMAX.configName(), allowing(routerNames(), named(RouterKind::parse)),
                    "how users are routed to experts: the learned gate, load-balanced, eigen, or every expert")
            .key(TOP_N, "10", intIn(1, 1000), "length of a recommendation list")
            .key(BALANCED_BATCH, "200", intIn(1, 1_000_000),
                    "routed users per task between bias updates of the balanced router")
            .key(CAPACITY_FACTOR, "0", doubleIn(0, Genre.COUNT),
                    "expert capacity factor cf (0 = off): per window an expert takes at most ⌈cf · window · k / 18⌉ routed "
                            + "slots, a full expert's slot goes to the user's next-best expert")
            .key(CAPACITY_WINDOW, "200", intIn(1, 1_000_000), "scored users per task in one expert-capacity window")
            .key(COALESCE_INTERVAL_MS, "0", longIn(0, 3_600_000, "0 = off"),
                    "merge a user's updates less than this many ms apart in event time into one scoring of the latest; "
                            + "what waits is scored every this many ms of wall-clock time")
            .key(MAX_RECORD_BYTES, Integer.toString(UserFeaturesCodec.MAX_BYTES), StrictJson.recordLimitParser(),
                    "a `user-features` record longer than this goes to the DLQ as `OVERSIZE` before parsing, bytes")
            .key(PROCESSING_GUARANTEE, StreamsConfig.EXACTLY_ONCE_V2, oneOf(StreamsConfig.EXACTLY_ONCE_V2, StreamsConfig.AT_LEAST_ONCE),
                    "Kafka Streams' processing guarantee. `exactly_once_v2`: lists are written in transactions committed every"
                    + " `commit.interval.ms` (100 ms), each update scored once. `at_least_once`: lists are visible as soon as"
                    + " written; after a crash the updates since the last offset commit (`commit.interval.ms`, 30 s unless set"
                    + " by `streams.commit.interval.ms`) are scored again, so consumers may see a list twice. Lists still never"
                    + " hold a watched movie: exclusion uses the watched set every update carries")
            .key(PRODUCER_LINGER_MS, "5", longIn(0, 60_000),
                    "the app's producer's `linger.ms` (lists, changelogs, dead letters): how long a batch waits for more records."
                    + " 5 is the Kafka client's default; Kafka Streams' own 100 held every list up to 100 ms at least once."
                    + " `streams.producer.linger.ms` wins")
            .key(STREAM_THREADS, "1", intIn(1, 64), "Kafka Streams threads of this instance")
            .key(STANDBY_REPLICAS, "0", intIn(0, 8), "standby copies of each state store on other instances")
            .key(ConfigKey.of(STATE_DIR, Path.of(System.getProperty("java.io.tmpdir"), "moerec", "streams").toString(),
                    required(), "directory of the RocksDB state stores").showingDefault("<java.io.tmpdir>/moerec/streams"))
            .key(ROCKSDB_MEMORY_BYTES, Long.toString(DEFAULT_ROCKSDB_MEMORY_BYTES),
                    zeroOrLongIn(MIN_ROCKSDB_MEMORY_BYTES, 1L << 40, "Kafka Streams' own per-store memory"),
                    "off-heap bytes of all the instance's RocksDB stores together (one shared cache, memtables charged to it)")
            .key(ROCKSDB_WRITE_BUFFER_RATIO, "0.5", doubleIn(0.05, 0.9),
                    "share of `rocksdb.memory-bytes` the memtables may take before one is flushed")
            .key(ROCKSDB_STRICT_CAPACITY_LIMIT, "false", bool(),
                    "`true`: the cache refuses an insert beyond its capacity (the read fails) instead of going over for a moment")
            .key(HTTP_HOST, "127.0.0.1", host(), "HTTP look-up endpoint's bind address (`0.0.0.0` or `::`: every interface)")
            .key(HTTP_PORT, "8080", port(), "HTTP look-up endpoint's port (0 = any free port)")
            .key(HTTP_THREADS, Integer.toString(ScoringHttpServer.HANDLER_THREADS), intIn(1, 256),
                    "threads answering HTTP requests (look-ups, probes, metrics); at most 256 more requests wait for one")
            .key(METRICS_KAFKA_REFRESH_MS, "60000", longIn(1000, 3_600_000),
                    "how often `/metrics` looks for Kafka client metrics created since (new tasks' lag, new stores' RocksDB), ms")
            .key(ConfigKey.of(HTTP_ADVERTISED_HOST, "", text(),
                    "host other instances reach this one's look-up at, advertised with the bound port as `application.server`;"
                    + " empty: `http.host`, or this machine's host name when `http.host` is a wildcard (start-up fails if it has none)")
                    .showingDefault("(`http.host`, or the host name)"))
            .key(KAFKA_CHECK_TIMEOUT_MS, "30000", longIn(0, 600_000, "0 = no check"),
                    "before starting, one admin request with the app's Kafka settings must answer within this many ms")
            .family(STREAMS_PREFIX, "passed to Kafka Streams as `<name>` and wins over the keys above; a Kafka Streams or client"
                    + " setting or a `producer.`/`consumer.`/`main.consumer.`/`restore.consumer.`/`global.consumer.`/`admin.`/`topic.`"
                    + " prefixed one; `streams.security.protocol`, `streams.sasl.*`, `streams.ssl.*` secure every client of the app;"
                    + " secret values are logged as `[hidden]`", streamsNames(), KafkaClientProperties::isSecret)
            .build();

    private final LayeredConfig values;
    private final Map<String, String> streamsOverrides;

    private ScoringConfig(LayeredConfig values) {
        this.values = values;
        this.streamsOverrides = values.family(STREAMS_PREFIX);
        streamsOverrides.forEach(ScoringConfig::validateStreamsSetting);
        String advertised = values.get(HTTP_ADVERTISED_HOST, String.class).trim();
        if (isWildcard(advertised)) {
            throw new IllegalArgumentException(HTTP_ADVERTISED_HOST + " must name this instance for the others, not a wildcard"
                    + " address: " + advertised);
        }
    }

    /** The routers' names, for the reference table. */
    private static String routerNames() {
        StringBuilder sb = new StringBuilder();
        for (RouterKind k : RouterKind.values()) {
            sb.append(sb.isEmpty() ? "" : ", ").append('`').append(k.configName()).append('`');
        }
        return sb.toString();
    }

    /** Names a {@code MOEREC_SCORING_STREAMS_*} variable may set: Kafka Streams' and its clients'. */
    private static Set<String> streamsNames() {
        Set<String> names = new TreeSet<>(KafkaClientProperties.clientPropertyNames());
        names.addAll(StreamsConfig.configDef().names());
        return names;
    }

    /** The reference page of the keys, moe-scoring/CONFIGURATION.md, generated from {@link #SPEC}. */
    public static String referencePage() {
        return SPEC.markdown("Scoring app configuration");
    }

    /** Reads settings over the defaults; an unknown key (other than {@code streams.*}) is rejected. */
    public static ScoringConfig fromMap(Map<String, String> settings) {
        return new ScoringConfig(SPEC.parse(settings));
    }

    /**
     * The validated configuration from, in rising precedence: the defaults, a properties file (may be
     * null), the {@code MOEREC_SCORING_*} variables of {@code environment} (named as
     * {@link ConfigSpec#environmentVariable}; an unknown one fails naming it) and {@code overrides}
     * ({@code -s key=value}).
     */
    public static ScoringConfig load(Path propertiesFile, Map<String, String> environment, Map<String, String> overrides)
            throws IOException {
        return fromMap(SPEC.layers(propertiesFile, environment, overrides));
    }

    public String bootstrapServers() {
        return values.get(BOOTSTRAP_SERVERS, String.class);
    }

    public String applicationId() {
        return values.get(APPLICATION_ID, String.class);
    }

    public String featuresTopic() {
        return values.get(TOPIC_FEATURES, String.class);
    }

    public String moviesTopic() {
        return values.get(TOPIC_MOVIES, String.class);
    }

    public String recommendationsTopic() {
        return values.get(TOPIC_RECOMMENDATIONS, String.class);
    }

    public String modelsTopic() {
        return values.get(TOPIC_MODELS, String.class);
    }

    public String dlqTopic() {
        return values.get(TOPIC_DLQ, String.class);
    }

    public Path modelPath() {
        return values.get(MODEL_PATH, Path.class);
    }

    public boolean watchModelsTopic() {
        return values.get(MODEL_WATCH_TOPIC, Boolean.class);
    }

    /** The directory polled for bundles, or null when off. */
    public Path modelWatchDir() {
        return values.get(MODEL_WATCH_DIR, Path.class);
    }

    public long modelWatchIntervalMs() {
        return values.get(MODEL_WATCH_INTERVAL_MS, Long.class);
    }

    public RouterKind router() {
        return values.get(ROUTER, RouterKind.class);
    }

    public int topN() {
        return values.get(TOP_N, Integer.class);
    }

    public int balancedBatch() {
        return values.get(BALANCED_BATCH, Integer.class);
    }

    /** The expert capacity factor; 0 is off. */
    public double capacityFactor() {
        return values.get(CAPACITY_FACTOR, Double.class);
    }

    public int capacityWindow() {
        return values.get(CAPACITY_WINDOW, Integer.class);
    }

    public long coalesceIntervalMs() {
        return values.get(COALESCE_INTERVAL_MS, Long.class);
    }

    public long producerLingerMs() {
        return values.get(PRODUCER_LINGER_MS, Long.class);
    }

    public String processingGuarantee() {
        return values.get(PROCESSING_GUARANTEE, String.class);
    }

    public int streamThreads() {
        return values.get(STREAM_THREADS, Integer.class);
    }

    public int standbyReplicas() {
        return values.get(STANDBY_REPLICAS, Integer.class);
    }

    public Path stateDir() {
        return Path.of(values.get(STATE_DIR, String.class));
    }

    public String httpHost() {
        return values.get(HTTP_HOST, String.class);
    }

    public int httpPort() {
        return values.get(HTTP_PORT, Integer.class);
    }

    /** How often the Kafka client metrics are re-read for new ones ({@value #METRICS_KAFKA_REFRESH_MS}). */
    public Duration metricsKafkaRefresh() {
        return Duration.ofMillis(values.get(METRICS_KAFKA_REFRESH_MS, Long.class));
    }

    /** Threads of the HTTP endpoint ({@value #HTTP_THREADS}). */
    public int httpThreads() {
        return values.get(HTTP_THREADS, Integer.class);
    }

    /**
     * The host other instances forward look-ups to: {@value #HTTP_ADVERTISED_HOST}, else
     * {@value #HTTP_HOST} unless it is a wildcard address (every replica would advertise
     * {@code 0.0.0.0}), in which case this machine's host name (a container's name on its network).
     *
     * @throws IllegalArgumentException naming {@value #HTTP_ADVERTISED_HOST} when a wildcard is bound and the host has no name
     */
    public String advertisedHost() {
        String advertised = values.get(HTTP_ADVERTISED_HOST, String.class).trim();
        if (!advertised.isEmpty()) {
            return advertised;
        }
        return isWildcard(httpHost()) ? localHostName() : httpHost();
    }

    /** Whether binding {@code host} means every interface (so it names no one instance). */
    static boolean isWildcard(String host) {
        String h = host.trim().replaceAll("^\\[|\\]$", "");
        // Only an address literal can be a wildcard; a name is never looked up here.
        boolean literal = h.contains(":") || (!h.isEmpty() && h.chars().allMatch(c -> Character.isDigit(c) || c == '.'));
        try {
            return literal && InetAddress.getByName(h).isAnyLocalAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    private static String localHostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(HTTP_ADVERTISED_HOST + " is required: " + HTTP_HOST
                    + " is a wildcard address and this machine's host name does not resolve (" + e.getMessage() + ")", e);
        }
    }

    public long kafkaCheckTimeoutMs() {
        return values.get(KAFKA_CHECK_TIMEOUT_MS, Long.class);
    }

    /** The {@code streams.*} settings without the prefix, in name order. */
    public Map<String, String> streamsOverrides() {
        return streamsOverrides;
    }

    public int maxRecordBytes() {
        return values.get(MAX_RECORD_BYTES, Integer.class);
    }

    public long rocksDbMemoryBytes() {
        return values.get(ROCKSDB_MEMORY_BYTES, Long.class);
    }

    public double rocksDbWriteBufferRatio() {
        return values.get(ROCKSDB_WRITE_BUFFER_RATIO, Double.class);
    }

    public boolean rocksDbStrictCapacityLimit() {
        return values.get(ROCKSDB_STRICT_CAPACITY_LIMIT, Boolean.class);
    }

    /** Every key with its value (secrets masked): safe to log. */
    @Override
    public String toString() {
        return "ScoringConfig" + values;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ScoringConfig c && c.values.equals(values);
    }

    @Override
    public int hashCode() {
        return values.hashCode();
    }

    /**
     * Client properties for the app's own clients (the model watcher, the start-up check):
     * {@code bootstrap.servers} and the unprefixed connection settings among {@code streams.*}
     * ({@link KafkaClientProperties#connectionSettings}).
     */
    public Map<String, String> kafkaClientProperties() {
        Map<String, String> m = new TreeMap<>(KafkaClientProperties.connectionSettings(streamsOverrides));
        m.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, streamsOverrides.getOrDefault(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrapServers()));
        return m;
    }

    /**
     * The Kafka Streams properties: application id, brokers, guarantee, threads, standbys, state
     * directory, {@code application.server} ({@link #advertisedHost()} and the bound port) for interactive queries, the dead-letter
     * handler, the producer's {@code linger.ms} ({@value #PRODUCER_LINGER_MS}), its {@code max.request.size}
     * raised to {@link DeadLetters#MAX_DEAD_LETTER_BYTES} (a bad record as large as its topic allows must
     * still fit in its dead letter, headers added), the
     * {@link BoundedMemoryRocksDbConfigSetter} as {@code rocksdb.config.setter} unless
     * {@value #ROCKSDB_MEMORY_BYTES} is 0 (its {@link SharedRocksDbMemory} is the app's to add:
     * {@link #boundsRocksDbMemory}), then the {@code streams.*} overrides (so an operator's own
     * {@code streams.rocksdb.config.setter} wins).
     */
    public Properties streamsProperties(int boundHttpPort) {
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId());
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, processingGuarantee());
        p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, streamThreads());
        p.put(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, standbyReplicas());
        p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir().toString());
        p.put(StreamsConfig.APPLICATION_SERVER_CONFIG, advertisedHost() + ":" + boundHttpPort);
        p.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterHandler.class);
        p.put(DeadLetterHandler.DLQ_TOPIC_CONFIG, dlqTopic());
        p.put(DeadLetterHandler.GLOBAL_TOPICS_CONFIG, moviesTopic());
        p.put(StreamsConfig.producerPrefix(ProducerConfig.MAX_REQUEST_SIZE_CONFIG), DeadLetters.MAX_DEAD_LETTER_BYTES);
        p.put(StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG), producerLingerMs());
        if (rocksDbMemoryBytes() > 0) {
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
        return new SharedRocksDbMemory(rocksDbMemoryBytes() > 0 ? rocksDbMemoryBytes() : DEFAULT_ROCKSDB_MEMORY_BYTES,
                rocksDbWriteBufferRatio(), rocksDbStrictCapacityLimit());
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
}
