package io.moerec.moe.streams;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The HTTP endpoint before the app is attached, and its validation (no broker needed). */
class ScoringHttpServerTest {

    private final HttpClient client = HttpClient.newHttpClient();
    private ScoringHttpServer server;

    @BeforeEach
    void start() throws Exception {
        server = new ScoringHttpServer("127.0.0.1", 0, new ScoringMetrics(), () -> "moe-test");
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private HttpResponse<String> request(String method, String path) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void answers503UntilTheAppIsRunning() throws Exception {
        HttpResponse<String> r = request("GET", "/users/u1/recommendations");
        assertEquals(503, r.statusCode());
        assertEquals("1", r.headers().firstValue("Retry-After").orElse(""));
        assertEquals(503, request("GET", "/health").statusCode());
    }

    @Test
    void validatesIdsPathsAndMethodsWithoutStackTraces() throws Exception {
        HttpResponse<String> badId = request("GET", "/users/a%20b/recommendations");
        assertEquals(400, badId.statusCode());
        assertTrue(badId.body().startsWith("{\"error\":"), badId.body());
        assertFalse(badId.body().contains("Exception"));
        assertEquals(400, request("GET", "/users/" + "x".repeat(129) + "/recommendations").statusCode());
        assertEquals(414, request("GET", "/users/" + "x".repeat(600) + "/recommendations").statusCode());
        assertEquals(404, request("GET", "/users//recommendations").statusCode());
        assertEquals(404, request("GET", "/nothing").statusCode());
        assertEquals(405, request("POST", "/users/u1/recommendations").statusCode());
    }

    @Test
    void metricsArePrometheusText() throws Exception {
        HttpResponse<String> r = request("GET", "/metrics");
        assertEquals(200, r.statusCode());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/plain; version=0.0.4"));
        assertTrue(r.body().contains("# TYPE moerec_scoring_latency_seconds histogram"));
        assertTrue(r.body().contains("moerec_scoring_latency_seconds_bucket{le=\"+Inf\"} 0"));
        assertTrue(r.body().contains("moerec_expert_load_total{expert=\"Sci-Fi\"} 0.0"));
        assertTrue(r.body().contains("moerec_model_info{version=\"moe-test\"} 1"));
    }

    @Test
    void probesFollowTheAppsHealth() throws Exception {
        // Before the app is attached: the process is up (live) but serves nothing (not ready).
        assertEquals(200, request("GET", "/livez").statusCode());
        assertEquals(503, request("GET", "/readyz").statusCode());
        ScoringHealth health = new ScoringHealth(() -> true);
        server.attach(health);
        health.onChange(org.apache.kafka.streams.KafkaStreams.State.REBALANCING, org.apache.kafka.streams.KafkaStreams.State.CREATED);
        assertEquals(200, request("GET", "/livez").statusCode());
        assertEquals(503, request("GET", "/readyz").statusCode());
        health.onChange(org.apache.kafka.streams.KafkaStreams.State.RUNNING, org.apache.kafka.streams.KafkaStreams.State.REBALANCING);
        HttpResponse<String> ready = request("GET", "/readyz");
        assertEquals(200, ready.statusCode());
        assertEquals("{\"live\":true,\"ready\":true,\"state\":\"RUNNING\"}", ready.body());
        health.onChange(org.apache.kafka.streams.KafkaStreams.State.PENDING_ERROR, org.apache.kafka.streams.KafkaStreams.State.RUNNING);
        assertEquals(503, request("GET", "/livez").statusCode());
        assertEquals(503, request("GET", "/readyz").statusCode());
    }

    @Test
    void aUsersOwnListIsMarkedPersonalAndAUserWithoutOneGetsTheMarkedNonPersonalList() throws Exception {
        io.moerec.ingest.domain.RecommendationList own = new io.moerec.ingest.domain.RecommendationList("u1", 1L, "moe-test",
                "softmax", java.util.List.of(new io.moerec.ingest.domain.RecommendationList.RecommendedItem(10, 0.9, java.util.List.of())),
                "e1", 1L);
        NonPersonalList nonPersonal = new NonPersonalList();
        nonPersonal.set(new io.moerec.ingest.domain.RecommendationList("", 2L, "moe-test", "softmax",
                java.util.List.of(new io.moerec.ingest.domain.RecommendationList.RecommendedItem(20, 0.5, java.util.List.of())),
                NonPersonalList.NO_TRIGGER, 0L));
        server.attach(user -> user.equals("u1") ? new RecommendationLookup.Found(own)
                : new RecommendationLookup.NonPersonal(nonPersonal.forUser(user).orElseThrow()), () -> "RUNNING");
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        HttpResponse<String> mine = request("GET", "/users/u1/recommendations");
        assertEquals(200, mine.statusCode());
        assertTrue(json.readTree(mine.body()).get("personal").asBoolean(false), mine.body());
        HttpResponse<String> other = request("GET", "/users/somebody-new/recommendations");
        assertEquals(200, other.statusCode());
        com.fasterxml.jackson.databind.JsonNode body = json.readTree(other.body());
        assertFalse(body.get("personal").asBoolean(true), other.body());
        // Still the recommendations wire format (its readers tolerate the extra field), for the asked user.
        io.moerec.ingest.domain.RecommendationList l = new io.moerec.ingest.json.RecommendationListCodec()
                .decode(other.body().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertEquals("somebody-new", l.userId());
        assertEquals(20, l.items().get(0).movieId());
    }
}
