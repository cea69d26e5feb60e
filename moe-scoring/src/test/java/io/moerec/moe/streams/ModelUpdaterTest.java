package io.moerec.moe.streams;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.moerec.ingest.domain.ModelAnnouncement;
import io.moerec.moe.MoeModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Live model updates: only a verified bundle that is what it was announced as replaces the serving one. */
class ModelUpdaterTest {

    private static final long NOW = 1_764_000_000_000L;

    @TempDir
    Path tmp;

    @BeforeAll
    static void train() {
        ScoringFixtures.ensure();
    }

    @Test
    void aVerifiedBundleIsSwappedInAndABadOneLeavesTheServingModel() throws Exception {
        MoeModel a = ScoringFixtures.modelA();
        ModelHolder holder = new ModelHolder(a);
        ScoringMetrics metrics = new ScoringMetrics();
        ModelUpdater updater = new ModelUpdater(holder, metrics);
        String versionB = ScoringFixtures.modelB().version();

        // A copy of bundle B with one byte of an expert changed: the manifest still matches, a file does not.
        Path tampered = tmp.resolve("tampered");
        ScoringFixtures.copyBundle(ScoringFixtures.bundleB(), tampered);
        Path bin;
        try (var s = Files.list(tampered.resolve("compiled"))) {
            bin = s.findFirst().orElseThrow();
        }
        byte[] bytes = Files.readAllBytes(bin);
        bytes[bytes.length / 2] ^= 1;
        Files.write(bin, bytes);
        assertEquals(ModelUpdater.Outcome.REJECTED, updater.apply(ModelUpdater.announce(tampered, versionB, NOW)));
        assertEquals(a.version(), holder.current().version());

        // The right bundle under the wrong version, and the right bundle with the wrong manifest hash.
        ModelAnnouncement good = ModelUpdater.announce(ScoringFixtures.bundleB(), versionB, NOW);
        assertEquals(ModelUpdater.Outcome.REJECTED, updater.apply(new ModelAnnouncement("moe-0000000000000000", good.reference(),
                good.manifestSha256(), NOW)));
        assertEquals(ModelUpdater.Outcome.REJECTED, updater.apply(new ModelAnnouncement(versionB, good.reference(), "f".repeat(64), NOW)));
        assertEquals(ModelUpdater.Outcome.REJECTED, updater.apply(new ModelAnnouncement(versionB, tmp.resolve("missing").toString(),
                good.manifestSha256(), NOW)));
        assertEquals(a.version(), holder.current().version());
        assertEquals(4, metrics.modelRejections());

        assertEquals(ModelUpdater.Outcome.SWAPPED, updater.apply(good));
        assertEquals(versionB, holder.current().version());
        assertEquals(ModelUpdater.Outcome.ALREADY_SERVING, updater.apply(good));
        assertEquals(ModelUpdater.Outcome.SWAPPED, updater.apply(ModelUpdater.announce(ScoringFixtures.bundleA(), a.version(), NOW)));
        assertEquals(a.version(), holder.current().version());
        assertTrue(good.reference().startsWith("/"));
    }

    @Test
    void theDirectoryWatcherTakesTheNewestCompleteBundleOnce() throws Exception {
        ModelHolder holder = new ModelHolder(ScoringFixtures.modelA());
        ModelDirectoryWatcher watcher = new ModelDirectoryWatcher(tmp, new ModelUpdater(holder, new ScoringMetrics()));
        assertEquals(Optional.empty(), watcher.pollOnce());
        Files.createDirectories(tmp.resolve("incomplete")); // no manifest yet: not a bundle
        assertEquals(Optional.empty(), watcher.pollOnce());
        Path b = tmp.resolve("b");
        ScoringFixtures.copyBundle(ScoringFixtures.bundleB(), b);
        Files.setLastModifiedTime(b.resolve("MANIFEST.sha256"), FileTime.fromMillis(NOW));
        assertEquals(Optional.of(ModelUpdater.Outcome.SWAPPED), watcher.pollOnce());
        assertEquals(ScoringFixtures.modelB().version(), holder.current().version());
        assertEquals(Optional.empty(), watcher.pollOnce()); // tried already
        // A newer but broken bundle is refused once and B keeps serving.
        Path broken = tmp.resolve("broken");
        ScoringFixtures.copyBundle(ScoringFixtures.bundleA(), broken);
        Files.writeString(broken.resolve("bundle.json"), "{}");
        Files.setLastModifiedTime(broken.resolve("MANIFEST.sha256"), FileTime.fromMillis(NOW + 1000));
        assertEquals(Optional.of(ModelUpdater.Outcome.REJECTED), watcher.pollOnce());
        assertEquals(Optional.empty(), watcher.pollOnce());
        assertEquals(ScoringFixtures.modelB().version(), holder.current().version());
        watcher.close();
    }
}
