package io.moerec.jobs.pipeline;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.moerec.ingest.domain.RecommendationList;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code moerec demo --ui}: the live view as a web page on 127.0.0.1. {@code GET /} is one
 * self-contained HTML page (script and charts inline, nothing fetched from the network) that polls
 * {@code GET /api/live}, the current {@link LiveSnapshot} as JSON, once a second.
 */
public final class LiveViewServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LiveViewServer.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PAGE = "live-view.html";

    private final HttpServer server;
    private final ExecutorService executor;

    /** What the page shows: the latest snapshot and the live replay's progress. */
    public record View(LiveSnapshot snapshot, long replayed, long toReplay, Map<Long, String> titles) {
    }

    private LiveViewServer(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    /** Serves on 127.0.0.1:{@code port} (0 = any free port). */
    public static LiveViewServer start(int port, Supplier<View> view) throws IOException {
        Objects.requireNonNull(view, "view");
        byte[] page = page();
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 16);
        ExecutorService executor = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "moerec-live-view-http");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/", exchange -> {
            try (exchange) {
                if (!exchange.getRequestMethod().equals("GET")) {
                    send(exchange, 405, "application/json", "{\"error\":\"only GET\"}".getBytes(StandardCharsets.UTF_8));
                } else if (exchange.getRequestURI().getPath().equals("/")) {
                    send(exchange, 200, "text/html; charset=utf-8", page);
                } else if (exchange.getRequestURI().getPath().equals("/api/live")) {
                    send(exchange, 200, "application/json", JSON.writeValueAsBytes(toJson(view.get())));
                } else {
                    send(exchange, 404, "application/json", "{\"error\":\"not found\"}".getBytes(StandardCharsets.UTF_8));
                }
            } catch (RuntimeException e) {
                LOG.warn("live view request failed", e);
            }
        });
        server.start();
        return new LiveViewServer(server, executor);
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/";
    }

    /** The JSON the page reads. */
    static ObjectNode toJson(View v) {
        LiveSnapshot s = v.snapshot();
        ObjectNode n = JSON.createObjectNode();
        n.put("at", s.at());
        n.put("replayed", v.replayed());
        n.put("toReplay", v.toReplay());
        n.put("events", s.events());
        n.put("liveEvents", s.liveEvents());
        n.put("eventsPerSecond", s.eventsPerSecond());
        n.put("lists", s.lists());
        n.put("listsPerSecond", s.listsPerSecond());
        ObjectNode latency = n.putObject("latencyMs");
        latency.put("p50", s.latencyP50Ms());
        latency.put("p99", s.latencyP99Ms());
        latency.put("max", s.latencyMaxMs());
        latency.put("samples", s.latencySamples());
        ObjectNode acc = n.putObject("accounting");
        acc.put("events", s.accounting().events());
        acc.put("features", s.accounting().featureUpdates());
        acc.put("late", s.accounting().late());
        acc.put("deadLetters", s.accounting().deadLetters());
        acc.put("invalid", s.accounting().invalid());
        acc.put("invalidReasons", LiveConsoleView.invalidReasons(s.accounting()));
        ObjectNode byReason = acc.putObject("invalidByReason");
        new java.util.TreeMap<>(s.accounting().invalidByReason()).forEach(byReason::put);
        ObjectNode load = n.putObject("routingLoad");
        s.routingLoad().forEach(load::put);
        ArrayNode users = n.putArray("users");
        for (RecommendationList l : s.featured()) {
            ObjectNode u = users.addObject();
            u.put("userId", l.userId());
            u.put("modelVersion", l.modelVersion());
            u.put("router", l.router());
            ArrayNode items = u.putArray("items");
            l.items().stream().limit(LiveConsoleView.TOP).forEach(i -> {
                ObjectNode item = items.addObject();
                item.put("movieId", i.movieId());
                item.put("title", v.titles().getOrDefault(i.movieId(), "movie " + i.movieId()));
                item.put("score", i.score());
                ArrayNode experts = item.putArray("experts");
                i.experts().forEach(w -> experts.addObject().put("genre", w.genre().name()).put("weight", w.weight()));
            });
        }
        return n;
    }

    private static byte[] page() {
        try (InputStream in = LiveViewServer.class.getResourceAsStream(PAGE)) {
            if (in == null) {
                throw new IllegalStateException("resource " + PAGE + " is missing from the jar");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void send(HttpExchange exchange, int status, String type, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream os = exchange.getResponseBody()) {
            os.write(body);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
