package io.moerec.jobs.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** Renders a {@link BenchReport} as Markdown (for people and notes) and JSON (for tools); pure. */
public final class BenchReportWriter {

    /** Process names in the order the tables show them. */
    static final List<String> PROCESSES = List.of(Bench.FEATURES_JOB, Bench.SCORING_APP, Bench.PARENT);

    private BenchReportWriter() {
    }

    /** Writes {@code bench.md} and {@code bench.json} into {@code dir}; returns the Markdown file. */
    public static Path write(BenchReport r, Path dir) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("bench.json"), json(r), StandardCharsets.UTF_8);
        Path md = dir.resolve("bench.md");
        Files.writeString(md, markdown(r), StandardCharsets.UTF_8);
        return md;
    }

    public static String markdown(BenchReport r) {
        StringBuilder b = new StringBuilder();
        BenchReport.Setup s = r.setup();
        b.append("# moerec bench\n\n");
        b.append("- data: ").append(s.data()).append('\n');
        b.append(String.format(Locale.ROOT, "- history (training, warm-up) %,d events; live part %,d events; warm-up drained in %.1f s%n",
                s.historyEvents(), s.liveEvents(), s.warmUpSeconds()));
        b.append("- model: ").append(s.model()).append('\n');
        b.append("- machine: ").append(s.machine()).append('\n');
        b.append("- settings: ").append(s.settings()).append("\n\n");

        b.append("## Throughput and latency\n\n");
        b.append("| phase | offered ev/s | events | published ev/s | sustained ev/s | lists | lists/s | latency p50 ms | p99 ms | max ms | max features lag | max scoring lag | drained after load stopped, s | balanced |\n");
        b.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
        for (BenchReport.Phase p : r.phases()) {
            b.append(String.format(Locale.ROOT, "| %s | %s | %,d | %,.0f | %,.0f | %,d | %,.0f | %s | %s | %s | %,d | %,d | %.1f | %s |%n",
                    p.name(), rate(p.offeredRate()), p.events(), p.publishedPerSecond(), p.sustainedPerSecond(), p.lists(),
                    p.listsPerSecond(), ms(p.latency().p50()), ms(p.latency().p99()), ms(p.latency().max()),
                    p.maxFeaturesLag(), p.maxScoringLag(), p.recoverySeconds(), p.balanced() ? "yes" : "NO"));
        }
        b.append('\n');

        BenchReport.RoundTrip t = r.broker();
        b.append("## Raw broker, same records\n\n");
        b.append("| records | produce ev/s | consume ev/s | produce-then-consume ev/s |");
        r.phases().forEach(p -> b.append(" ").append(p.name()).append(" sustained / produce-then-consume |"));
        b.append('\n').append("|---:|---:|---:|---:|");
        r.phases().forEach(p -> b.append("---:|"));
        b.append('\n');
        b.append(String.format(Locale.ROOT, "| %,d | %,.0f | %,.0f | %,.0f |", t.records(), t.producePerSecond(), t.consumePerSecond(),
                t.roundTripPerSecond()));
        r.phases().forEach(p -> b.append(String.format(Locale.ROOT, " %.1f %% |", 100 * p.sustainedPerSecond() / t.roundTripPerSecond())));
        b.append("\n\n");

        for (BenchReport.Phase p : r.phases()) {
            if (p.endedByData()) {
                b.append(String.format(Locale.ROOT, "**%s ran out of events after %.1f s of the %.0f s asked**: a burst and its drain, "
                        + "not a sustained load; give more events (`--events`, `--load-events`) or fewer `--load-seconds`.%n%n",
                        p.name(), p.publishSeconds(), p.offerSeconds()));
            }
        }

        b.append("## CPU per 1,000 events\n\n");
        b.append("CPU ms (user + system, all threads) per 1,000 events of the phase.\n\n");
        b.append("| phase | events |");
        PROCESSES.forEach(name -> b.append(' ').append(name).append(" |"));
        b.append(" all |\n|---|---:|");
        PROCESSES.forEach(name -> b.append("---:|"));
        b.append("---:|\n");
        for (BenchReport.Phase p : r.phases()) {
            b.append(String.format(Locale.ROOT, "| %s | %,d |", p.name(), p.events()));
            double all = 0;
            for (String name : PROCESSES) {
                double v = p.cpuMsPerThousandEvents(name);
                all += Double.isNaN(v) ? 0 : v;
                b.append(' ').append(cpuMs(v)).append(" |");
            }
            b.append(' ').append(cpuMs(all)).append(" |\n");
        }
        b.append('\n');

        b.append("## CPU and memory\n\n");
        b.append("| phase | process | CPU s | cores (CPU s / drained s) | CPU ms per 1,000 events | peak RSS MiB (sampled) | RSS high-water MiB | max heap used MiB (sampled) |\n");
        b.append("|---|---|---:|---:|---:|---:|---:|---:|\n");
        for (BenchReport.Phase p : r.phases()) {
            for (String name : PROCESSES) {
                BenchReport.ProcessUse u = p.processes().get(name);
                if (u == null) {
                    continue;
                }
                b.append(String.format(Locale.ROOT, "| %s | %s | %.1f | %.2f | %s | %s | %s | %s |%n", p.name(), name, u.cpuSeconds(),
                        u.cpuSeconds() / p.drainedSeconds(), cpuMs(p.cpuMsPerThousandEvents(name)), mib(u.peakRssMiB()),
                        mib(u.hwmMiB()), mib(u.maxHeapMiB())));
            }
        }
        b.append('\n');

        b.append("## Over time\n\n");
        for (BenchReport.Phase p : r.phases()) {
            b.append("### ").append(p.name()).append("\n\n");
            b.append("| window s | lists | p50 ms | p99 ms | max ms | max features lag | max scoring lag | peak RSS MiB features / scoring / parent |\n");
            b.append("|---|---:|---:|---:|---:|---:|---:|---|\n");
            for (BenchReport.Window w : p.windows()) {
                b.append(String.format(Locale.ROOT, "| %.0f–%.0f | %,d | %s | %s | %s | %,d | %,d | %s / %s / %s |%n", w.fromSeconds(),
                        w.toSeconds(), w.latency().count(), ms(w.latency().p50()), ms(w.latency().p99()), ms(w.latency().max()),
                        w.maxFeaturesLag(), w.maxScoringLag(), mib(w.peakRssMiB().getOrDefault(Bench.FEATURES_JOB, -1L)),
                        mib(w.peakRssMiB().getOrDefault(Bench.SCORING_APP, -1L)), mib(w.peakRssMiB().getOrDefault(Bench.PARENT, -1L))));
            }
            b.append('\n');
        }

        BenchReport.FinalAccounting a = r.finalAccounting();
        b.append("## Accounting\n\n");
        b.append(String.format(Locale.ROOT, "%,d events = %,d features updates + %,d late + %,d dead letters; duplicate updates %,d: %s. "
                        + "Lists holding a movie watched before their trigger: %,d.%n%n", a.events(), a.featureUpdates(), a.late(),
                a.deadLetters(), a.duplicateUpdates(), a.balanced() ? "balanced" : "NOT BALANCED", a.listsWithWatchedMovies()));

        b.append("## What is measured\n\n");
        b.append("""
                - **latency**: from the replayer's publication of the triggering event (its Kafka record timestamp, \
                set by the producer when sent) to the moment the list it triggered became visible to a `read_committed` \
                consumer in the benchmark's JVM (that consumer's clock; same machine). Only lists carry a trigger, so an \
                event whose update was coalesced with a later one or whose list was suppressed (same movies as before) \
                adds no sample. HdrHistogram, 3 significant digits.
                - **sustained ev/s**: events of the phase over the time from its first publication until its last list \
                was visible; the phase counts as drained when every published event is accounted for (features update, \
                late or dead letter, read `read_committed`), the scoring app's group has no lag and the lists stopped \
                changing for 2 s.
                - **features lag** (backlog): events on `viewing-events` (end offsets) minus the features job's outputs \
                seen by the `read_committed` consumer (updates, late events, its dead letters): events not yet visible as \
                processed, so up to one checkpoint interval of events in an open transaction counts. (The job's consumer \
                group offsets are not used: Flink commits them only with checkpoints and they were seen to stay stale.) \
                **scoring lag**: the scoring app's consumer-group lag on `user-features` against `read_committed` end \
                offsets. Both sampled every sample interval.
                - **CPU**: `ProcessHandle.info().totalCpuDuration()` deltas over the phase (user + system, all threads), \
                from the phase's start until it drained. The parent runs the broker, the replayer and the monitoring \
                consumer. **CPU per 1,000 events**: a process's CPU over the phase × 1,000 / the phase's events, in ms; \
                what an event costs each process, idle time included (at a low rate, timers and polling weigh more).
                - **settling** (`--settle`, default 20 s): the first events of the live part at the fixed rate, a \
                phase of its own before the fixed-rate phase. A trickle runs code paths (small polls, a transaction \
                per checkpoint, a punctuation per interval) that the warm-up's full-speed replay did not, and the JIT \
                compiling them was seen to load both cores for about 10 s; what a freshly started engine shows is in \
                this row, the fixed-rate row is the settled engine.
                - **max-load offered for S s** (`--load-seconds`): the replayer publishes as fast as it can for S s (or \
                until the live part or `--load-events` runs out); the phase then runs until drained. A phase that ran \
                out of events before 90 % of S is flagged: it measured a burst, not a sustained load.
                - **memory**: `VmRSS` (sampled) and `VmHWM` from `/proc/<pid>/status` (native memory such as RocksDB's \
                included); heap used from `jstat -gc` (survivor + eden + old used) once per window, parent's from \
                `Runtime`: samples of a sawtooth, not peaks.
                - **raw broker**: the same events produced by the replayer with the same producer settings (data-set \
                parsing included) to a fresh 4-partition topic until acknowledged, then read back by one consumer as \
                bytes; before the pipeline started, so on a quiet broker.
                """);
        return b.toString();
    }

    public static String json(BenchReport r) {
        ObjectMapper m = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode root = m.valueToTree(r);
        ObjectNode broker = (ObjectNode) root.get("broker");
        broker.put("producePerSecond", r.broker().producePerSecond());
        broker.put("consumePerSecond", r.broker().consumePerSecond());
        broker.put("roundTripPerSecond", r.broker().roundTripPerSecond());
        ArrayNode phases = (ArrayNode) root.get("phases");
        for (int i = 0; i < r.phases().size(); i++) {
            BenchReport.Phase p = r.phases().get(i);
            ObjectNode n = (ObjectNode) phases.get(i);
            if (Double.isInfinite(p.offeredRate())) {
                n.putNull("offeredRate");
            }
            n.put("sustainedPerSecond", p.sustainedPerSecond());
            n.put("publishedPerSecond", p.publishedPerSecond());
            n.put("listsPerSecond", p.listsPerSecond());
            n.put("shareOfBrokerRoundTrip", p.sustainedPerSecond() / r.broker().roundTripPerSecond());
            n.put("endedByData", p.endedByData());
            ObjectNode cpu = n.putObject("cpuMsPerThousandEvents");
            for (String name : PROCESSES) {
                double v = p.cpuMsPerThousandEvents(name);
                if (Double.isNaN(v)) {
                    cpu.putNull(name);
                } else {
                    cpu.put(name, v);
                }
            }
        }
        try {
            return m.writeValueAsString(root) + "\n";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String rate(double r) {
        return Double.isInfinite(r) ? "max" : String.format(Locale.ROOT, "%,.0f", r);
    }

    private static String cpuMs(double v) {
        return Double.isNaN(v) ? "–" : String.format(Locale.ROOT, "%,.0f", v);
    }

    private static String ms(long v) {
        return v < 0 ? "–" : String.format(Locale.ROOT, "%,d", v);
    }

    private static String mib(long v) {
        return v < 0 ? "–" : String.format(Locale.ROOT, "%,d", v);
    }
}
