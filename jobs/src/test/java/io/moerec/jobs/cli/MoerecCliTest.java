package io.moerec.jobs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

class MoerecCliTest {

    /** Exit code, standard output and standard error of one run. */
    record Run(int exit, String out, String err) {
    }

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = MoerecCli.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int exit = cl.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "--help|demo,generate,broker,replay,catalog,features,score,trainer,model",
            "features --help|--config,--set,--java-options",
            "score --help|--config,--set",
            "trainer --help|--config,--set",
            "model --help|list,announce,rollback",
            "model rollback --help|VERSION,--store,--bootstrap,--topic",
            "demo --help|--movielens,--events,--users,--seed,--speed,--live-seconds,--cut,--router,--model-cache,--ui,--port,--work-dir,--retrain-every",
            "generate --help|DIR,--seed,--users,--movies,--events,--clusters,--start,--span-days",
            "broker --help|--port,--data-dir,create-topics",
            "replay --help|--bootstrap,--topic,--speed,--dlq-topic,--format,--max-record-bytes,FILE|DIR",
            "catalog --help|load",
            "catalog load --help|--bootstrap,--topic,--dlq-topic,--format"})
    void helpExitsZeroAndNamesTheOptions(String args, String mentions) {
        Run r = run(args.split(" "));
        assertEquals(0, r.exit(), r.err());
        for (String m : mentions.split(",")) {
            assertTrue(r.out().contains(m), "help of '" + args + "' mentions " + m + ":\n" + r.out());
        }
    }

    /**
     * Every command's help, sub-commands included, prints nothing on standard error. Picocli formats
     * descriptions with String.format and, on a lone '%' (which must be written '%%'), warns on the
     * JVM's System.err rather than the command line's error writer: both are watched.
     */
    @Test
    void helpOfEveryCommandPrintsNoWarning() {
        List<List<String>> paths = new ArrayList<>();
        commandPaths(MoerecCli.commandLine(), new ArrayList<>(), paths);
        assertTrue(paths.size() > 10, "found the sub-commands: " + paths);
        PrintStream jvmErr = System.err;
        for (List<String> path : paths) {
            ByteArrayOutputStream captured = new ByteArrayOutputStream();
            List<String> args = new ArrayList<>(path);
            args.add("--help");
            Run r;
            System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
            try {
                r = run(args.toArray(String[]::new));
            } finally {
                System.setErr(jvmErr);
            }
            String label = "moerec " + String.join(" ", args);
            assertEquals(0, r.exit(), label + ": " + r.err());
            assertEquals("", r.err(), label);
            assertEquals("", captured.toString(StandardCharsets.UTF_8), label);
        }
    }

    /** The argument paths of {@code cl} and all its sub-commands below {@code prefix} (the root: empty). */
    static void commandPaths(CommandLine cl, List<String> prefix, List<List<String>> out) {
        out.add(List.copyOf(prefix));
        for (Map.Entry<String, CommandLine> sub : cl.getSubcommands().entrySet()) {
            if (sub.getValue().getCommandSpec().name().equals(sub.getKey())) { // aliases once
                List<String> path = new ArrayList<>(prefix);
                path.add(sub.getKey());
                commandPaths(sub.getValue(), path, out);
            }
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "replay data --bootstrap localhost:9092 --speed -1|--speed",
            "replay data --bootstrap localhost:9092 --speed 0|--speed",
            "replay data --bootstrap localhost:9092 --speed fast|--speed",
            "replay data|--bootstrap",
            "replay data --bootstrap localhost:9092 --max-record-bytes 255|--max-record-bytes",
            "replay data --bootstrap localhost:9092 --max-record-bytes 99999999999|--max-record-bytes",
            "replay data --bootstrap localhost:9092 --max-record-bytes 64k|--max-record-bytes",
            "broker --port 70000|--port",
            "broker --port -3|--port",
            "broker --port x|--port",
            "catalog load|DIR",
            "generate out --users 0|users",
            "generate out --events x|--events",
            "demo --port 70000|--port",
            "demo --speed -2|--speed",
            "demo --live-seconds 0|--live-seconds",
            "demo --cut 1.5|--cut",
            "demo --retrain-every 0|--retrain-every",
            "demo --router nope|nope",
            "replay data --bootstrap b --nope|--nope"})
    void aBadFlagStopsWithItsName(String args, String flag) {
        Run r = run(args.split(" "));
        assertEquals(2, r.exit(), r.out() + r.err());
        assertTrue(r.err().contains(flag), "message names " + flag + ":\n" + r.err());
    }

    @Test
    void versionIsTheBuildsVersionEvenFromClassDirectories() {
        Run r = run("--version");
        assertEquals(0, r.exit(), r.err());
        // Tests run from target/classes, as the launcher does: the version comes from the filtered resource.
        assertTrue(r.out().trim().matches("moerec \\d+\\.\\d+\\.\\d+(-SNAPSHOT)?"), r.out());
    }

    @Test
    void scoreStopsOnABadSettingNamingItsKey() {
        Run r = run("score", "-s", "bootstrap.servers=127.0.0.1:1", "-s", "model.path=/nowhere", "-s", "top-n=0");
        assertNotEquals(0, r.exit());
        assertTrue(r.err().contains("top-n"), r.err());
        Run missing = run("score", "-s", "bootstrap.servers=127.0.0.1:1");
        assertTrue(missing.err().contains("model.path"), missing.err());
    }

    @Test
    void featuresStopsOnABadKeyWithOneLineNamingIt() {
        Run r = run("features", "-s", "bootstrap.servers=127.0.0.1:1", "-s", "max-paralelism=4");
        assertEquals(2, r.exit(), r.err());
        assertTrue(r.err().contains("max-paralelism"), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        Run missing = run("features");
        assertEquals(2, missing.exit(), missing.err());
        assertTrue(missing.err().contains("bootstrap.servers"), missing.err());
    }

    @Test
    void featuresRunsTheJobInAJvmWithoutKafkaStreamsRocksDb(@TempDir Path dir) throws Exception {
        FeaturesCommand c = new FeaturesCommand();
        c.configFile = dir.resolve("f.properties");
        c.settings.put("bootstrap.servers", "b:9092");
        String sep = java.io.File.pathSeparator;
        List<String> command = c.command(String.join(sep, "/m2/org/rocksdb/rocksdbjni-9.jar", "/m2/com/ververica/frocksdbjni-8.jar", "/app.jar"));
        String cp = command.get(command.indexOf("-cp") + 1);
        assertEquals(String.join(sep, "/m2/com/ververica/frocksdbjni-8.jar", "/app.jar"), cp);
        assertTrue(command.contains("--add-opens=java.base/java.util=ALL-UNNAMED"), command.toString());
        assertEquals(List.of("io.moerec.jobs.features.FeaturesJob", "--config", c.configFile.toString(), "-s", "bootstrap.servers=b:9092"),
                command.subList(command.indexOf("io.moerec.jobs.features.FeaturesJob"), command.size()));
        // The child JVM really starts the job: here it stops at the start-up Kafka check (nobody on port 1).
        Run r = run("features", "-s", "bootstrap.servers=127.0.0.1:1", "-s", "startup.kafka-check-timeout-ms=1000");
        assertNotEquals(0, r.exit());
    }

    @Test
    void aPathThatIsNoDataSetFailsNamingIt(@TempDir Path dir) {
        Run r = run("replay", dir.toString(), "--bootstrap", "127.0.0.1:1", "--no-create-topics");
        assertNotEquals(0, r.exit());
        assertTrue(r.err().contains(dir.toString()) && r.err().contains("events.jsonl"), r.err());
        Run f = run("replay", dir.toString(), "--bootstrap", "127.0.0.1:1", "--format", "ml-100k");
        assertTrue(f.err().contains("ml-100k") && f.err().contains("u.data"), f.err());
    }

    @Test
    void theProgressLineShowsRateAndEta() {
        var p = new io.moerec.ingest.replay.ReplayProgress(500, 490, 5, java.time.Duration.ofSeconds(1), 1000);
        String bar = ProgressPrinter.line(p, true);
        assertTrue(bar.startsWith("[###############...............]  50%"), bar);
        assertTrue(bar.contains("500 events/s") && bar.contains("ETA 0:01"), bar);
        StringWriter w = new StringWriter();
        new ProgressPrinter(new PrintWriter(w), false).onProgress(p);
        assertEquals(List.of("replay:  50% 500 read, 490 sent, 5 rejected, 500 events/s, ETA 0:01"), w.toString().lines().toList());
    }

    @Test
    void onATerminalTheLineIsRedrawnInPlaceAndEndedOnce() {
        var p = new io.moerec.ingest.replay.ReplayProgress(10, 10, 0, java.time.Duration.ofSeconds(1), -1);
        StringWriter w = new StringWriter();
        ProgressPrinter printer = new ProgressPrinter(new PrintWriter(w), true);
        printer.onProgress(p);
        printer.onProgress(p);
        printer.done();
        printer.done();
        String s = w.toString();
        assertEquals(2, s.chars().filter(c -> c == '\r').count());
        assertTrue(s.endsWith(System.lineSeparator()) && s.indexOf('\n') == s.length() - 1, s);
        assertTrue(!s.contains("ETA") && !s.contains("%"), "no ETA or bar when the size is unknown: " + s);
    }

    @Test
    void theSummaryNamesCountsReasonsTimeAndRate() {
        var s = new io.moerec.ingest.replay.ReplaySummary("x", 1003, 1000,
                java.util.Map.of(io.moerec.ingest.json.RejectReason.MALFORMED_JSON, 2L, io.moerec.ingest.json.RejectReason.OVERSIZE, 1L),
                java.time.Duration.ofMillis(500));
        assertEquals("sent 1,000, rejected 3 (OVERSIZE 1, MALFORMED_JSON 2), 1,003 lines read, 0.5 s, 2,006 events/s",
                ProgressPrinter.summary(s, "events"));
    }
}
