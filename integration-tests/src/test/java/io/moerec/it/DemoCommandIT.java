package io.moerec.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.moerec.jobs.process.ChildJvm;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The README's first command, run as the launcher runs it ({@code java -cp <jobs jar>:<its class path>
 * io.moerec.jobs.cli.MoerecCli demo ...}) on a seeded generated log: the whole pipeline on a real
 * broker, the Flink job on a MiniCluster and the scoring app, each in its own JVM.
 * <ul>
 *   <li>every active user gets a list, no list holds a movie watched before it was made, every event
 *       is accounted for, prequential HR@10 beats most-popular;</li>
 *   <li>the live view web page ({@code --ui}) renders live figures in a real headless Chromium;</li>
 *   <li>the final lists equal the pinned golden file, which an earlier run of a fresh pipeline on the
 *       same log wrote (determinism);</li>
 *   <li>a second run on the same log reuses the cached model, and Ctrl-C (SIGINT) mid-replay stops
 *       everything, leaving no process behind; so does a normal end.</li>
 * </ul>
 * The second run is the Ctrl-C test's, on the first's model cache: one pipeline start per test.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DemoCommandIT {

    private static final Logger LOG = LoggerFactory.getLogger(DemoCommandIT.class);

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern UI_URL = Pattern.compile("live view in a browser: (http://127\\.0\\.0\\.1:\\d+/)");
    private static final Duration RUN_TIMEOUT = Duration.ofMinutes(6);
    /** The log of the golden test: seeded, so the same bytes every time. */
    private static final List<String> LOG_ARGS = List.of("--events", "20000", "--users", "300", "--seed", "42");
    static final String GOLDEN = "/golden/demo-final-lists.tsv";

    @TempDir
    Path tmp;

    /** The model cache both tests use: the golden run trains, the Ctrl-C run reuses. */
    @TempDir
    static Path models;

    @Test
    @Order(1)
    void theWholeEngineRunsServesItsLiveViewAndReplaysDeterministicallyToTheGoldenLists() throws Exception {
        Path cache = models;
        Path listsA = tmp.resolve("a.tsv");
        Path reportA = tmp.resolve("a.json");
        List<String> argsA = new ArrayList<>(LOG_ARGS);
        argsA.addAll(List.of("--live-seconds", "15", "--ui", "--model-cache", cache.toString(), "--work-dir", tmp.resolve("a").toString(),
                "--final-lists", listsA.toString(), "--report", reportA.toString()));
        Set<Long> descendants = new HashSet<>();
        try (ChildJvm demo = startDemo("demo-a", argsA)) {
            String url = awaitLog(demo, UI_URL, descendants).group(1);
            // A live block that already shows a user's list: the page's snapshot is taken at the same tick.
            awaitLog(demo, Pattern.compile("^         user \\S+ +1\\. ", Pattern.MULTILINE), descendants);
            String dom = renderInChromium(url);
            assertTrue(Pattern.compile("id=\"replayed\">[0-9][0-9,]* / [1-9]").matcher(dom).find(), "live figures rendered:\n" + dom);
            assertTrue(dom.contains("class=\"load-bar\""), "routing load chart drawn:\n" + dom);
            assertTrue(Pattern.compile("<td>u[0-9]+</td>").matcher(dom).find(), "users' lists shown:\n" + dom);
            assertEquals(0, demo.waitFor(RUN_TIMEOUT), demo.logTail(4000));
            descendants.addAll(liveDescendants(demo.pid()));
        }
        assertNoneAlive(descendants);

        JsonNode a = JSON.readTree(reportA.toFile());
        assertTrue(a.at("/accounting/balanced").asBoolean(), "every event accounted for: " + a);
        assertEquals(20_000, a.at("/accounting/events").asLong(), a.toString());
        assertEquals(0, a.get("listsWithWatchedMovies").asLong(), a.toString());
        assertTrue(a.get("activeUsers").asLong() > 100, a.toString());
        assertEquals(a.get("activeUsers").asLong(), a.get("activeUsersWithLists").asLong(), "every active user has a list: " + a);
        double model = a.at("/prequential/modelHitRate").asDouble();
        double popular = a.at("/prequential/mostPopularHitRate").asDouble();
        assertTrue(model > popular, "prequential HR@10 " + model + " beats most-popular " + popular);

        List<String> first = Files.readAllLines(listsA);
        assertEquals(golden(), first, "final lists equal the golden file " + GOLDEN
                + " (regenerate it with the command in its first line if the model or the pipeline changed on purpose)");
    }

    @Test
    @Order(2)
    void aSecondRunReusesTheModelAndCtrlCMidReplayStopsEverythingAndLeavesNoProcessBehind() throws Exception {
        // The golden test's log and model cache: its bundle is reused (when that test ran first, as in the suite).
        boolean cached;
        try (var entries = Files.list(models)) {
            cached = entries.findAny().isPresent();
        }
        List<String> args = new ArrayList<>(LOG_ARGS);
        args.addAll(List.of("--live-seconds", "60", "--model-cache", models.toString()));
        Set<Long> descendants = new HashSet<>();
        Path demoTmp = Files.createDirectories(tmp.resolve("demo-ctrl-c-tmp"));
        try (ChildJvm demo = startDemo("demo-ctrl-c", args, List.of("-Djava.io.tmpdir=" + demoTmp))) {
            awaitLog(demo, Pattern.compile("^  live   replayed", Pattern.MULTILINE), descendants);
            if (cached) {
                assertTrue(Files.readString(demo.log()).contains("reused cached bundle"), "the second run reuses the model");
            }
            descendants.addAll(liveDescendants(demo.pid()));
            assertTrue(descendants.size() >= 2, "the features job and the scoring app run in their own JVMs: " + descendants);
            // A suite started in the background of a non-interactive shell (nohup …&) hands its children
            // SIGINT ignored, and a JVM started so keeps ignoring it: there the test sends SIGTERM, which
            // runs the same shutdown path (JVM shutdown hooks). A terminal's Ctrl-C always finds SIGINT live.
            String signal = ignoresSigint(demo.pid()) ? "-TERM" : "-INT";
            LOG.info("stopping the demo (pid {}) with kill {}", demo.pid(), signal);
            Process kill = new ProcessBuilder("kill", signal, Long.toString(demo.pid())).start();
            assertTrue(kill.waitFor(10, TimeUnit.SECONDS) && kill.exitValue() == 0);
            int exit = demo.waitFor(Duration.ofSeconds(60));
            assertTrue(exit != 0, "interrupted, not finished");
        }
        assertNoneAlive(descendants);
        try (var left = Files.list(demoTmp)) {
            assertEquals(List.of(), left.map(p -> p.getFileName().toString()).toList(),
                    "the demo's temporary work directory is deleted on the way out");
        }
    }

    /** Whether the process ignores SIGINT (bit 2 of {@code SigIgn} in /proc/PID/status, Linux). */
    static boolean ignoresSigint(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith("SigIgn:")) {
                return (Long.parseUnsignedLong(line.substring("SigIgn:".length()).trim(), 16) & (1L << 1)) != 0;
            }
        }
        throw new IOException("no SigIgn line in /proc/" + pid + "/status");
    }

    private static List<String> golden() throws IOException {
        try (InputStream in = DemoCommandIT.class.getResourceAsStream(GOLDEN)) {
            if (in == null) {
                fail("missing test resource " + GOLDEN);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().filter(l -> !l.startsWith("#")).toList();
        }
    }

    private ChildJvm startDemo(String name, List<String> demoArgs) throws IOException {
        return startDemo(name, demoArgs, List.of());
    }

    private ChildJvm startDemo(String name, List<String> demoArgs, List<String> jvmOptions) throws IOException {
        Path jar = Path.of(System.getProperty("moerec.jobs.jar"));
        String classpath = jar + java.io.File.pathSeparator
                + Files.readString(Path.of(System.getProperty("moerec.jobs.classpath.file"))).trim();
        List<String> args = new ArrayList<>();
        args.add("demo");
        args.addAll(demoArgs);
        List<String> jvm = new ArrayList<>(List.of("-Xmx1g"));
        jvm.addAll(jvmOptions);
        jvm.addAll(List.of("-cp", classpath));
        return ChildJvm.start(name, jvm, "io.moerec.jobs.cli.MoerecCli", args,
                Map.of(), tmp.resolve(name + ".log"));
    }

    /** Waits for {@code pattern} in the demo's output, noting its child processes meanwhile. */
    private static Matcher awaitLog(ChildJvm demo, Pattern pattern, Set<Long> descendants) throws Exception {
        long deadline = System.nanoTime() + RUN_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            Matcher m = pattern.matcher(Files.readString(demo.log()));
            if (m.find()) {
                return m;
            }
            if (!demo.isAlive()) {
                fail(demo.name() + " ended before printing " + pattern + ":\n" + demo.logTail(4000));
            }
            descendants.addAll(liveDescendants(demo.pid()));
            Thread.sleep(250);
        }
        throw new AssertionError("no " + pattern + " within " + RUN_TIMEOUT + ":\n" + demo.logTail(4000));
    }

    private static Set<Long> liveDescendants(long pid) {
        Set<Long> out = new HashSet<>();
        ProcessHandle.of(pid).ifPresent(p -> p.descendants().forEach(d -> out.add(d.pid())));
        return out;
    }

    private static void assertNoneAlive(Set<Long> pids) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        List<Long> alive = List.of();
        while (System.nanoTime() < deadline) {
            alive = pids.stream().filter(p -> ProcessHandle.of(p).map(ProcessHandle::isAlive).orElse(false)).toList();
            if (alive.isEmpty()) {
                return;
            }
            Thread.sleep(250);
        }
        fail("processes left behind: " + alive);
    }

    /** The page as a real browser renders it after its script ran: Debian's Chromium, headless. */
    private String renderInChromium(String url) throws Exception {
        Path chromium = Path.of("/usr/bin/chromium");
        assertTrue(Files.isExecutable(chromium), "Chromium is needed for the browser test: apt-get install chromium (.ci/run does)");
        Path profile = Files.createDirectories(tmp.resolve("chromium-profile"));
        Path dom = tmp.resolve("dom.html");
        Process p = new ProcessBuilder(chromium.toString(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--user-data-dir=" + profile, "--virtual-time-budget=4000", "--dump-dom", url)
                .redirectOutput(dom.toFile()).redirectError(tmp.resolve("chromium.log").toFile()).start();
        if (!p.waitFor(90, TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            fail("Chromium did not render " + url + " within 90 s");
        }
        assertEquals(0, p.exitValue(), Files.readString(tmp.resolve("chromium.log")));
        String html = Files.readString(dom);
        assertFalse(html.isBlank(), "Chromium printed no DOM: " + Files.readString(tmp.resolve("chromium.log")));
        return html;
    }
}
