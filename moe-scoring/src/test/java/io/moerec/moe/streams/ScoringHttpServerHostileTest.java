package io.moerec.moe.streams;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.moerec.ingest.domain.Genre;
import io.moerec.ingest.domain.RecommendationList;
import io.moerec.ingest.domain.RecommendationList.ExpertWeight;
import io.moerec.ingest.domain.RecommendationList.RecommendedItem;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Hostile HTTP against {@link ScoringHttpServer} with a stub look-up (user {@code u1} has a list,
 * everybody else none): path traversal and its encodings, malformed percent-encoding, huge ids,
 * paths and headers, request bodies that are never read, odd methods, garbage instead of HTTP, and
 * 64 concurrent clients. Every answer has the right status and a body without a stack trace or a Java
 * class name, and the server keeps answering afterwards.
 */
class ScoringHttpServerHostileTest {

    /** What must never appear in a body: a stack frame, an exception's class name, a package. */
    private static final Pattern LEAK = Pattern.compile("Exception|Error\\b|\\bat [a-z]+\\.|java\\.|javax\\.|sun\\.|io\\.moerec|\\.java:");

    private static final RecommendationList LIST = new RecommendationList("u1", 1_700_000_000_000L, "moe-test", "softmax",
            List.of(new RecommendedItem(10, 0.9, List.of(new ExpertWeight(Genre.DRAMA, 1.0)))), "e1", 1_700_000_000_000L);

    private ScoringHttpServer server;

    @BeforeEach
    void start() throws Exception {
        server = new ScoringHttpServer("127.0.0.1", 0, new ScoringMetrics(), () -> "moe-test");
        server.attach(user -> user.equals("u1") ? new RecommendationLookup.Found(LIST) : new RecommendationLookup.NotFound(),
                () -> "RUNNING");
    }

    @AfterEach
    void stop() {
        server.close();
    }

    /** A status and a body, read off a raw socket. */
    private record Answer(int status, String head, String body) {
    }

