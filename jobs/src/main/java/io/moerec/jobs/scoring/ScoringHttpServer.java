package io.moerec.jobs.scoring;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.moerec.ingest.json.EventRules;
import io.moerec.ingest.json.InvalidRecordException;
import io.moerec.ingest.topic.Topics;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import org.apache.kafka.streams.state.HostInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The scoring app's HTTP endpoint on the JDK server: {@code GET /users/{id}/recommendations} (200 with
 * the list as JSON, 404 unknown user, 400 bad id, 503 while restoring or rebalancing; a user owned by
 * another instance is fetched from it), {@code GET /health} (200 when running, else 503) and
 * {@code GET /metrics} (Prometheus text). Errors answer with a one-line JSON message, never a stack
 * trace. The look-up logic is {@link RecommendationLookup}'s.
 */
public final class ScoringHttpServer implements AutoCloseable {

    /** Query parameter marking a request forwarded by another instance, so it is never forwarded again. */
    static final String FORWARDED = "forwarded=1";
    static final int MAX_PATH_CHARS = 512;

    private static final Logger LOG = LoggerFactory.getLogger(ScoringHttpServer.class);
    private static final String PREFIX = "/users/";
    private static final String SUFFIX = "/recommendations";

    private final HttpServer server;
    private final ExecutorService executor;
    private final HttpClient client;
    private volatile RecommendationLookup lookup;
    private volatile Supplier<String> health = () -> "STARTING";
    private final ScoringMetrics metrics;
    private final Supplier<String> modelVersion;

    public ScoringHttpServer(String host, int port, ScoringMetrics metrics, Supplier<String> modelVersion) throws IOException {
        this.metrics = metrics;
        this.modelVersion = modelVersion;
        this.server = HttpServer.create(new InetSocketAddress(host, port), 64);
        this.executor = Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "moerec-http");
            t.setDaemon(true);
            return t;
        });
        this.client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    /** The port actually bound (useful with port 0). */
    public int port() {
        return server.getAddress().getPort();
    }

    /** Connects the endpoint to the running app; until then look-ups answer 503. */
    void attach(RecommendationLookup lookup, Supplier<String> state) {
        this.lookup = lookup;
        this.health = state;
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            if (!"GET".equals(ex.getRequestMethod())) {
                ex.getResponseHeaders().add("Allow", "GET");
                send(ex, 405, error("only GET is supported"));
                return;
            }
            String path = ex.getRequestURI().getRawPath();
            if (path.length() > MAX_PATH_CHARS) {
                send(ex, 414, error("the path is longer than " + MAX_PATH_CHARS + " characters"));
            } else if (path.equals("/health")) {
                String state = health.get();
                send(ex, "RUNNING".equals(state) ? 200 : 503,
                        json("{\"state\":\"" + state + "\",\"modelVersion\":\"" + modelVersion.get() + "\"}"));
            } else if (path.equals("/metrics")) {
                send(ex, 200, "text/plain; version=0.0.4; charset=utf-8", metrics.render(modelVersion).getBytes(StandardCharsets.UTF_8));
            } else if (path.startsWith(PREFIX) && path.endsWith(SUFFIX) && path.length() > PREFIX.length() + SUFFIX.length()) {
                recommendations(ex, path.substring(PREFIX.length(), path.length() - SUFFIX.length()));
            } else {
                send(ex, 404, error("no such resource"));
            }
        } catch (RuntimeException e) {
            // Log the detail for operators, answer without it.
            LOG.warn("HTTP request {} failed", ex.getRequestURI(), e);
            send(ex, 500, error("internal error"));
        }
    }

    private void recommendations(HttpExchange ex, String user) throws IOException {
        // Ids are plain ASCII by EventRules, so no percent-decoding is needed: an encoded id is an invalid id.
        try {
            EventRules.checkId("userId", user);
        } catch (InvalidRecordException e) {
            send(ex, 400, error(e.getMessage()));
            return;
        }
        RecommendationLookup l = lookup;
        if (l == null) {
            ex.getResponseHeaders().add("Retry-After", "1");
            send(ex, 503, error("the scoring app is starting"));
            return;
        }
        RecommendationLookup.Result r = l.find(user);
        if (r instanceof RecommendationLookup.Found f) {
            send(ex, 200, json(Topics.RECOMMENDATIONS.valueSerde().serializer().serialize(null, f.list())));
        } else if (r instanceof RecommendationLookup.NotFound) {
            send(ex, 404, error("no recommendations for user " + user));
        } else if (r instanceof RecommendationLookup.Unavailable u) {
            ex.getResponseHeaders().add("Retry-After", "1");
            send(ex, 503, error(u.why()));
        } else if (r instanceof RecommendationLookup.Elsewhere e) {
            String query = ex.getRequestURI().getRawQuery();
            if (query != null && query.contains(FORWARDED)) {
                // The owner moved between the two instances' views of the metadata: let the client retry.
                ex.getResponseHeaders().add("Retry-After", "1");
                send(ex, 503, error("ownership of the user is moving"));
                return;
            }
            forward(ex, e.owner(), user);
        }
    }

    private void forward(HttpExchange ex, HostInfo owner, String user) throws IOException {
        URI uri = URI.create("http://" + owner.host() + ":" + owner.port() + PREFIX + user + SUFFIX + "?" + FORWARDED);
        try {
            HttpResponse<byte[]> resp = client.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).GET().build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            String type = resp.headers().firstValue("Content-Type").orElse("application/json");
            send(ex, resp.statusCode(), type, resp.body());
        } catch (IOException e) {
            LOG.warn("the owner {} of user {} did not answer: {}", owner, user, e.toString());
            send(ex, 503, error("the instance owning this user did not answer"));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            send(ex, 503, error("interrupted"));
        }
    }

    private static byte[] json(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] json(byte[] b) {
        return b;
    }

    private static byte[] error(String message) {
        String escaped = message.replace("\\", "\\\\").replace("\"", "\\\"").replaceAll("[\\x00-\\x1f]", " ");
        return json("{\"error\":\"" + escaped + "\"}");
    }

    private static void send(HttpExchange ex, int status, byte[] body) throws IOException {
        send(ex, status, "application/json; charset=utf-8", body);
    }

    private static void send(HttpExchange ex, int status, String type, byte[] body) throws IOException {
        ex.getResponseHeaders().set("Content-Type", type);
        ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
