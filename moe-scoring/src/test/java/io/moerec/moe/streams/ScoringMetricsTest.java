package io.moerec.moe.streams;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.moerec.ingest.domain.Genre;
import io.moerec.ingest.domain.RecommendationList;
import io.moerec.moe.MoeModel;
import io.moerec.moe.TrainingProvenance;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The meters as Prometheus reads them: names, values, buckets, the model's version and age. */
class ScoringMetricsTest {

    private static final long NOW = 1_764_000_000_000L;

    /** Sample lines of a Prometheus text page: the series (name and labels) to its value. */
    static Map<String, Double> samples(String text) {
        Map<String, Double> m = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            if (!line.isBlank() && !line.startsWith("#")) {
                int space = line.lastIndexOf(' ');
                m.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
            }
        }
        return m;
    }

    /** The metric families a page declares ({@code # TYPE} lines). */
    static Set<String> families(String text) {
        Set<String> s = new TreeSet<>();
        for (String line : text.split("\n")) {
            if (line.startsWith("# TYPE ")) {
                s.add(line.split(" ")[2]);
            }
        }
        return s;
    }

    @Test
    void countersHistogramsAndTheModelAsPrometheusReadsThem() {
        ScoringFixtures.ensure();
        MoeModel model = ScoringFixtures.modelA();
        double trainedAt = model.provenance().metrics().get(TrainingProvenance.TRAINED_AT_METRIC);
        try (ScoringMetrics metrics = new ScoringMetrics(() -> (long) trainedAt + 90_000)) {
            metrics.bindModel(() -> model);
            metrics.scored(300_000); // 0.3 ms
            metrics.listsPublished.increment();
            metrics.published(list(NOW - 40, NOW)); // 40 ms from event to list
            metrics.published(list(0, NOW));        // no event time: not a latency
            metrics.routed(Genre.SCI_FI.ordinal());
            metrics.routed(Genre.SCI_FI.ordinal());
            metrics.modelRejections.increment();
            metrics.httpRequest("GET", ScoringHttpServer.endpoint("/users/u1/recommendations"), 404, 1_000_000);

            String page = metrics.render(() -> "moe-test");
            Map<String, Double> s = samples(page);
            assertEquals(1.0, s.get("moerec_events_scored_total"));
            assertEquals(1.0, s.get("moerec_lists_published_total"));
            assertEquals(1.0, s.get("moerec_model_rejections_total"));
            assertEquals(2.0, s.get("moerec_expert_load_total{expert=\"Sci-Fi\"}"));
            assertEquals(0.0, s.get("moerec_scoring_latency_seconds_bucket{le=\"2.5E-4\"}"));
            assertEquals(1.0, s.get("moerec_scoring_latency_seconds_bucket{le=\"5.0E-4\"}"));
            assertEquals(0.0, s.get("moerec_event_to_list_latency_seconds_bucket{le=\"0.025\"}"));
            assertEquals(1.0, s.get("moerec_event_to_list_latency_seconds_bucket{le=\"0.05\"}"));
            assertEquals(1.0, s.get("moerec_event_to_list_latency_seconds_count"));
            assertEquals(1.0, s.get("moerec_model_info{version=\"moe-test\"}"));
            assertEquals(90.0, s.get("moerec_model_age_seconds"), 1e-6);
            assertEquals(1.0, s.get("http_server_requests_seconds_count{method=\"GET\",outcome=\"CLIENT_ERROR\","
                    + "status=\"404\",uri=\"/users/{userId}/recommendations\"}"), page);
            assertEquals(300_000, metrics.latencyNanosAt(50), 300);
            // Every name declared for dashboards is on the page, and the JVM binders are there.
            Set<String> families = families(page);
            for (String name : ScoringMetrics.NAMES) {
                assertTrue(families.contains(name), name + " in " + families);
            }
            for (String jvm : List.of("jvm_memory_used_bytes", "jvm_gc_memory_allocated_bytes_total", "jvm_threads_live_threads",
                    "jvm_classes_loaded_classes", "process_cpu_usage")) {
                assertTrue(families.contains(jvm), jvm + " in " + families);
            }
            // A swap shows at the next scrape, with one version only.
            String next = metrics.render(() -> "moe-next");
            assertTrue(next.contains("moerec_model_info{version=\"moe-next\"} 1") && !next.contains("moe-test"), next);
        }
    }

    @Test
    void theUserIdNeverBecomesALabel() {
        assertEquals("/users/{userId}/recommendations", ScoringHttpServer.endpoint("/users/alice/recommendations"));
        assertEquals("/readyz", ScoringHttpServer.endpoint("/readyz"));
        assertEquals("other", ScoringHttpServer.endpoint("/users/alice"));
        assertEquals("other", ScoringHttpServer.endpoint("/" + "x".repeat(600)));
    }

    private static RecommendationList list(long eventTime, long generatedAt) {
        return new RecommendationList("u1", generatedAt, "moe-test", "softmax", List.of(), "e1", eventTime);
    }
}
