package io.moerec.jobs.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the operating system and the JVM tell about one process, read without touching it: CPU time
 * ({@link ProcessHandle.Info#totalCpuDuration}, user + system, all threads), resident set size and its
 * peak ({@code VmRSS} and {@code VmHWM} of {@code /proc/<pid>/status}, Linux only; they include native
 * memory such as RocksDB's), and the Java heap in use as {@code jstat -gc} reads it from the JVM's
 * performance counters (survivor + eden + old used; a sawtooth: a sample, not a peak).
 */
final class ProcessProbe {

    private static final Logger LOG = LoggerFactory.getLogger(ProcessProbe.class);

    private ProcessProbe() {
    }

    /** CPU seconds the process has used so far; NaN when the platform does not say. */
    static double cpuSeconds(ProcessHandle p) {
        return p.info().totalCpuDuration().map(d -> d.toNanos() / 1e9).orElse(Double.NaN);
    }

    /** {@code VmRSS} in KiB, if readable. */
    static OptionalLong rssKiB(long pid) {
        return statusField(pid, "VmRSS:");
    }

    /** {@code VmHWM} (peak resident set since the process started) in KiB, if readable. */
    static OptionalLong peakRssKiB(long pid) {
        return statusField(pid, "VmHWM:");
    }

    static OptionalLong statusField(long pid, String field) {
        try {
            return parseStatusField(Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"), StandardCharsets.US_ASCII), field);
        } catch (IOException | RuntimeException e) {
            return OptionalLong.empty();
        }
    }

    /** The KiB value of {@code field} ("VmRSS:") in the lines of a {@code /proc/<pid>/status} file. */
    static OptionalLong parseStatusField(List<String> lines, String field) {
        for (String line : lines) {
            if (line.startsWith(field)) {
                String[] parts = line.substring(field.length()).trim().split("\\s+");
                return OptionalLong.of(Long.parseLong(parts[0]));
            }
        }
        return OptionalLong.empty();
    }

    /** Heap in use in KiB per {@code jstat -gc <pid>}, or empty when jstat is missing or fails. */
    static OptionalLong heapUsedKiB(long pid) {
        Path jstat = Path.of(System.getProperty("java.home"), "bin", "jstat");
        if (!Files.isExecutable(jstat)) {
            return OptionalLong.empty();
        }
        try {
            Process p = new ProcessBuilder(jstat.toString(), "-gc", Long.toString(pid)).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            if (!p.waitFor(Duration.ofSeconds(10).toMillis(), TimeUnit.MILLISECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                return OptionalLong.empty();
            }
            return parseJstatHeapUsed(out);
        } catch (IOException e) {
            LOG.debug("jstat failed for pid {}: {}", pid, e.toString());
            return OptionalLong.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return OptionalLong.empty();
        }
    }

    /** S0U + S1U + EU + OU (KiB) from {@code jstat -gc} output: a header line and a value line. */
    static OptionalLong parseJstatHeapUsed(String out) {
        String[] lines = out.strip().split("\\R");
        if (lines.length < 2) {
            return OptionalLong.empty();
        }
        List<String> head = List.of(lines[0].trim().split("\\s+"));
        String[] values = lines[1].trim().split("\\s+");
        double used = 0;
        for (String col : List.of("S0U", "S1U", "EU", "OU")) {
            int i = head.indexOf(col);
            if (i < 0 || i >= values.length) {
                return OptionalLong.empty();
            }
            used += Double.parseDouble(values[i]);
        }
        return OptionalLong.of(Math.round(used));
    }
}
