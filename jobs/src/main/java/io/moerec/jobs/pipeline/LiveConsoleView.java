package io.moerec.jobs.pipeline;

import io.moerec.ingest.domain.RecommendationList;
import io.moerec.ingest.domain.RecommendationList.ExpertWeight;
import io.moerec.ingest.domain.RecommendationList.RecommendedItem;
import java.util.Comparator;
import java.util.Locale;
import java.util.Map;
import java.util.function.LongFunction;
import java.util.stream.Collectors;

/**
 * The live view as lines of text: throughput, latency, accounting, invalid events (how many, how many
 * dead-lettered, the main reasons), routing load and a few users' top 5.
 */
public final class LiveConsoleView {

    /** Items shown per featured user. */
    public static final int TOP = 5;
    private static final int LOAD_BAR = 20;
    private static final int LOAD_EXPERTS = 6;
    private static final int INVALID_REASONS = 4;

    private LiveConsoleView() {
    }

    /** The block for {@code s}; {@code replayed} and {@code toReplay} are the live replay's progress. */
    public static String render(LiveSnapshot s, long replayed, long toReplay, LongFunction<String> titles) {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "  live   replayed %,d / %,d (%.0f%%)   events/s %,.0f   lists/s %,.0f   lists %,d%n",
                replayed, toReplay, toReplay == 0 ? 100.0 : 100.0 * replayed / toReplay, s.eventsPerSecond(),
                s.listsPerSecond(), s.lists()));
        b.append(String.format(Locale.ROOT, "         event->list latency  p50 %,d ms   p99 %,d ms   max %,d ms   (%,d events measured)%n",
                s.latencyP50Ms(), s.latencyP99Ms(), s.latencyMaxMs(), s.latencySamples()));
        PipelineObservations.Accounting a = s.accounting();
        b.append(String.format(Locale.ROOT, "         accounted  %,d features + %,d late + %,d dead letters of %,d events%n",
                a.featureUpdates(), a.late(), a.deadLetters(), a.events()));
        b.append(String.format(Locale.ROOT, "         invalid    %,d events rejected, %,d dead-lettered by the features job   %s%n",
                a.invalid(), a.deadLetters(), invalidReasons(a)));
        b.append("         routing load ").append(loadLine(s.routingLoad())).append('\n');
        for (RecommendationList l : s.featured()) {
            b.append(String.format(Locale.ROOT, "         user %-8s", l.userId()));
            int rank = 1;
            for (RecommendedItem item : l.items().subList(0, Math.min(TOP, l.items().size()))) {
                b.append(' ').append(rank++).append(". ").append(shorten(titles.apply(item.movieId()), 28))
                        .append(" [").append(experts(item)).append(']');
            }
            b.append('\n');
        }
        return b.toString();
    }

    /**
     * The reasons of the invalid events, most frequent first (ties by name), at most
     * {@value #INVALID_REASONS} of them and how many more: "MALFORMED_JSON 3, OVERSIZE 1"; empty
     * when there are none. The console and the web page show this same text.
     */
    static String invalidReasons(PipelineObservations.Accounting a) {
        if (a.invalidByReason().isEmpty()) {
            return "";
        }
        String top = a.invalidByReason().entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
                .limit(INVALID_REASONS)
                .map(e -> String.format(Locale.ROOT, "%s %,d", e.getKey(), e.getValue()))
                .collect(Collectors.joining(", "));
        int more = a.invalidByReason().size() - INVALID_REASONS;
        return more > 0 ? top + String.format(Locale.ROOT, ", %d more reasons", more) : top;
    }

    /** The experts with the largest share of routed users, as percentages with a bar. */
    static String loadLine(Map<String, Double> load) {
        double total = load.values().stream().mapToDouble(Double::doubleValue).sum();
        if (total <= 0) {
            return "(no routing yet)";
        }
        return load.entrySet().stream().sorted(Map.Entry.<String, Double>comparingByValue().reversed()
                        .thenComparing(Map.Entry.comparingByKey()))
                .limit(LOAD_EXPERTS)
                .map(e -> String.format(Locale.ROOT, "%s %s %.0f%%", e.getKey(),
                        "#".repeat((int) Math.round(LOAD_BAR * e.getValue() / total / 2)), 100 * e.getValue() / total))
                .collect(Collectors.joining("  "));
    }

    private static String experts(RecommendedItem item) {
        return item.experts().stream().sorted(Comparator.comparingDouble(ExpertWeight::weight).reversed())
                .map(w -> String.format(Locale.ROOT, "%s %.2f", w.genre().name(), w.weight()))
                .collect(Collectors.joining(", "));
    }

    private static String shorten(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max - 1) + "…";
    }
}
