package io.moerec.moe.streams;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.moerec.ingest.domain.Genre;
import io.moerec.ingest.domain.RecommendationList;
import io.moerec.moe.MoeModel;
import io.moerec.moe.TrainingProvenance;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.HdrHistogram.ConcurrentHistogram;
import org.apache.kafka.streams.KafkaStreams;

/**
 * The scoring app's meters on a Micrometer {@link PrometheusMeterRegistry}, rendered as Prometheus
 * text by {@link #render}: moerec's counters (feature updates scored, lists published, suppressed as
 * identical and deleted, model swaps and rejections, dead letters, stream threads replaced, users
 * routed to each expert, routed slots moved on by expert capacity), per-user scoring time and event-to-list latency as histograms with fixed
 * buckets, the serving model's version (an info-style gauge) and age, HTTP requests per endpoint and
 * status, the JVM's binders, and, once {@link #bindStreams} is called, every Kafka Streams client
 * metric (process rates, consumer lag, RocksDB). Names are declared once here ({@link #NAMES}).
 * Updated lock-free from stream threads; thread-safe.
 */
public final class ScoringMetrics implements AutoCloseable {

    /** Per-user scoring time: histogram bucket upper bounds in seconds. */
    static final double[] BUCKETS = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0};
    /** Event-to-list latency: bucket upper bounds in seconds, around the SLOs an operator would set. */
    static final double[] LATENCY_SLO_BUCKETS = {0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300};

    /** Prometheus names of moerec's own meters, as {@code /metrics} shows them (histograms by their base name). */
    public static final List<String> NAMES = List.of(
            "moerec_events_scored_total", "moerec_lists_published_total", "moerec_lists_suppressed_total",
            "moerec_lists_deleted_total", "moerec_model_swaps_total", "moerec_model_rejections_total",
            "moerec_stream_threads_replaced_total", "moerec_dead_letters_total", "moerec_global_records_skipped_total",
            "moerec_expert_load_total", "moerec_expert_overflow_total", "moerec_scoring_latency_seconds", "moerec_event_to_list_latency_seconds",
            "moerec_model_info", "moerec_model_age_seconds", "http_server_requests_seconds");

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final JvmGcMetrics gc = new JvmGcMetrics();
    private KafkaStreamsMetrics streamsMetrics;
    private final LongSupplier wallClock;

    final Counter eventsScored;
    final Counter listsPublished;
    final Counter listsSuppressed;
    final Counter listsDeleted;
    final Counter modelSwaps;
    final Counter modelRejections;
    final Counter threadsReplaced;
    private final Counter[] expertLoad = new Counter[Genre.COUNT];
    private final Counter expertOverflow;
    private final Timer scoringTime;
    private final Timer eventToList;
    private final MultiGauge modelInfo;
    /** Exact-enough percentiles (3 significant digits) since start, for benchmarks and logs; the buckets feed Prometheus. */
    private final ConcurrentHistogram latencyHistogram = new ConcurrentHistogram(3);

    public ScoringMetrics() {
        this(System::currentTimeMillis);
    }

    /** With {@code wallClock} (epoch ms) for the model's age. */
    ScoringMetrics(LongSupplier wallClock) {
        this.wallClock = wallClock;
        new JvmMemoryMetrics().bindTo(registry);
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        eventsScored = counter("moerec.events.scored", "Feature updates scored.");
        listsPublished = counter("moerec.lists.published", "Recommendation lists published.");
        listsSuppressed = counter("moerec.lists.suppressed", "Lists not published because identical to the last one.");
        listsDeleted = counter("moerec.lists.deleted", "Deletions (null values) published for users whose features were deleted.");
        modelSwaps = counter("moerec.model.swaps", "Models swapped in while running.");
        modelRejections = counter("moerec.model.rejections", "Announced models that failed verification.");
        threadsReplaced = counter("moerec.stream.threads.replaced", "Stream threads that failed and were replaced.");
        FunctionCounter.builder("moerec.dead.letters", DeadLetterHandler.DEAD_LETTERS, a -> a.sum())
                .description("Input records sent to the dead-letter topic.").register(registry);
        FunctionCounter.builder("moerec.global.records.skipped", DeadLetterHandler.SKIPPED_GLOBAL, a -> a.sum())
                .description("Undecodable catalog (global store) records skipped without a dead letter.").register(registry);
        for (Genre g : Genre.values()) {
            expertLoad[g.ordinal()] = Counter.builder("moerec.expert.load").description("Users routed to each genre expert.")
                    .tag("expert", g.wireName()).register(registry);
        }
        expertOverflow = counter("moerec.expert.overflow",
                "Routed slots moved to a next-best expert because their expert was full (expert capacity).");
        scoringTime = Timer.builder("moerec.scoring.latency").description("Per-user scoring time (route, score, exclude, top N).")
                .serviceLevelObjectives(durations(BUCKETS)).register(registry);
        eventToList = Timer.builder("moerec.event.to.list.latency")
                .description("From the triggering viewing event's time to the list's publication.")
                .serviceLevelObjectives(durations(LATENCY_SLO_BUCKETS)).register(registry);
        modelInfo = MultiGauge.builder("moerec.model.info").description("The model version serving now (always 1).").register(registry);
    }

    private Counter counter(String name, String help) {
        return Counter.builder(name).description(help).register(registry);
    }

    private static Duration[] durations(double[] seconds) {
        return Arrays.stream(seconds).mapToObj(s -> Duration.ofNanos(Math.round(s * 1e9))).toArray(Duration[]::new);
    }

    /** The registry, for binders of the app's other parts. */
    public PrometheusMeterRegistry registry() {
        return registry;
    }

    /**
     * Binds every metric of {@code streams}' clients (threads, tasks, stores and RocksDB, consumer lag),
     * looking for ones created since (a new task's lag, a new store) every {@code refresh}.
     */
    void bindStreams(KafkaStreams streams, Duration refresh) {
        streamsMetrics = new KafkaStreamsMetrics(streams, Tags.empty(), Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "moerec-kafka-metrics");
            t.setDaemon(true);
            return t;
        }), refresh);
        streamsMetrics.bindTo(registry);
    }

    /** The serving model's age: seconds since its trainer finished, NaN for a bundle that does not record it. */
    void bindModel(Supplier<MoeModel> model) {
        Gauge.builder("moerec.model.age", model, m -> age(m.get())).baseUnit("seconds")
                .description("Seconds since the serving model was trained (NaN when its bundle does not say).").register(registry);
    }

    private double age(MoeModel m) {
        Double trainedAt = m == null ? null : m.provenance().metrics().get(TrainingProvenance.TRAINED_AT_METRIC);
        return trainedAt == null ? Double.NaN : Math.max(0, (wallClock.getAsLong() - trainedAt) / 1000.0);
    }

    void scored(long nanos) {
        eventsScored.increment();
        scoringTime.record(nanos, TimeUnit.NANOSECONDS);
        latencyHistogram.recordValue(Math.max(1, nanos));
    }

    /** A published list: the time from its triggering event to its generation, when the event's time is known. */
    void published(RecommendationList list) {
        long ms = list.generatedAt() - list.triggerEventTime();
        if (list.triggerEventTime() > 0 && ms >= 0) {
            eventToList.record(ms, TimeUnit.MILLISECONDS);
        }
    }

    void routed(int expert) {
        expertLoad[expert].increment();
    }

    void overflowed(long slots) {
        if (slots > 0) {
            expertOverflow.increment(slots);
        }
    }

    /** One answered HTTP request: {@code endpoint} is the path's template, never a user id. */
    void httpRequest(String method, String endpoint, int status, long nanos) {
        Timer.builder("http.server.requests").description("HTTP requests answered, by endpoint and status.")
                .tags("method", method, "uri", endpoint, "status", Integer.toString(status),
                        "outcome", status < 400 ? "SUCCESS" : status < 500 ? "CLIENT_ERROR" : "SERVER_ERROR")
                .register(registry).record(nanos, TimeUnit.NANOSECONDS);
    }

    public long eventsScored() {
        return (long) eventsScored.count();
    }

    public long listsPublished() {
        return (long) listsPublished.count();
    }

    /** Deletions (null-value records) published for users whose features were deleted. */
    public long listsDeleted() {
        return (long) listsDeleted.count();
    }

    /** Routed slots moved to a next-best expert by expert capacity. */
    public long expertOverflow() {
        return (long) expertOverflow.count();
    }

    public long listsSuppressed() {
        return (long) listsSuppressed.count();
    }

    /** The scoring latency at a percentile (0–100) in nanoseconds since start, 0 before anything was scored. */
    public long latencyNanosAt(double percentile) {
        return latencyHistogram.getValueAtPercentile(percentile);
    }

    public long modelRejections() {
        return (long) modelRejections.count();
    }

    /** Stream threads that died on an exception and were replaced: 0 while nothing goes wrong, whatever the input. */
    public long threadsReplaced() {
        return (long) threadsReplaced.count();
    }

    /** The Prometheus text exposition (format 0.0.4); {@code modelVersion} is read now, for the info gauge. */
    public String render(Supplier<String> modelVersion) {
        modelInfo.register(List.of(MultiGauge.Row.of(Tags.of("version", modelVersion.get()), 1)), true);
        return registry.scrape();
    }

    @Override
    public void close() {
        if (streamsMetrics != null) {
            streamsMetrics.close();
        }
        gc.close();
        registry.close();
    }
}