    /** Sends raw bytes as they are (no client normalises the path) and reads the answer to the end. */
    private Answer raw(byte[] request) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", server.port()));
            s.setSoTimeout(20_000); // guards a hang only
            OutputStream out = s.getOutputStream();
            try {
                out.write(request);
                out.flush();
            } catch (IOException e) {
                // The server may answer and close before reading everything (a body it refuses).
            }
            InputStream in = s.getInputStream();
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            byte[] buf = new byte[8192];
            try {
                // Until the server closes or the announced body is complete (a kept-alive connection stays open).
                for (int n; !complete(got) && (n = in.read(buf)) > 0; ) {
                    got.write(buf, 0, n);
                }
            } catch (IOException e) {
                // a reset after the answer
            }
            String text = got.toString(StandardCharsets.ISO_8859_1);
            if (text.isEmpty()) {
                return new Answer(-1, "", "");
            }
            int split = text.indexOf("\r\n\r\n");
            String head = split < 0 ? text : text.substring(0, split);
            String body = split < 0 ? "" : text.substring(split + 4);
            return new Answer(Integer.parseInt(head.substring(9, 12)), head, body);
        }
    }

    private static boolean complete(ByteArrayOutputStream got) {
        String text = got.toString(StandardCharsets.ISO_8859_1);
        int split = text.indexOf("\r\n\r\n");
        if (split < 0) {
            return false;
        }
        java.util.regex.Matcher m = Pattern.compile("(?i)\r\ncontent-length: *(\\d+)").matcher(text.substring(0, split));
        int length = m.find() ? Integer.parseInt(m.group(1)) : 0;
        return text.length() - split - 4 >= length;
    }

    private Answer get(String rawTarget) throws IOException {
        return raw(("GET " + rawTarget + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
    }

    private static void assertClean(Answer a) {
        assertFalse(LEAK.matcher(a.body()).find(), () -> "leaks internals: " + a.body());
        assertFalse(LEAK.matcher(a.head()).find(), () -> "leaks internals: " + a.head());
    }

    private void assertStillAnswers() throws IOException {
        Answer a = get("/users/u1/recommendations");
        assertEquals(200, a.status());
        assertTrue(a.body().contains("\"userId\":\"u1\""), a.body());
    }

    @Test
    void pathTraversalAndEncodedIdsAreBadRequests() throws IOException {
        for (String target : List.of(
                "/users/../../etc/passwd/recommendations",
                "/users/..%2F..%2Fetc%2Fpasswd/recommendations",
                "/users/%2e%2e%2f%2e%2e%2fetc%2fpasswd/recommendations",
                "/users/%252e%252e%252f/recommendations",
                "/users/u1%00/recommendations",
                "/users/u1%0d%0aSet-Cookie:%20x=1/recommendations",
                "/users/%c0%ae%c0%ae/recommendations",
                "/users/u%E2%80%AE1/recommendations",
                "/users/u1;jsessionid=1/recommendations",
                "/users/" + "a".repeat(129) + "/recommendations")) {
            Answer a = get(target);
            assertEquals(400, a.status(), target);
            assertTrue(a.body().startsWith("{\"error\":"), a.body());
            assertClean(a);
        }
        // ".." is made of allowed id characters: just an unknown user, nothing is a file here.
        assertEquals(404, get("/users/../recommendations").status());
        assertStillAnswers();
    }

    /**
     * A target that is no URI at all is refused by the JDK server before any handler runs, with the
     * fixed body {@value #JDK_URI_REJECTION}: it names a JDK exception class (no stack trace, no detail
     * of the request) and cannot be changed from a handler. Everything else must be clean.
     */
    static final String JDK_URI_REJECTION = "<h1>400 Bad Request</h1>URISyntaxException thrown";

    @Test
    void malformedPercentEncodingIsABadRequestWithoutStackTrace() throws IOException {
        for (String target : List.of("/users/%zz/recommendations", "/users/%/recommendations", "/users/a%2/recommendations",
                "/users/%u0041/recommendations", "/users/u1/recommendations?x=%zz", "/%%%", "/users/..\\..\\windows/recommendations")) {
            Answer a = get(target);
            assertEquals(400, a.status(), target);
            assertTrue(a.body().equals(JDK_URI_REJECTION) || !LEAK.matcher(a.body()).find(), () -> target + ": " + a.body());
        }
        assertStillAnswers();
    }

    @Test
    void hugeIdsPathsQueriesAndHeadersAreRefused() throws IOException {
        assertEquals(414, get("/users/" + "x".repeat(10_000) + "/recommendations").status());
        Answer hugePath = get("/users/" + "x".repeat(1024 * 1024) + "/recommendations");
        // The JDK server closes a connection whose request head passes its 384 KiB limit, without an answer.
        assertTrue(hugePath.status() == 414 || hugePath.status() == -1, hugePath.head());
        assertClean(hugePath);
        // A long query does not make a long path; the query is not part of the id.
        assertEquals(200, get("/users/u1/recommendations?" + "q".repeat(2_000)).status());

        Answer bigHeader = raw(("GET /users/u1/recommendations HTTP/1.1\r\nHost: x\r\nX-Big: " + "h".repeat(1024 * 1024)
                + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
        assertTrue(bigHeader.status() == 431 || bigHeader.status() == 400 || bigHeader.status() == -1, bigHeader.head());
        assertClean(bigHeader);
        StringBuilder many = new StringBuilder("GET /users/u1/recommendations HTTP/1.1\r\nHost: x\r\n");
        for (int i = 0; i < 5_000; i++) {
            many.append("X-H").append(i).append(": v\r\n");
        }
        Answer manyHeaders = raw(many.append("Connection: close\r\n\r\n").toString().getBytes(StandardCharsets.ISO_8859_1));
        assertTrue(manyHeaders.status() == 431 || manyHeaders.status() == 400 || manyHeaders.status() == -1, manyHeaders.head());
        assertClean(manyHeaders);
        assertStillAnswers();
    }

    @Test
    void oddMethodsAre405AndBodiesAreNeverRead() throws IOException {
        for (String method : List.of("POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "HEAD", "FOO", "get")) {
            Answer a = raw((method + " /users/u1/recommendations HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            assertEquals(405, a.status(), method);
            assertTrue(a.head().contains("Allow: GET"), a.head());
            assertClean(a);
        }
        // A 64 MiB body announced and started: the answer comes without the server taking it all in.
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", server.port()));
            s.setSoTimeout(20_000);
            OutputStream out = s.getOutputStream();
            out.write(("POST /users/u1/recommendations HTTP/1.1\r\nHost: x\r\nContent-Length: " + (64L << 20) + "\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            // Less than the JDK server drains after answering (64 KiB): a larger first part could be cut
            // off by a reset before the client has written it all, if the server answers that fast.
            out.write(new byte[32 * 1024]);
            out.flush();
            byte[] head = new byte[12];
            assertEquals(12, s.getInputStream().readNBytes(head, 0, 12));
            assertEquals("HTTP/1.1 405", new String(head, StandardCharsets.ISO_8859_1));
            // The server drains at most a little of the rest, then closes: the other 63 MiB never get in.
            assertThrows(IOException.class, () -> {
                byte[] chunk = new byte[1024 * 1024];
                for (int i = 0; i < 64; i++) {
                    out.write(chunk);
                }
                out.flush();
            });
        }
        // A GET with a body: the body is ignored.
        Answer getWithBody = raw(("GET /users/u1/recommendations HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello")
                .getBytes(StandardCharsets.ISO_8859_1));
        assertEquals(200, getWithBody.status());
        assertStillAnswers();
    }

    @Test
    void garbageInsteadOfHttpGetsNoStackTrace() throws IOException {
        for (String junk : List.of("\u0000\u0001\u0002garbage\r\n\r\n", "GET\r\n\r\n", "GET / HTTP/9.9\r\n\r\n",
                "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", "GET /users/u1/recommendations\r\n\r\n", " \r\n\r\n",
                "GET /users/u1/recommendations HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n",
                "GET /users/u1/recommendations HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n")) {
            Answer a = raw(junk.getBytes(StandardCharsets.ISO_8859_1));
            assertTrue(a.status() == -1 || (a.status() >= 200 && a.status() < 600), junk);
            assertClean(a);
        }
        assertStillAnswers();
    }

    @Test
    void clientsThatStallMidRequestDoNotSilenceTheServer() throws Exception {
        // Twice as many stalled clients as handler threads, each holding a half-sent request line.
        List<Socket> stalled = new ArrayList<>();
        try {
            for (int i = 0; i < 2 * ScoringHttpServer.HANDLER_THREADS; i++) {
                Socket s = new Socket();
                s.connect(new InetSocketAddress("127.0.0.1", server.port()));
                s.getOutputStream().write("GET /users/u1/recomm".getBytes(StandardCharsets.ISO_8859_1));
                s.getOutputStream().flush();
                stalled.add(s);
            }
            // The JDK server cuts every request that takes longer than sun.net.httpserver.maxReqTime
            // (2 s in this build, 10 s in the app): wait until it has closed each stalled connection,
            // then the handler threads are free again and a well-behaved client is answered.
            for (Socket s : stalled) {
                s.setSoTimeout(60_000); // guards a hang only
                try {
                    assertEquals(-1, s.getInputStream().read(), "the server closes a stalled request");
                } catch (java.net.SocketException reset) {
                    // closed with a reset: as good
                }
            }
            assertStillAnswers();
        } finally {
            for (Socket s : stalled) {
                s.close();
            }
        }
    }

    @Test
    void sixtyFourClientsOfTwoHundredRequestsEachGetTheirAnswers() throws Exception {
        HttpClient client = HttpClient.newBuilder().executor(Executors.newFixedThreadPool(4)).build();
        String base = "http://127.0.0.1:" + server.port();
        String[] paths = {"/users/u1/recommendations", "/users/u2/recommendations", "/users/a%20b/recommendations",
                "/users/" + "x".repeat(600) + "/recommendations", "/health", "/nothing"};
        int[] expected = {200, 404, 400, 414, 200, 404};
        ExecutorService clients = Executors.newFixedThreadPool(64);
        try {
            List<Future<Integer>> done = new ArrayList<>();
            for (int c = 0; c < 64; c++) {
                int seed = c;
                done.add(clients.submit(() -> {
                    int ok = 0;
                    for (int i = 0; i < 200; i++) {
                        int k = (seed + i) % paths.length;
                        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(base + paths[k])).build(),
                                HttpResponse.BodyHandlers.ofString());
                        assertEquals(expected[k], r.statusCode(), paths[k]);
                        assertFalse(LEAK.matcher(r.body()).find(), r.body());
                        ok++;
                    }
                    return ok;
                }));
            }
            int total = 0;
            for (Future<Integer> f : done) {
                total += f.get();
            }
            assertEquals(64 * 200, total);
        } finally {
            clients.shutdownNow();
        }
        assertTrue(server.queueCapacity() == ScoringHttpServer.MAX_QUEUED_EXCHANGES, "the hand-off queue is bounded");
        assertStillAnswers();
    }
}
