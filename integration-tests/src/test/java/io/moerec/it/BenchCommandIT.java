package io.moerec.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.moerec.jobs.cli.MoerecCli;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * End-to-end smoke of {@code moerec bench} on a tiny generated data set: the whole embedded engine
 * (broker here, features job and scoring app in child JVMs), every phase (settling, fixed rate, maximum
 * load), the report. About two minutes on two shared cores, hence an IT. Asserts what was measured and
 * that it balances, never how fast.
 */
class BenchCommandIT {

    @TempDir
    Path dir;

    @Test
    void benchRunsEveryPhaseAndWritesABalancedReport() throws Exception {
        StringWriter out = new StringWriter();
        CommandLine cl = MoerecCli.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(out, true));
        Path report = dir.resolve("report");
        int code = cl.execute("bench", "--events", "4000", "--users", "100", "--rate", "300", "--settle", "1", "--window", "2",
                "--sample", "1",
                "--model-cache", dir.resolve("models").toString(), "--work-dir", dir.resolve("work").toString(),
                "--report-dir", report.toString());
        assertEquals(0, code, out.toString());

        JsonNode r = new ObjectMapper().readTree(report.resolve("bench.json").toFile());
        assertTrue(r.get("finalAccounting").get("balanced").asBoolean(), r.toPrettyString());
        assertEquals(0, r.get("finalAccounting").get("duplicateUpdates").asLong());
        assertTrue(r.get("broker").get("records").asLong() > 3000, "every event went through the raw broker round trip");
        assertEquals(3, r.get("phases").size());
        JsonNode settling = r.get("phases").get(0);
        JsonNode fixed = r.get("phases").get(1);
        JsonNode max = r.get("phases").get(2);
        assertEquals("settling", settling.get("name").asText());
        assertEquals(300.0, settling.get("offeredRate").asDouble());
        assertTrue(Math.abs(settling.get("events").asLong() - 300) <= 5, "300 ev/s for 1 s (a tie at its end may move a few): " + settling);
        assertEquals("fixed-rate", fixed.get("name").asText());
        assertEquals(300.0, fixed.get("offeredRate").asDouble());
        assertEquals("max-load", max.get("name").asText());
        assertTrue(max.get("offeredRate").isNull());
        assertEquals(r.get("setup").get("liveEvents").asLong(), settling.get("events").asLong() + fixed.get("events").asLong()
                + max.get("events").asLong());
        for (JsonNode p : r.get("phases")) {
            assertTrue(p.get("balanced").asBoolean(), p.toPrettyString());
            assertTrue(p.get("latency").get("count").asLong() > 0, "lists were measured: " + p);
            assertTrue(p.get("latency").get("p50").asLong() <= p.get("latency").get("p99").asLong());
            assertTrue(p.get("windows").size() >= 1);
            for (String process : new String[] {"features-job", "scoring-app"}) {
                JsonNode use = p.get("processes").get(process);
                assertTrue(use.get("cpuSeconds").asDouble() > 0, process + " used CPU: " + use);
                assertTrue(use.get("peakRssMiB").asLong() > 0, process + " has a resident set: " + use);
            }
        }
        String md = Files.readString(report.resolve("bench.md"));
        assertTrue(md.contains("## Raw broker, same records") && md.contains("## Over time"), md);
    }
}
