package io.moerec.moe.streams;

import io.moerec.ingest.domain.Genre;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import org.HdrHistogram.ConcurrentHistogram;

/**
 * The scoring app's counters, rendered in the Prometheus text format (version 0.0.4): feature updates
 * scored, lists published and suppressed as identical, a histogram of per-user scoring latency,
 * per-expert routed load, model swaps and rejections, dead letters, and the serving model version as
 * an info-style gauge. Updated lock-free from stream threads; thread-safe.
 */
public final class ScoringMetrics {

    /** Histogram bucket upper bounds in seconds. */
    static final double[] BUCKETS = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0};

    final LongAdder eventsScored = new LongAdder();
    final LongAdder listsPublished = new LongAdder();
    final LongAdder listsSuppressed = new LongAdder();
    final LongAdder listsDeleted = new LongAdder();
    final LongAdder modelSwaps = new LongAdder();
    final LongAdder modelRejections = new LongAdder();
    final LongAdder threadsReplaced = new LongAdder();
    private final LongAdder[] bucketCounts = new LongAdder[BUCKETS.length + 1];
    private final LongAdder latencyNanos = new LongAdder();
    private final AtomicLongArray expertLoad = new AtomicLongArray(Genre.COUNT);
    /** Exact-enough percentiles (3 significant digits) for benchmarks and logs; the buckets feed Prometheus. */
    private final ConcurrentHistogram latencyHistogram = new ConcurrentHistogram(3);

    public ScoringMetrics() {
        for (int i = 0; i < bucketCounts.length; i++) {
            bucketCounts[i] = new LongAdder();
        }
    }

    void scored(long nanos) {
        eventsScored.increment();
        latencyNanos.add(nanos);
        latencyHistogram.recordValue(Math.max(1, nanos));
        double s = nanos / 1e9;
        int b = 0;
        while (b < BUCKETS.length && s > BUCKETS[b]) {
            b++;
        }
        bucketCounts[b].increment();
    }

    void routed(int expert) {
        expertLoad.incrementAndGet(expert);
    }

    public long eventsScored() {
        return eventsScored.sum();
    }

    public long listsPublished() {
        return listsPublished.sum();
    }

    /** Deletions (null-value records) published for users whose features were deleted. */
    public long listsDeleted() {
        return listsDeleted.sum();
    }

    public long listsSuppressed() {
        return listsSuppressed.sum();
    }

    /** The scoring latency at a percentile (0–100) in nanoseconds, 0 before anything was scored. */
    public long latencyNanosAt(double percentile) {
        return latencyHistogram.getValueAtPercentile(percentile);
    }

    public long modelRejections() {
        return modelRejections.sum();
    }

    /** Stream threads that died on an exception and were replaced: 0 while nothing goes wrong, whatever the input. */
    public long threadsReplaced() {
        return threadsReplaced.sum();
    }

    /** The Prometheus text exposition; {@code modelVersion} is read at render time. */
    public String render(Supplier<String> modelVersion) {
        StringBuilder b = new StringBuilder(4096);
        counter(b, "moerec_events_scored_total", "Feature updates scored.", eventsScored.sum());
        counter(b, "moerec_lists_published_total", "Recommendation lists published.", listsPublished.sum());
        counter(b, "moerec_lists_suppressed_total", "Lists not published because identical to the last one.", listsSuppressed.sum());
        counter(b, "moerec_lists_deleted_total", "Deletions (null values) published for users whose features were deleted.", listsDeleted.sum());
        counter(b, "moerec_model_swaps_total", "Models swapped in while running.", modelSwaps.sum());
        counter(b, "moerec_model_rejections_total", "Announced models that failed verification.", modelRejections.sum());
        counter(b, "moerec_stream_threads_replaced_total", "Stream threads that failed and were replaced.", threadsReplaced.sum());
        counter(b, "moerec_dead_letters_total", "Input records sent to the dead-letter topic.", DeadLetterHandler.DEAD_LETTERS.sum());
        counter(b, "moerec_global_records_skipped_total", "Undecodable catalog (global store) records skipped without a dead letter.",
                DeadLetterHandler.SKIPPED_GLOBAL.sum());
        b.append("# HELP moerec_scoring_latency_seconds Per-user scoring time (route, score, exclude, top N).\n");
        b.append("# TYPE moerec_scoring_latency_seconds histogram\n");
        long cumulative = 0;
        for (int i = 0; i < BUCKETS.length; i++) {
            cumulative += bucketCounts[i].sum();
            b.append("moerec_scoring_latency_seconds_bucket{le=\"").append(fmt(BUCKETS[i])).append("\"} ").append(cumulative).append('\n');
        }
        cumulative += bucketCounts[BUCKETS.length].sum();
        b.append("moerec_scoring_latency_seconds_bucket{le=\"+Inf\"} ").append(cumulative).append('\n');
        b.append("moerec_scoring_latency_seconds_sum ").append(fmt(latencyNanos.sum() / 1e9)).append('\n');
        b.append("moerec_scoring_latency_seconds_count ").append(cumulative).append('\n');
        b.append("# HELP moerec_expert_load_total Users routed to each genre expert.\n");
        b.append("# TYPE moerec_expert_load_total counter\n");
        for (Genre g : Genre.values()) {
            b.append("moerec_expert_load_total{expert=\"").append(g.wireName()).append("\"} ")
                    .append(expertLoad.get(g.ordinal())).append('\n');
        }
        b.append("# HELP moerec_model_info The model version serving now.\n");
        b.append("# TYPE moerec_model_info gauge\n");
        b.append("moerec_model_info{version=\"").append(escape(modelVersion.get())).append("\"} 1\n");
        return b.toString();
    }

    private static void counter(StringBuilder b, String name, String help, long value) {
        b.append("# HELP ").append(name).append(' ').append(help).append('\n');
        b.append("# TYPE ").append(name).append(" counter\n");
        b.append(name).append(' ').append(value).append('\n');
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%s", v);
    }

    private static String escape(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }
}
