package io.moerec.it.cluster;

import io.moerec.jobs.net.LoopbackPorts;

import com.fasterxml.jackson.databind.JsonNode;
import io.moerec.jobs.process.ChildJvm;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real multi-process Flink standalone session cluster started from Maven jars, the way
 * {@code bin/start-cluster.sh} of a Flink distribution starts one: a generated {@code config.yaml}
 * (everything bound to 127.0.0.1 on free ports, one TaskManager with two slots, small memory), JVM
 * memory options computed by Flink's own {@code BashJavaUtils}, the Java 17 module options of
 * flink-dist's default configuration, then a JobManager
 * ({@code StandaloneSessionClusterEntrypoint}) and a TaskManager ({@code TaskManagerRunner}) as
 * child JVMs. {@link #start} returns once the REST endpoint reports the TaskManager's slots.
 * {@link #submit} runs Flink's command-line client ({@code CliFrontend run -d}) in a further child
 * JVM with {@code FLINK_CONF_DIR} set. The classpath given is the cluster's {@code lib/}: it must hold
 * Flink only, so that a job jar proves it brings everything else. Every child's output goes to a
 * file under the work directory. {@link #close} stops every child (also from a JVM shutdown hook if
 * the test JVM exits first) and fails if one cannot be stopped.
 */
public final class FlinkSessionCluster implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(FlinkSessionCluster.class);

    /** flink-dist's default {@code env.java.opts.all}: what Flink needs opened on Java 17. */

    static final String HOST = LoopbackPorts.HOST;
    static final int SLOTS = 2;
    private static final String BASH_JAVA_UTILS = "org.apache.flink.runtime.util.bash.BashJavaUtils";
    private static final String RESULT_PREFIX = "BASH_JAVA_UTILS_EXEC_RESULT:";
    private static final Pattern JOB_ID = Pattern.compile("JobID ([0-9a-f]{32})");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path workDir;
    private final Path confDir;
    private final Path logDir;
    private final String classpath;
    private final int restPort;
    private final List<ChildJvm> children = new ArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final Thread shutdownHook;

    private FlinkSessionCluster(Path workDir, List<Path> classpath, int restPort) {
        this.workDir = workDir;
        this.confDir = workDir.resolve("conf");
        this.logDir = workDir.resolve("log");
        this.classpath = classpath.stream().map(Path::toString).collect(Collectors.joining(java.io.File.pathSeparator));
        this.restPort = restPort;
        this.shutdownHook = new Thread(this::killAll, "flink-session-cluster-killer");
    }

    /**
     * Writes the configuration under {@code workDir}, starts the JobManager and the TaskManager and
     * waits until the REST endpoint lists the TaskManager with its slots.
     */
    public static FlinkSessionCluster start(Path workDir, List<Path> classpath, Duration deadline) throws Exception {
        long deadlineNanos = System.nanoTime() + deadline.toNanos();
        int[] ports = LoopbackPorts.free(2, 0);
        int rpcPort = ports[0];
        int restPort = ports[1];
        FlinkSessionCluster cluster = new FlinkSessionCluster(workDir, classpath, restPort);
        Runtime.getRuntime().addShutdownHook(cluster.shutdownHook);
        try {
            cluster.writeConfiguration(rpcPort);
            // Both computations read the same config.yaml; run them side by side (a JVM start each).
            CompletableFuture<List<List<String>>> jm = CompletableFuture.supplyAsync(() -> cluster.resourceParams("GET_JM_RESOURCE_PARAMS"));
            CompletableFuture<List<List<String>>> tm = CompletableFuture.supplyAsync(() -> cluster.resourceParams("GET_TM_RESOURCE_PARAMS"));
            cluster.startProcess("jobmanager", jm.join(), "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint");
            cluster.startProcess("taskmanager", tm.join(), "org.apache.flink.runtime.taskexecutor.TaskManagerRunner");
            cluster.awaitSlots(deadlineNanos);
            return cluster;
        } catch (Exception | Error e) {
            try {
                cluster.close();
            } catch (RuntimeException stop) {
                e.addSuppressed(stop);
            }
            throw e;
        }
    }

    private void writeConfiguration(int rpcPort) throws IOException {
        Files.createDirectories(confDir);
        Files.createDirectories(logDir);
        Path tmp = Files.createDirectories(workDir.resolve("tmp"));
        Map<String, String> c = new LinkedHashMap<>();
        c.put("jobmanager.rpc.address", HOST);
        c.put("jobmanager.rpc.port", Integer.toString(rpcPort));
        c.put("jobmanager.bind-host", HOST);
        c.put("jobmanager.memory.process.size", "768m");
        c.put("jobmanager.execution.failover-strategy", "region");
        c.put("taskmanager.bind-host", HOST);
        c.put("taskmanager.host", HOST);
        c.put("taskmanager.numberOfTaskSlots", Integer.toString(SLOTS));
        c.put("taskmanager.memory.process.size", "1280m");
        // RocksDB needs little here; the rest goes to the task heap (Kafka clients' buffers).
        c.put("taskmanager.memory.managed.size", "128m");
        c.put("parallelism.default", Integer.toString(SLOTS));
        c.put("rest.address", HOST);
        c.put("rest.bind-address", HOST);
        c.put("rest.port", Integer.toString(restPort));
        c.put("io.tmp.dirs", tmp.toString());
        c.put("blob.storage.directory", tmp.toString());
        // A job that cannot run (e.g. a class missing from its jar) must fail, not restart for ever.
        c.put("restart-strategy.type", "fixed-delay");
        c.put("restart-strategy.fixed-delay.attempts", "2");
        c.put("restart-strategy.fixed-delay.delay", "1 s");
        c.put("env.java.opts.all", String.join(" ", ChildJvm.FLINK_JAVA_17_OPTIONS));
        StringBuilder yaml = new StringBuilder("# Written by FlinkSessionCluster (moerec integration tests).\n");
        c.forEach((k, v) -> yaml.append(k).append(": ").append(quote(v)).append('\n'));
        Files.writeString(confDir.resolve("config.yaml"), yaml.toString(), StandardCharsets.UTF_8);
        String log4j = String.join("\n",
                "rootLogger.level = INFO",
                "rootLogger.appenderRef.console.ref = console",
                "appender.console.name = console",
                "appender.console.type = Console",
                "appender.console.layout.type = PatternLayout",
                "appender.console.layout.pattern = %d{HH:mm:ss.SSS} %-5p [%t] %c{1} - %m%n",
                "logger.kafka.name = org.apache.kafka",
                "logger.kafka.level = WARN",
                "");
        Files.writeString(confDir.resolve("log4j-console.properties"), log4j, StandardCharsets.UTF_8);
    }

    private static String quote(String v) {
        return v.matches("[A-Za-z0-9._/:-]+") ? v : "\"" + v.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    /** BashJavaUtils' two result lines: JVM memory options, then {@code -D key=value} dynamic properties. */
    private List<List<String>> resourceParams(String command) {
        try {
            Path log = logDir.resolve("bash-java-utils-" + command.toLowerCase(java.util.Locale.ROOT) + ".log");
            ChildJvm p = ChildJvm.start(command, List.of("-cp", classpath, "-Dlog4j.configurationFile=" + confDir.resolve("log4j-console.properties").toUri()),
                    BASH_JAVA_UTILS, List.of(command, "--configDir", confDir.toString()), Map.of(), log);
            int exit;
            try (p) {
                exit = p.waitFor(Duration.ofSeconds(60));
            }
            List<String> results = Files.readAllLines(log).stream().filter(l -> l.startsWith(RESULT_PREFIX))
                    .map(l -> l.substring(RESULT_PREFIX.length()).trim()).toList();
            if (exit != 0 || results.size() != 2) {
                throw new IllegalStateException(command + " exited with " + exit + " and " + results.size()
                        + " result lines instead of 2:\n" + p.logTail(4000));
            }
            return results.stream().map(r -> r.isEmpty() ? List.<String>of() : Arrays.asList(r.split("\\s+"))).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException | TimeoutException e) {
            throw new IllegalStateException(command + " failed", e);
        }
    }

    private void startProcess(String name, List<List<String>> params, String mainClass) throws IOException {
        List<String> jvm = new ArrayList<>(params.get(0));
        jvm.addAll(ChildJvm.FLINK_JAVA_17_OPTIONS);
        jvm.add("-Dlog.file=" + logDir.resolve(name + ".log"));
        jvm.add("-Dlog4j.configurationFile=" + confDir.resolve("log4j-console.properties").toUri());
        jvm.add("-cp");
        jvm.add(classpath);
        List<String> args = new ArrayList<>(List.of("--configDir", confDir.toString()));
        args.addAll(params.get(1));
        synchronized (children) {
            children.add(ChildJvm.start(name, jvm, mainClass, args, Map.of(), logDir.resolve(name + ".log")));
        }
    }

    private void awaitSlots(long deadlineNanos) throws Exception {
        JsonNode overview = null;
        while (System.nanoTime() < deadlineNanos) {
            for (ChildJvm c : children) {
                if (!c.isAlive()) {
                    throw new IllegalStateException(c.name() + " exited during start-up:\n" + c.logTail(6000));
                }
            }
            overview = getJson("/overview");
            if (overview != null && overview.path("taskmanagers").asInt() >= 1 && overview.path("slots-total").asInt() >= SLOTS) {
                LOG.info("Flink {} session cluster up at {}: {}", overview.path("flink-version").asText(), restUri(), overview);
                return;
            }
            Thread.sleep(200); // polling interval, not a wait for a condition
        }
        throw new TimeoutException("the session cluster did not report " + SLOTS + " slots in time; last /overview: " + overview
                + "\n" + children.stream().map(c -> c.name() + ":\n" + c.logTail(3000)).collect(Collectors.joining("\n")));
    }

    public URI restUri() {
        return URI.create("http://" + HOST + ":" + restPort);
    }

    public Path confDir() {
        return confDir;
    }

    public Path logDir() {
        return logDir;
    }

    /**
     * Submits {@code jar} detached with Flink's command-line client ({@code flink run -d jar args})
     * in a child JVM on the cluster's classpath, with {@code FLINK_CONF_DIR} and {@code environment}
     * set, and returns the job id it reports.
     */
    public String submit(Path jar, List<String> programArgs, Map<String, String> environment, Duration deadline) throws Exception {
        List<String> jvm = new ArrayList<>(ChildJvm.FLINK_JAVA_17_OPTIONS);
        jvm.addAll(List.of("-Xmx256m", "-Dlog.file=" + logDir.resolve("flink-client.log"),
                "-Dlog4j.configurationFile=" + confDir.resolve("log4j-console.properties").toUri(), "-cp", classpath));
        List<String> args = new ArrayList<>(List.of("run", "-d", jar.toString()));
        args.addAll(programArgs);
        ChildJvm client = ChildJvm.start("flink-client", jvm, "org.apache.flink.client.cli.CliFrontend", args,
                env(environment), logDir.resolve("flink-client.log"));
        int exit;
        try (client) {
            exit = client.waitFor(deadline);
        }
        String out = Files.readString(client.log());
        Matcher m = JOB_ID.matcher(out);
        if (exit != 0 || !m.find()) {
            throw new IllegalStateException("flink run exited with " + exit + " without a job id:\n" + client.logTail(8000));
        }
        return m.group(1);
    }

    private Map<String, String> env(Map<String, String> environment) {
        Map<String, String> env = new LinkedHashMap<>(environment);
        env.put("FLINK_CONF_DIR", confDir.toString());
        return env;
    }

    /** The job's state as the REST API reports it ({@code RUNNING}, {@code FAILED}, ...), or null. */
    public String jobState(String jobId) {
        JsonNode job = getJson("/jobs/" + jobId);
        return job == null ? null : job.path("state").asText(null);
    }

    /** The root exception and history of a job, for failure messages. */
    public String jobExceptions(String jobId) {
        JsonNode ex = getJson("/jobs/" + jobId + "/exceptions");
        return ex == null ? "(none)" : ex.toPrettyString();
    }

    private static final java.util.Set<String> TERMINAL = java.util.Set.of("CANCELED", "FAILED", "FINISHED");

    /**
     * Cancels a job through the REST API and waits until it is CANCELED; a job already in a
     * terminal state (FAILED, FINISHED, CANCELED) is left as it is. Returns the final state.
     */
    public String cancel(String jobId, Duration deadline) throws Exception {
        String before = jobState(jobId);
        if (before != null && TERMINAL.contains(before)) {
            return before;
        }
        HttpRequest req = HttpRequest.newBuilder(restUri().resolve("/jobs/" + jobId + "?mode=cancel"))
                .method("PATCH", HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofSeconds(10)).build();
        HttpResponse<String> resp = http.send(req, HttpResponse.BodyHandlers.ofString());
        if (resp.statusCode() / 100 != 2) {
            String now = jobState(jobId);
            if (now != null && TERMINAL.contains(now)) {
                return now; // it ended by itself meanwhile
            }
            throw new IllegalStateException("cancel of " + jobId + " answered " + resp.statusCode() + ": " + resp.body());
        }
        long end = System.nanoTime() + deadline.toNanos();
        String state = jobState(jobId);
        while (!"CANCELED".equals(state) && System.nanoTime() < end) {
            Thread.sleep(100); // polling interval
            state = jobState(jobId);
        }
        if (!"CANCELED".equals(state)) {
            throw new TimeoutException("job " + jobId + " is " + state + " " + deadline + " after cancel");
        }
        return state;
    }

    /** The REST answer as JSON, or null when the endpoint is not (yet) reachable or answers an error. */
    public JsonNode getJson(String path) {
        try {
            HttpResponse<String> resp = http.send(HttpRequest.newBuilder(restUri().resolve(path)).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return resp.statusCode() == 200 ? JSON.readTree(resp.body()) : null;
        } catch (ConnectException e) {
            return null;
        } catch (IOException e) {
            LOG.debug("GET {} failed: {}", path, e.toString());
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The child JVMs still running (for tests that check nothing is left behind). */
    public List<Long> runningPids() {
        synchronized (children) {
            return children.stream().filter(ChildJvm::isAlive).map(ChildJvm::pid).toList();
        }
    }

    /** Stops the TaskManager, then the JobManager; throws if any child survives a forced kill. */
    @Override
    public void close() {
        List<ChildJvm> reversed;
        synchronized (children) {
            reversed = new ArrayList<>(children);
        }
        java.util.Collections.reverse(reversed);
        RuntimeException failure = null;
        for (ChildJvm c : reversed) {
            try {
                c.close();
            } catch (RuntimeException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException e) {
            // the JVM is already shutting down: the hook runs anyway and kills what is left
        }
        if (failure != null) {
            throw failure;
        }
    }

    private void killAll() {
        synchronized (children) {
            children.forEach(ChildJvm::kill);
        }
    }

}
