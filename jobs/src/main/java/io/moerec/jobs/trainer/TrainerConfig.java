package io.moerec.jobs.trainer;

import static io.moerec.ingest.config.ValueParser.allowing;
import static io.moerec.ingest.config.ValueParser.doubleIn;
import static io.moerec.ingest.config.ValueParser.intIn;
import static io.moerec.ingest.config.ValueParser.longIn;
import static io.moerec.ingest.config.ValueParser.named;
import static io.moerec.ingest.config.ValueParser.required;
import static io.moerec.ingest.config.ValueParser.requiredPath;

import io.moerec.ingest.config.ConfigSpec;
import io.moerec.ingest.config.KafkaClientProperties;
import io.moerec.ingest.config.LayeredConfig;
import io.moerec.ingest.json.StrictJson;
import io.moerec.ingest.topic.Topics;
import io.moerec.moe.TrainingConfig;
import io.moerec.moe.lifecycle.BlessPolicy;
import io.moerec.moe.lifecycle.RetrainCadence;
import io.moerec.moe.routing.RouterKind;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Everything the continuous trainer needs, validated when built: a bad or missing value fails at
 * start-up with its key in the message. Every key is declared once in {@link #SPEC} (jobs/CONFIGURATION.md
 * is generated from it). {@code training.<key>} passes {@code <key>} to {@link TrainingConfig#fromMap}
 * (for example {@code training.expert.epochs=5}); {@code kafka.<client property>} goes to the trainer's
 * consumer and producer (security, above all).
 */
public final class TrainerConfig {

    public static final String BOOTSTRAP_SERVERS = "bootstrap.servers";
    public static final String STORE_DIR = "store.dir";
    public static final String STORE_KEEP = "store.keep";
    public static final String TOPIC_EVENTS = "topic.viewing-events";
    public static final String TOPIC_MOVIES = "topic.movies";
    public static final String TOPIC_MODELS = "topic.models";
    public static final String WINDOW_EVENTS = "window.events";
    public static final String RETRAIN_EVERY_EVENTS = "retrain.every-events";
    public static final String RETRAIN_EVERY_MINUTES = "retrain.every-minutes";
    public static final String HOLDOUT_SHARE = "holdout.share";
    public static final String BLESS_EPSILON = "bless.epsilon";
    public static final String BLESS_MIN_INTERACTIONS = "bless.min-interactions";
    public static final String BLESS_ROUTER = "bless.router";
    public static final String MAX_RECORD_BYTES = "input.max-record-bytes";
    public static final String WARM_START_EXPERT_EPOCHS = "warm-start.expert-epochs";
    public static final String WARM_START_GATE_EPOCHS = "warm-start.gate-epochs";
    public static final String TRAINING_PREFIX = "training.";
    public static final String KAFKA_PREFIX = "kafka.";

    /** Prefix of the environment variables that set the trainer's keys. */
    public static final String ENV_PREFIX = "MOEREC_TRAINER_";

    /** Client settings the trainer derives from its own keys; {@code kafka.<name>} for these is refused. */
    static final Map<String, String> OWNED_KAFKA_PROPERTIES = Map.of(
            "bootstrap.servers", BOOTSTRAP_SERVERS,
            "isolation.level", "nothing (the trainer reads read_committed)",
            "enable.auto.commit", "nothing (positions are committed with the model store)",
            "group.id", "nothing (the trainer assigns partitions itself)",
            "key.serializer", "nothing (the trainer's serializers)",
            "value.serializer", "nothing (the trainer's serializers)",
            "key.deserializer", "nothing (the trainer's deserializers)",
            "value.deserializer", "nothing (the trainer's deserializers)");

    /** Every key of the trainer, declared once: the single place of defaults and their descriptions. */
    public static final ConfigSpec SPEC = ConfigSpec.builder()
            .environmentPrefix(ENV_PREFIX)
            .required(BOOTSTRAP_SERVERS, required(), "Kafka brokers, `host:port[,host:port...]`")
            .required(STORE_DIR, requiredPath(), "the model store: bundles with their reports, and the committed state (input position)")
            .key(STORE_KEEP, "5", intIn(1, 10_000), "bundles kept in the store (the serving one is never deleted)")
            .key(TOPIC_EVENTS, Topics.VIEWING_EVENTS.name(), required(), "topic of the viewing events (input, read_committed)")
            .key(TOPIC_MOVIES, Topics.MOVIES.name(), required(), "the compacted movie catalog (input, read from the beginning)")
            .key(TOPIC_MODELS, Topics.MODELS.name(), required(), "topic the blessed models are announced on")
            .key(WINDOW_EVENTS, "100000", intIn(100, 50_000_000), "the training window: the last this many valid events")
            .key(RETRAIN_EVERY_EVENTS, "10000", longIn(0, 1_000_000_000, "0 = off"),
                    "train a candidate after this many new events")
            .key(RETRAIN_EVERY_MINUTES, "0", longIn(0, 525_600, "0 = off"),
                    "train a candidate after this many minutes if any event arrived (with the event trigger: whichever comes first)")
            .key(HOLDOUT_SHARE, "0.1", doubleIn(0.01, 0.5),
                    "the newest share of the window (by event time) held out: the candidate trains on the rest, both models are scored on it")
            .key(BLESS_EPSILON, "0.005", doubleIn(0, 1),
                    "a candidate is announced if its hold-out NDCG@10 is at least the serving model's minus this")
            .key(BLESS_MIN_INTERACTIONS, "100", intIn(1, 100_000_000),
                    "held-out first interactions needed to compare two models; with fewer the candidate is kept, not announced")
            .key(BLESS_ROUTER, RouterKind.SOFTMAX.configName(), allowing("`softmax`, `balanced`, `eigen` or `dense`",
                    named(RouterKind::parse)), "the router both models are scored with (the scoring app's `router`)")
            .key(MAX_RECORD_BYTES, Integer.toString(StrictJson.DEFAULT_MAX_RECORD_BYTES), StrictJson.recordLimitParser(),
                    "a `viewing-events` record longer than this is skipped as `OVERSIZE` (as the features job rejects it), bytes")
            .key(WARM_START_EXPERT_EPOCHS, "0", intIn(0, 1_000),
                    "with a serving model, train the candidate's LINEAR experts this many epochs starting from the serving model's"
                    + " weights instead of `training.expert.epochs` from zero (a warm start; 0 = off, every candidate trained from scratch)")
            .key(WARM_START_GATE_EPOCHS, "3", intIn(1, 1_000),
                    "with a warm start, the gate's epochs from the serving gate's weights (instead of `training.train.gateEpochs`)")
            .family(TRAINING_PREFIX, "a training setting (`train.*`, `expert.*`, `features.*` of the MoE training configuration),"
                    + " e.g. `training.expert.epochs=5`", trainingNames(), name -> false)
            .family(KAFKA_PREFIX, "a Kafka client property handed to the trainer's consumer and producer (e.g. "
                    + "`kafka.security.protocol=SASL_SSL`), validated against Kafka's own definitions; secret values are logged as"
                    + " `[hidden]`", KafkaClientProperties.clientPropertyNames(), KafkaClientProperties::isSecret)
            .build();

    private final LayeredConfig values;
    private final TrainingConfig training;
    private final RetrainCadence cadence;
    private final BlessPolicy bless;
    private final Map<String, String> kafkaProperties;

    private TrainerConfig(LayeredConfig values) {
        this.values = values;
        try {
            this.training = TrainingConfig.fromMap(values.family(TRAINING_PREFIX));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(TRAINING_PREFIX + "*: " + e.getMessage(), e);
        }
        long everyEvents = values.get(RETRAIN_EVERY_EVENTS, Long.class);
        long everyMinutes = values.get(RETRAIN_EVERY_MINUTES, Long.class);
        if (everyEvents == 0 && everyMinutes == 0) {
            throw new IllegalArgumentException(RETRAIN_EVERY_EVENTS + " and " + RETRAIN_EVERY_MINUTES
                    + " are both 0: at least one retraining trigger is needed");
        }
        this.cadence = new RetrainCadence(everyEvents, everyMinutes * 60_000L);
        this.bless = new BlessPolicy(values.get(BLESS_EPSILON, Double.class), values.get(BLESS_MIN_INTERACTIONS, Integer.class));
        this.kafkaProperties = Map.copyOf(KafkaClientProperties.validate(KAFKA_PREFIX, values.family(KAFKA_PREFIX),
                OWNED_KAFKA_PROPERTIES));
    }

    /** Names a {@code MOEREC_TRAINER_TRAINING_*} variable may set: the training configuration's keys. */
    private static Set<String> trainingNames() {
        return new TreeSet<>(TrainingConfig.defaults().toMap().keySet());
    }

    /** The reference page of the keys, jobs/CONFIGURATION.md, generated from {@link #SPEC}. */
    public static String referencePage() {
        return SPEC.markdown("Continuous trainer configuration");
    }

    /** Reads settings over the defaults; an unknown key (other than {@code training.*} and {@code kafka.*}) is rejected. */
    public static TrainerConfig fromMap(Map<String, String> settings) {
        return new TrainerConfig(SPEC.parse(settings));
    }

    /** The validated configuration from the defaults, a properties file (may be null), {@code MOEREC_TRAINER_*} variables and overrides. */
    public static TrainerConfig load(Path propertiesFile, Map<String, String> environment, Map<String, String> overrides)
            throws IOException {
        return fromMap(SPEC.layers(propertiesFile, environment, overrides));
    }

    public String bootstrapServers() {
        return values.get(BOOTSTRAP_SERVERS, String.class);
    }

    public Path storeDir() {
        return values.get(STORE_DIR, Path.class);
    }

    public int storeKeep() {
        return values.get(STORE_KEEP, Integer.class);
    }

    public String eventsTopic() {
        return values.get(TOPIC_EVENTS, String.class);
    }

    public String moviesTopic() {
        return values.get(TOPIC_MOVIES, String.class);
    }

    public String modelsTopic() {
        return values.get(TOPIC_MODELS, String.class);
    }

    public int windowEvents() {
        return values.get(WINDOW_EVENTS, Integer.class);
    }

    public RetrainCadence cadence() {
        return cadence;
    }

    public double holdoutShare() {
        return values.get(HOLDOUT_SHARE, Double.class);
    }

    public BlessPolicy blessPolicy() {
        return bless;
    }

    public RouterKind blessRouter() {
        return values.get(BLESS_ROUTER, RouterKind.class);
    }

    public int maxRecordBytes() {
        return values.get(MAX_RECORD_BYTES, Integer.class);
    }

    public TrainingConfig training() {
        return training;
    }

    /** The warm start of a candidate from {@code serving} (null when there is none or warm starts are off). */
    public io.moerec.moe.train.WarmStart warmStart(io.moerec.moe.MoeModel serving) {
        int epochs = values.get(WARM_START_EXPERT_EPOCHS, Integer.class);
        return serving == null || epochs == 0 ? null
                : new io.moerec.moe.train.WarmStart(serving, epochs, values.get(WARM_START_GATE_EPOCHS, Integer.class));
    }

    /** {@code bootstrap.servers} and the {@code kafka.*} settings: the base of the trainer's clients. */
    public Map<String, Object> clientProperties() {
        Map<String, Object> m = new TreeMap<>(kafkaProperties);
        m.put(BOOTSTRAP_SERVERS, bootstrapServers());
        return m;
    }

    /** Every key with its value (secrets masked): safe to log. */
    @Override
    public String toString() {
        return "TrainerConfig" + values;
    }
}
