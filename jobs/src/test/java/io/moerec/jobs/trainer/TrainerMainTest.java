package io.moerec.jobs.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.moerec.ingest.config.MoerecVersion;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The trainer jar's command line: precedence file < environment < -s, one line and exit 2 for a bad key, --version. */
class TrainerMainTest {

    @Test
    void environmentOverridesTheFileAndSettingsOverrideTheEnvironment(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("trainer.properties");
        Files.writeString(file, "bootstrap.servers=file:9092\nstore.dir=/store/file\nstore.keep=3\nwindow.events=5000\n");
        Map<String, String> env = Map.of("MOEREC_TRAINER_STORE_KEEP", "7", "MOEREC_TRAINER_WINDOW_EVENTS", "6000", "PATH", "/usr/bin");
        TrainerConfig c = TrainerMain.parseArgs(new String[] {"--config", file.toString(), "-s", "window.events=7000"}, env)
                .orElseThrow();
        assertEquals("file:9092", c.bootstrapServers());
        assertEquals(Path.of("/store/file"), c.storeDir());
        assertEquals(7, c.storeKeep(), "environment over file");
        assertEquals(7000, c.windowEvents(), "-s over environment");
        TrainerConfig secured = TrainerMain.parseArgs(new String[] {"-s", "bootstrap.servers=b:9092", "-s", "store.dir=/s"},
                Map.of("MOEREC_TRAINER_KAFKA_SECURITY_PROTOCOL", "SSL")).orElseThrow();
        assertEquals("SSL", secured.clientProperties().get("security.protocol"), "a kafka.* key as a variable");
    }

    @Test
    void aBadKeyIsOneLineNamingItAndExitCodeTwo() {
        StringWriter err = new StringWriter();
        TrainerMain.Launch l = TrainerMain.launch(new String[] {"-s", "bootstrap.servers=b:9092", "-s", "store.dir=/s", "-s", "store.kept=3"},
                Map.of(), new PrintWriter(err));
        assertTrue(l.config().isEmpty());
        assertEquals(2, l.exitCode());
        assertEquals(1, err.toString().lines().count(), err.toString());
        assertTrue(err.toString().startsWith("trainer: ") && err.toString().contains("store.kept"), err.toString());
        assertFalse(err.toString().contains("Exception"), err.toString());

        err.getBuffer().setLength(0);
        assertEquals(2, TrainerMain.launch(new String[] {"-s", "bootstrap.servers=b:9092"}, Map.of("MOEREC_TRAINER_STORE_DIRS", "/s"),
                new PrintWriter(err)).exitCode());
        assertTrue(err.toString().contains("MOEREC_TRAINER_STORE_DIRS"), err.toString());

        err.getBuffer().setLength(0);
        assertEquals(2, TrainerMain.launch(new String[] {"--confg", "x"}, Map.of(), new PrintWriter(err)).exitCode());
        assertEquals(1, err.toString().lines().count(), err.toString());
        assertTrue(err.toString().contains("--confg"), err.toString());
    }

    @Test
    void versionPrintsTheBuildsVersionAndHelpParsesToNothing() throws Exception {
        StringWriter out = new StringWriter();
        CommandLine cmd = new CommandLine(new TrainerMain.Cli());
        cmd.setOut(new PrintWriter(out, true));
        assertEquals(0, cmd.execute("--version"));
        assertEquals("moerec trainer " + MoerecVersion.current(), out.toString().trim());
        assertTrue(TrainerMain.parseArgs(new String[] {"--help"}, Map.of()).isEmpty());
    }
}
