package io.moerec.moe.streams;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.moerec.ingest.domain.RecommendationList;
import io.moerec.ingest.json.EventRules;
import io.moerec.ingest.json.InvalidRecordException;
import io.moerec.ingest.topic.Topics;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.kafka.streams.state.HostInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The scoring app's HTTP endpoint on the JDK server: {@code GET /users/{id}/recommendations} (200 with
 * the list as JSON, marked {@code "personal": false} when it is the {@link NonPersonalList} of a user
 * without a list of their own, 400 bad id, 503 while restoring or rebalancing; a user owned by
 * another instance is fetched from it), {@code GET /health} (200 when running, else 503), the probes
 * {@code GET /livez} and {@code GET /readyz} (200 or 503, as {@link ScoringHealth} says; before the
 * app is attached: live, not ready) and {@code GET /metrics} (Prometheus text). Errors answer with a one-line JSON message, never a stack
 * trace. The look-up logic is {@link RecommendationLookup}'s.
 */
public final class ScoringHttpServer implements AutoCloseable {

    /** Query parameter marking a request forwarded by another instance, so it is never forwarded again. */
    static final String FORWARDED = "forwarded=1";
    static final int MAX_PATH_CHARS = 512;
    /** Threads answering requests unless {@code http.threads} says otherwise. */
    static final int HANDLER_THREADS = 4;
    /**
     * Accepted connections waiting for a handler thread. Beyond it the JDK server closes the new
     * connection at once rather than queueing it in memory (an unbounded queue was a memory hole under
     * a flood of clients); the operating system's accept backlog ({@value #BACKLOG}) comes before it.
     */
    static final int MAX_QUEUED_EXCHANGES = 256;
    static final int BACKLOG = 64;

    /**
     * The JDK server's own limits, set as defaults unless the JVM was started with them (-D wins).
     * It reads them once, when its first server is created, so they must be in place before that.
     * Without {@code maxReqTime} (the JDK default is none) a client that sends half a request line
     * and stops holds a handler thread for ever: {@value #HANDLER_THREADS} such clients would silence
     * the endpoint (by default). Request headers are capped by the JDK at 384 KiB and 200 lines by default.
     */
    static final java.util.Map<String, String> JDK_SERVER_LIMITS = java.util.Map.of(
            "sun.net.httpserver.maxReqTime", "10",          // seconds to send a whole request
            "sun.net.httpserver.maxRspTime", "30",          // seconds for a client to take the answer
            "jdk.httpserver.maxConnections", "1000");        // open connections, idle ones included

    static {
        JDK_SERVER_LIMITS.forEach((key, value) -> {
            if (System.getProperty(key) == null) {
                System.setProperty(key, value);
            }
        });
    }

    private static final Logger LOG = LoggerFactory.getLogger(ScoringHttpServer.class);
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String PREFIX = "/users/";
    private static final String SUFFIX = "/recommendations";

    private final HttpServer server;
    private final ThreadPoolExecutor executor;
    private final HttpClient client;
    private volatile UserListLookup lookup;
    private volatile Supplier<String> health = () -> "STARTING";
    private volatile ScoringHealth probes;
    private final ScoringMetrics metrics;
    private final Supplier<String> modelVersion;

    public ScoringHttpServer(String host, int port, ScoringMetrics metrics, Supplier<String> modelVersion) throws IOException {
        this(host, port, HANDLER_THREADS, metrics, modelVersion);
    }

    /** Bound to {@code host:port} with {@code threads} handler threads, serving at once. */
    public ScoringHttpServer(String host, int port, int threads, ScoringMetrics metrics, Supplier<String> modelVersion) throws IOException {
        this.metrics = metrics;
        this.modelVersion = modelVersion;
        this.server = HttpServer.create(new InetSocketAddress(host, port), BACKLOG);
        this.executor = new ThreadPoolExecutor(threads, threads, 0, TimeUnit.MILLISECONDS,
                new ArrayBlockingQueue<>(MAX_QUEUED_EXCHANGES), r -> {
                    Thread t = new Thread(r, "moerec-http");
                    t.setDaemon(true);
                    return t;
                }, new ThreadPoolExecutor.AbortPolicy());
        this.client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    /** The port actually bound (useful with port 0). */
    public int port() {
        return server.getAddress().getPort();
    }

    /** How many accepted requests wait for a handler thread now (bounded by {@link #MAX_QUEUED_EXCHANGES}). */
    int queuedExchanges() {
        return executor.getQueue().size();
    }

    int queueCapacity() {
        return executor.getQueue().size() + executor.getQueue().remainingCapacity();
    }

    /** Connects the endpoint to the running app; until then look-ups answer 503. */
    void attach(UserListLookup lookup, Supplier<String> state) {
        this.lookup = lookup;
        this.health = state;
    }

    /** Connects {@code /livez} and {@code /readyz} to the app's {@link ScoringHealth}. */
    void attach(ScoringHealth probes) {
        this.probes = probes;
    }

    private void handle(HttpExchange ex) throws IOException {
        long start = System.nanoTime();
        try {
            route(ex);
        } finally {
            metrics.httpRequest(ex.getRequestMethod(), endpoint(ex.getRequestURI().getRawPath()), ex.getResponseCode(),
                    System.nanoTime() - start);
        }
    }

    /** The path's template for the request metric: never the user id, so the label set stays small. */
    static String endpoint(String path) {
        if (path.startsWith(PREFIX) && path.endsWith(SUFFIX)) {
            return PREFIX + "{userId}" + SUFFIX;
        }
        return switch (path) {
            case "/health", "/livez", "/readyz", "/metrics" -> path;
            default -> "other";
        };
    }

    private void route(HttpExchange ex) throws IOException {
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
            } else if (path.equals("/livez") || path.equals("/readyz")) {
                ScoringHealth p = probes;
                boolean live = p == null || p.live();
                boolean ok = path.equals("/livez") ? live : p != null && p.ready();
                String state = p == null ? "STARTING" : p.state().name();
                send(ex, ok ? 200 : 503, json("{\"live\":" + live + ",\"ready\":" + (p != null && p.ready())
                        + ",\"state\":\"" + state + "\"}"));
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
        UserListLookup l = lookup;
        if (l == null) {
            ex.getResponseHeaders().add("Retry-After", "1");
            send(ex, 503, error("the scoring app is starting"));
            return;
        }
        RecommendationLookup.Result r = l.find(user);
        if (r instanceof RecommendationLookup.Found f) {
            send(ex, 200, listJson(f.list(), true));
        } else if (r instanceof RecommendationLookup.NonPersonal n) {
            send(ex, 200, listJson(n.list(), false));
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

    /**
     * The list in the {@code recommendations} wire format plus {@code "personal"}: false for the
     * non-personal list of a user without one of their own (readers of the format tolerate unknown
     * top-level fields).
     */
    static byte[] listJson(RecommendationList list, boolean personal) {
        try {
            ObjectNode body = (ObjectNode) MAPPER.readTree(Topics.RECOMMENDATIONS.valueSerde().serializer().serialize(null, list));
            body.put("personal", personal);
            return MAPPER.writeValueAsBytes(body);
        } catch (IOException e) {
            throw new UncheckedIOException("a list's own JSON did not parse", e);
        }
    }

    private static byte[] json(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
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
        // A HEAD response has no body: the JDK server would refuse one with an IOException.
        boolean withBody = body.length > 0 && !"HEAD".equals(ex.getRequestMethod());
        ex.sendResponseHeaders(status, withBody ? body.length : -1);
        if (withBody) {
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
