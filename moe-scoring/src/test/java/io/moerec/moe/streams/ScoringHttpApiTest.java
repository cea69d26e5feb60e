package io.moerec.moe.streams;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import io.moerec.ingest.domain.Genre;
import io.moerec.ingest.domain.RecommendationList;
import io.moerec.ingest.domain.RecommendationList.ExpertWeight;
import io.moerec.ingest.domain.RecommendationList.RecommendedItem;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The HTTP API as documented in {@code openapi/scoring-app.yaml}: a running {@link ScoringHttpServer}
 * (with a stub look-up) is called on every documented path, in every state that changes its answer,
 * and each answer's status, content type, documented headers and JSON body (validated against the
 * documented schema, the recommendation list's being the published wire schema) must be documented.
 */
class ScoringHttpApiTest {

    private static final String WIRE_SCHEMA_ID = "https://moerec.io/schemas/recommendation-list/1";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient client = HttpClient.newHttpClient();
    private final Set<String> seen = new TreeSet<>();
    private ScoringMetrics metrics;
    private ScoringHttpServer server;
    private JsonNode api;
    private JsonSchemaFactory schemas;

    @BeforeEach
    void start() throws IOException {
        try (InputStream in = ScoringHttpApiTest.class.getResourceAsStream("/openapi/scoring-app.yaml")) {
            api = new ObjectMapper(new YAMLFactory()).readTree(in);
        }
        schemas = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012, b -> b.schemaMappers(
                m -> m.mappings(Map.of(WIRE_SCHEMA_ID, "classpath:schemas/recommendation-list.schema.json"))));
        metrics = new ScoringMetrics();
        server = new ScoringHttpServer("127.0.0.1", 0, metrics, () -> "moe-test");
    }

    @AfterEach
    void stop() {
        server.close();
        metrics.close();
    }

    @Test
    void everyDocumentedAnswerIsWhatTheServerGives() throws Exception {
        assertEquals("3.1.0", api.path("openapi").asText());
        // Before the app is attached: live, not ready, look-ups 503.
        call("GET", "/users/u1/recommendations", 503);
        call("GET", "/health", 503);
        call("GET", "/livez", 200);
        call("GET", "/readyz", 503);

        RecommendationList list = new RecommendationList("u1", 1_764_000_000_000L, "moe-test", "softmax",
                List.of(new RecommendedItem(42, 0.9, List.of(new ExpertWeight(Genre.SCI_FI, 0.7), new ExpertWeight(Genre.DRAMA, 0.3)))),
                "e1", 1_763_999_999_000L);
        server.attach(user -> switch (user) {
            case "u1" -> new RecommendationLookup.Found(list);
            case "restoring" -> new RecommendationLookup.Unavailable("the stores are restoring");
            case "newcomer" -> new RecommendationLookup.NonPersonal(new RecommendationList("newcomer", 1_764_000_000_000L,
                    "moe-test", "softmax", List.of(new RecommendedItem(7, 0.5, List.of())), "none", 0));
            default -> new RecommendationLookup.NotFound();
        }, () -> "RUNNING");
        ScoringHealth health = new ScoringHealth(() -> true);
        server.attach(health);
        health.onChange(KafkaStreams.State.RUNNING, KafkaStreams.State.REBALANCING);
        call("GET", "/users/u1/recommendations", 200);
        assertTrue(JSON.readTree(call("GET", "/users/u1/recommendations", 200)).path("personal").asBoolean());
        assertFalse(JSON.readTree(call("GET", "/users/newcomer/recommendations", 200)).path("personal").asBoolean(true));
        call("GET", "/users/nobody/recommendations", 404);
        call("GET", "/users/restoring/recommendations", 503);
        call("GET", "/users/a%20b/recommendations", 400);
        call("GET", "/users/" + "x".repeat(600) + "/recommendations", 414);
        call("POST", "/users/u1/recommendations", 405);
        call("GET", "/health", 200);
        call("GET", "/readyz", 200);
        call("GET", "/metrics", 200);
        // Failed for good: not live, not ready.
        health.onChange(KafkaStreams.State.PENDING_ERROR, KafkaStreams.State.RUNNING);
        call("GET", "/livez", 503);

        // Every documented answer was seen, but the unexpected failure (500), which no request provokes.
        Set<String> documented = new TreeSet<>();
        api.path("paths").properties().forEach(p -> p.getValue().path("get").path("responses").fieldNames()
                .forEachRemaining(status -> documented.add(p.getKey() + " " + status)));
        documented.remove("/users/{userId}/recommendations 500");
        assertEquals(documented, seen);
    }

    @Test
    void theDocumentedPathsAreTheServersEndpoints() {
        Set<String> paths = new LinkedHashSet<>();
        api.path("paths").fieldNames().forEachRemaining(paths::add);
        for (String p : paths) {
            String example = p.replace("{userId}", "u1");
            assertEquals(p, ScoringHttpServer.endpoint(example), "the request metric's endpoint for " + example);
        }
        assertEquals("other", ScoringHttpServer.endpoint("/openapi"), "undocumented paths are 'other'");
        assertEquals(Set.of("/users/{userId}/recommendations", "/health", "/livez", "/readyz", "/metrics"), paths);
    }

    /** Calls the server and checks the answer against the operation documented for {@code path}. */
    private String call(String method, String path, int expected) throws Exception {
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(expected, r.statusCode(), method + " " + path + ": " + r.body());
        String template = ScoringHttpServer.endpoint(path.length() > ScoringHttpServer.MAX_PATH_CHARS
                ? "/users/u1/recommendations" : path);
        JsonNode response = api.path("paths").path(template).path("get").path("responses").path(Integer.toString(expected));
        assertFalse(response.isMissingNode(), template + " documents no " + expected);
        seen.add(template + " " + expected);
        for (var h : (Iterable<Map.Entry<String, JsonNode>>) response.path("headers").properties()::iterator) {
            String value = r.headers().firstValue(h.getKey()).orElse(null);
            assertTrue(value != null, method + " " + path + ": header " + h.getKey());
            JsonNode headerSchema = resolve(h.getValue()).path("schema");
            assertValid(headerSchema, JSON.getNodeFactory().textNode(value), h.getKey());
        }
        String type = r.headers().firstValue("Content-Type").orElse("");
        var media = response.path("content").properties().iterator().next();
        assertTrue(type.startsWith(media.getKey()), method + " " + path + ": " + type + " is not " + media.getKey());
        if (media.getKey().equals("application/json")) {
            assertValid(media.getValue().path("schema"), JSON.readTree(r.body()), method + " " + path);
        }
        return r.body();
    }

    /** A header or schema object, following a local {@code $ref}. */
    private JsonNode resolve(JsonNode node) {
        String ref = node.path("$ref").asText();
        return ref.startsWith("#/") ? api.at(ref.substring(1)) : node;
    }

    /** Validates {@code value} against a schema of the document: its components become the schema's {@code $defs}. */
    private void assertValid(JsonNode schema, JsonNode value, String what) {
        ObjectNode root = JSON.createObjectNode();
        root.put("$schema", "https://json-schema.org/draft/2020-12/schema");
        root.set("$defs", api.path("components").path("schemas"));
        root.setAll((ObjectNode) JSON.valueToTree(schema));
        String text = root.toString().replace("#/components/schemas/", "#/$defs/");
        JsonSchema s = schemas.getSchema(text);
        Set<ValidationMessage> errors = s.validate(value);
        assertTrue(errors.isEmpty(), what + ": " + errors + " for " + value);
    }
}
