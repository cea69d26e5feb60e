package io.moerec.jobs.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * JDK Flight Recorder recordings of running JVMs, started and stopped from outside with {@code jcmd}
 * ({@code JFR.start} with the {@code profile} settings, {@code JFR.stop} writing the file), so a
 * benchmark can profile exactly one phase of each process. Best effort: a failure is logged, never thrown.
 */
final class FlightRecordings implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(FlightRecordings.class);
    private static final String NAME = "moerec-bench";

    private final Map<Long, Path> running = new LinkedHashMap<>();

    /** Starts a recording of each process ({@code name → pid}) that {@link #close} writes to {@code dir/<name>-<phase>.jfr}. */
    static FlightRecordings start(Map<String, Long> processes, Path dir, String phase) throws IOException {
        Files.createDirectories(dir);
        FlightRecordings r = new FlightRecordings();
        processes.forEach((name, pid) -> {
            Path file = dir.resolve(name.replaceAll("[^A-Za-z0-9-]+", "-").replaceAll("-+$", "") + "-" + phase + ".jfr").toAbsolutePath();
            if (jcmd(pid, "JFR.start", "name=" + NAME, "settings=profile", "filename=" + file)) {
                r.running.put(pid, file);
            }
        });
        return r;
    }

    /** The recordings' files, once {@link #close} wrote them. */
    List<Path> files() {
        return List.copyOf(running.values());
    }

    /** Stops every recording, writing its file. */
    @Override
    public void close() {
        running.forEach((pid, file) -> {
            if (jcmd(pid, "JFR.stop", "name=" + NAME, "filename=" + file)) {
                LOG.info("flight recording of pid {} written to {}", pid, file);
            }
        });
    }

    private static boolean jcmd(long pid, String... command) {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        List<String> cmd = new ArrayList<>(List.of(jcmd.toString(), Long.toString(pid)));
        cmd.addAll(List.of(command));
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                LOG.warn("{} failed: {}", String.join(" ", cmd), out.strip());
                return false;
            }
            return true;
        } catch (IOException e) {
            LOG.warn("{} failed: {}", String.join(" ", cmd), e.toString());
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
