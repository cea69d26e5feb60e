package io.moerec.moe.streams;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.moerec.ingest.generate.GeneratorConfig;
import io.moerec.moe.bundle.ModelBundle;
import io.moerec.moe.TrainingConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The compose file's model-init step: trains a loadable bundle once, keeps an existing one, refuses a stray directory. */
class StarterBundleTest {

    private static final GeneratorConfig SMALL = GeneratorConfig.builder().seed(3).users(120).movies(150).targetEvents(6_000).build();
    private static final TrainingConfig TRAINING = TrainingConfig.defaults().withMinPositivesPerExpert(5);

    @Test
    void trainsALoadableBundleOnceAndThenLeavesItAlone(@TempDir Path tmp) throws Exception {
        Path current = tmp.resolve("current");
        assertTrue(StarterBundle.ensure(current, SMALL, TRAINING));
        String version = ModelBundle.load(current).version();
        long modified = Files.getLastModifiedTime(current.resolve(ModelBundle.MANIFEST)).toMillis();
        assertFalse(StarterBundle.ensure(current, SMALL, TRAINING), "a bundle is there: nothing to do");
        assertEquals(version, ModelBundle.load(current).version());
        assertEquals(modified, Files.getLastModifiedTime(current.resolve(ModelBundle.MANIFEST)).toMillis());
        try (var left = Files.list(tmp)) {
            assertEquals(1, left.count(), "no partial directory left behind");
        }
    }

    @Test
    void aDirectoryWithoutABundleIsNamedNotOverwritten(@TempDir Path tmp) throws Exception {
        Path current = Files.createDirectories(tmp.resolve("current"));
        Files.writeString(current.resolve("notes.txt"), "mine");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> StarterBundle.ensure(current, SMALL, TRAINING));
        assertTrue(e.getMessage().contains(current.toString()), e.getMessage());
        assertEquals("mine", Files.readString(current.resolve("notes.txt")));
    }
}
