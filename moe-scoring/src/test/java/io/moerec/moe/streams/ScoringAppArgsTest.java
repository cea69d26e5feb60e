package io.moerec.moe.streams;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The app's command line and environment: precedence file < environment < -s, and names in errors. */
class ScoringAppArgsTest {

    @Test
    void environmentOverridesTheFileAndSettingsOverrideTheEnvironment(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("scoring.properties");
        Files.writeString(file, "bootstrap.servers=file:9092\nmodel.path=/models/file\ntop-n=5\nhttp.host=file-host\n");
        Map<String, String> env = Map.of("MOEREC_SCORING_TOP_N", "7", "MOEREC_SCORING_HTTP_HOST", "0.0.0.0",
                "MOEREC_SCORING_MODEL_WATCH_DIR", "/models/watched", "MOEREC_SCORING_STATE_DIR", "/state", "PATH", "/usr/bin");
        ScoringConfig c = ScoringApp.parseArgs(new String[] {"--config", file.toString(), "-s", "http.host=from-args"}, env)
                .orElseThrow();
        assertEquals("file:9092", c.bootstrapServers());
        assertEquals(Path.of("/models/file"), c.modelPath());
        assertEquals(7, c.topN(), "environment over file");
        assertEquals("from-args", c.httpHost(), "-s over environment");
        assertEquals(Path.of("/models/watched"), c.modelWatchDir());
        assertEquals(Path.of("/state"), c.stateDir());
    }

    @Test
    void everyKeyHasOneVariable() {
        assertEquals("MOEREC_SCORING_BOOTSTRAP_SERVERS", ScoringConfig.SPEC.environmentVariable(ScoringConfig.BOOTSTRAP_SERVERS));
        assertEquals("MOEREC_SCORING_MODEL_WATCH_INTERVAL_MS", ScoringConfig.SPEC.environmentVariable(ScoringConfig.MODEL_WATCH_INTERVAL_MS));
        assertEquals(ScoringConfig.SPEC.defaults().size(),
                ScoringConfig.SPEC.defaults().keySet().stream().map(ScoringConfig.SPEC::environmentVariable).distinct().count(),
                "no two keys share a variable");
    }

    @Test
    void unknownVariableBadValueAndBadArgumentAreNamed() {
        String[] required = {"-s", "bootstrap.servers=b:9092", "-s", "model.path=/m"};
        IllegalArgumentException typo = assertThrows(IllegalArgumentException.class,
                () -> ScoringApp.parseArgs(required, Map.of("MOEREC_SCORING_MODEL_PATHS", "/m")));
        assertTrue(typo.getMessage().contains("MOEREC_SCORING_MODEL_PATHS"), typo.getMessage());
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                () -> ScoringApp.parseArgs(required, Map.of("MOEREC_SCORING_HTTP_PORT", "eighty")));
        assertTrue(bad.getMessage().contains(ScoringConfig.HTTP_PORT), bad.getMessage());
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> ScoringApp.parseArgs(new String[0], Map.of("MOEREC_SCORING_BOOTSTRAP_SERVERS", "b:9092")));
        assertTrue(missing.getMessage().contains(ScoringConfig.MODEL_PATH), missing.getMessage());
        IllegalArgumentException arg = assertThrows(IllegalArgumentException.class,
                () -> ScoringApp.parseArgs(new String[] {"--confg", "x"}, Map.of()));
        assertTrue(arg.getMessage().contains("--confg"), arg.getMessage());
    }

    @Test
    void aBadKeyIsOneLineNamingItAndExitCodeTwo() {
        java.io.StringWriter err = new java.io.StringWriter();
        ScoringApp.Launch l = ScoringApp.launch(new String[] {"-s", "bootstrap.servers=b:9092", "-s", "model.path=/m", "-s", "top.n=3"},
                Map.of(), new java.io.PrintWriter(err));
        assertTrue(l.config().isEmpty());
        assertEquals(2, l.exitCode());
        assertEquals(1, err.toString().lines().count(), err.toString());
        assertTrue(err.toString().startsWith("scoring-app: ") && err.toString().contains("top.n"), err.toString());
        assertFalse(err.toString().contains("Exception"), err.toString());
        err.getBuffer().setLength(0);
        assertEquals(2, ScoringApp.launch(new String[] {"--confg", "x"}, Map.of(), new java.io.PrintWriter(err)).exitCode());
        assertEquals(1, err.toString().lines().count(), err.toString());
        assertTrue(err.toString().contains("--confg"), err.toString());
    }

    @Test
    void versionPrintsTheBuildsVersion() {
        java.io.StringWriter out = new java.io.StringWriter();
        picocli.CommandLine cmd = new picocli.CommandLine(new ScoringApp.Cli());
        cmd.setOut(new java.io.PrintWriter(out, true));
        assertEquals(0, cmd.execute("--version"));
        assertEquals("moerec scoring-app " + io.moerec.ingest.config.MoerecVersion.current(), out.toString().trim());
        assertTrue(io.moerec.ingest.config.MoerecVersion.current().matches("\\d+\\.\\d+\\.\\d+.*"),
                "the build's version, not a placeholder: " + io.moerec.ingest.config.MoerecVersion.current());
    }

    @Test
    void helpParsesToNothing() throws Exception {
        assertTrue(ScoringApp.parseArgs(new String[] {"--help"}, Map.of()).isEmpty());
    }
}
