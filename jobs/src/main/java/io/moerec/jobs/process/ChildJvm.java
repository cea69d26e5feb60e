package io.moerec.jobs.process;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Java child process started by a test, its standard output and error appended to a log file.
 * {@link #close()} stops it for sure: a polite SIGTERM first (so a Flink process runs its shutdown
 * hooks and deletes its temporary files), then, past a deadline, a kill of the process and any
 * descendants; it returns only once nothing of it is left running or throws if that cannot be had.
 */
public final class ChildJvm implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ChildJvm.class);
    private static final Duration POLITE_STOP = Duration.ofSeconds(15);
    private static final Duration FORCED_STOP = Duration.ofSeconds(10);

    /** The module openings Flink's own distribution gives its JVMs on Java 17 (its {@code config.yaml} {@code env.java.opts.all}). */
    public static final List<String> FLINK_JAVA_17_OPTIONS = List.of(
            "--add-exports=java.base/sun.net.util=ALL-UNNAMED",
            "--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED",
            "--add-exports=jdk.compiler/com.sun.tools.javac.api=ALL-UNNAMED",
            "--add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED",
            "--add-exports=jdk.compiler/com.sun.tools.javac.parser=ALL-UNNAMED",
            "--add-exports=jdk.compiler/com.sun.tools.javac.tree=ALL-UNNAMED",
            "--add-exports=jdk.compiler/com.sun.tools.javac.util=ALL-UNNAMED",
            "--add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED",
            "--add-opens=java.base/java.lang=ALL-UNNAMED",
            "--add-opens=java.base/java.net=ALL-UNNAMED",
            "--add-opens=java.base/java.io=ALL-UNNAMED",
            "--add-opens=java.base/java.nio=ALL-UNNAMED",
            "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
            "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
            "--add-opens=java.base/java.text=ALL-UNNAMED",
            "--add-opens=java.base/java.time=ALL-UNNAMED",
            "--add-opens=java.base/java.util=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED");


    private final String name;
    private final Process process;
    private final Path log;

    private ChildJvm(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
    }

    /**
     * {@code classpath} without the entries whose path contains any of {@code fragments}: used to keep
     * one of the two RocksDB builds out of a child JVM (Flink's frocksdbjni and Kafka Streams' rocksdbjni both ship org.rocksdb.*; with both on one classpath incremental Flink checkpoints fail).
     */
    public static String classpathWithout(String classpath, String... fragments) {
        return Arrays.stream(classpath.split(File.pathSeparator))
                .filter(entry -> Arrays.stream(fragments).noneMatch(entry::contains))
                .collect(Collectors.joining(File.pathSeparator));
    }

    /** The running JVM's own {@code java} executable. */
    public static String javaExecutable() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** Starts {@code java <jvmArgs> <mainClass> <args>}; output goes to {@code log}. */
    public static ChildJvm start(String name, List<String> jvmArgs, String mainClass, List<String> args,
                          Map<String, String> environment, Path log) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(javaExecutable());
        command.addAll(jvmArgs);
        command.add(mainClass);
        command.addAll(args);
        Files.createDirectories(log.getParent());
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().putAll(environment);
        Process p = pb.start();
        LOG.info("started {} (pid {}), output in {}", name, p.pid(), log);
        return new ChildJvm(name, p, log);
    }

    public String name() {
        return name;
    }

    public Path log() {
        return log;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public long pid() {
        return process.pid();
    }

    /** Waits for the process to end by itself and returns its exit code. */
    public int waitFor(Duration deadline) throws InterruptedException, TimeoutException {
        if (!process.waitFor(deadline.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new TimeoutException(name + " did not finish within " + deadline + "; see " + log);
        }
        return process.exitValue();
    }

    /** The end of the log, for failure messages. */
    public String logTail(int maxChars) {
        try {
            String s = Files.readString(log);
            return s.length() <= maxChars ? s : "..." + s.substring(s.length() - maxChars);
        } catch (IOException e) {
            return "(log unreadable: " + e + ")";
        }
    }

    @Override
    public void close() {
        List<ProcessHandle> descendants = process.descendants().toList();
        if (process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(POLITE_STOP.toMillis(), TimeUnit.MILLISECONDS)) {
                    LOG.warn("{} (pid {}) ignored SIGTERM for {}; killing it", name, process.pid(), POLITE_STOP);
                    process.destroyForcibly();
                    process.waitFor(FORCED_STOP.toMillis(), TimeUnit.MILLISECONDS);
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        for (ProcessHandle d : descendants) {
            d.destroyForcibly();
        }
        if (process.isAlive()) {
            throw new IllegalStateException(name + " (pid " + process.pid() + ") is still running after a forced kill");
        }
        LOG.info("{} (pid {}) stopped, exit code {}", name, process.pid(), process.exitValue());
    }

    /** Last resort for a JVM shutdown hook: no waiting, no logging. */
    public void kill() {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }
}
