package io.moerec.moe.bundle;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.moerec.features.PreferenceFeatureLogic;
import io.moerec.ingest.domain.Genre;
import io.moerec.ingest.domain.Movie;
import io.moerec.ingest.domain.ViewingEvent;
import io.moerec.ingest.generate.GeneratorConfig;
import io.moerec.ingest.generate.SyntheticDataGenerator;
import io.moerec.moe.Fixtures;
import io.moerec.moe.MoeModel;
import io.moerec.moe.TestCatalogs;
import io.moerec.moe.model.ExpertKind;
import io.moerec.moe.train.MoeTrainer;
import io.moerec.moe.TrainingConfig;
import io.moerec.moe.routing.RouterKind;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelBundleTest {

    @TempDir
    Path tmp;

    @Test
    void roundTripKeepsPredictionsProvenanceAndConfig() {
        MoeModel model = Fixtures.model();
        Path dir = tmp.resolve("b1");
        String version = ModelBundle.save(model, dir);
        assertTrue(version.matches("moe-[0-9a-f]{16}"), version);
        MoeModel loaded = ModelBundle.load(dir);
        assertEquals(version, loaded.version());
        assertEquals(model.provenance(), loaded.provenance());
        assertEquals(model.config(), loaded.config());
        assertArrayEquals(model.balancedBias(), loaded.balancedBias(), 0);
        assertEquals(model.itemToItem().items(), loaded.itemToItem().items());
        assertEquals(model.itemToItem().storedWeights(), loaded.itemToItem().storedWeights());
        assertTrue(model.itemToItem().storedWeights() > 0, "the fixture's first stage has weights");
        for (int j = 0; j < model.itemToItem().items(); j++) {
            assertArrayEquals(model.itemToItem().neighbours(j), loaded.itemToItem().neighbours(j));
            assertArrayEquals(model.itemToItem().weights(j), loaded.itemToItem().weights(j), 0f);
        }
        SplittableRandom rng = new SplittableRandom(3);
        double[] p1 = new double[Genre.COUNT];
        double[] p2 = new double[Genre.COUNT];
        for (int t = 0; t < 200; t++) {
            double[] u = TestCatalogs.randomUser(rng);
            for (RouterKind k : RouterKind.values()) {
                assertEquals(model.scorer(k).recommend(u, id -> false, 10), loaded.scorer(k).recommend(u, id -> false, 10));
            }
            int m = rng.nextInt(model.table().size());
            int g = Integer.numberOfTrailingZeros(model.table().genreBits(m));
            assertEquals(model.expert(g).tribuoProbability(u, model.table(), m, 0.25),
                    loaded.expert(g).tribuoProbability(u, loaded.table(), m, 0.25), 0);
            int[] recent = {rng.nextInt(model.table().size()), rng.nextInt(model.table().size())};
            assertEquals(model.scorer(RouterKind.DENSE).recommend(u, recent, id -> false, 10),
                    loaded.scorer(RouterKind.DENSE).recommend(u, recent, id -> false, 10));
            model.gate().probabilities(u, p1);
            loaded.gate().probabilities(u, p2);
            assertArrayEquals(p1, p2, 0);
        }
        // Saving the same model again gives the same version: the version names the content.
        assertEquals(version, ModelBundle.save(loaded, tmp.resolve("b2")));
    }

    @Test
    void fmExpertsRoundTripThroughTheirOwnCompiledFormat() {
        // The shared generator (ingest): any data with enough genre interactions serves a round trip.
        List<Movie> movies = new ArrayList<>();
        List<ViewingEvent> events = new ArrayList<>();
        new SyntheticDataGenerator(GeneratorConfig.builder().seed(31).users(80).movies(150).targetEvents(4_000).build())
                .generate(movies::add, events::add);
        // One SGD epoch for the experts and the gate: the round trip and Tribuo's predictions must agree
        // for whatever weights training leaves, and FM epochs are the bulk of this test's time.
        MoeModel fm = MoeTrainer.train("generated", movies, events, TrainingConfig.fromMap(Map.of("expert.epochs", "1",
                "train.gateEpochs", "1")).withResidualExperts(false).withExpertKind(ExpertKind.FM));
        Path dir = tmp.resolve("fm");
        ModelBundle.save(fm, dir);
        MoeModel loaded = ModelBundle.load(dir);
        assertEquals(ExpertKind.FM, loaded.config().expert().kind());
        SplittableRandom rng = new SplittableRandom(5);
        int checked = 0;
        for (int t = 0; t < 100; t++) {
            double[] u = TestCatalogs.randomUser(rng);
            int m = rng.nextInt(fm.table().size());
            double knn = rng.nextDouble();
            for (int g = 0; g < Genre.COUNT; g++) {
                if (fm.compiledExpert(g) == null) {
                    continue;
                }
                double a = fm.compiledExpert(g).scoreOnce(u, m, knn);
                assertEquals(a, loaded.compiledExpert(g).scoreOnce(u, m, knn), 0);
                assertEquals(a, loaded.expert(g).tribuoProbability(u, loaded.table(), m, knn), 1e-6);
                checked++;
            }
        }
        assertTrue(checked > 500, "too few experts trained: " + checked);
    }

    @Test
    void corruptedFileIsRejectedWithItsName() throws IOException {
        Path dir = tmp.resolve("b");
        ModelBundle.save(Fixtures.model(), dir);
        Path f = dir.resolve("compiled/expert-Drama.bin");
        byte[] bytes = Files.readAllBytes(f);
        bytes[bytes.length / 2] ^= 0x01;
        Files.write(f, bytes);
        InvalidBundleException e = assertThrows(InvalidBundleException.class, () -> ModelBundle.load(dir));
        assertTrue(e.getMessage().contains("checksum mismatch") && e.getMessage().contains("compiled/expert-Drama.bin"), e.getMessage());
    }

    /**
     * A model file swapped for a Java-serialized object stream (the usual shape of a deserialization
     * attack) is refused by the checksum check, and nothing is deserialized: a JVM-wide serial filter
     * sees every {@code ObjectInputStream} read and rejects any on this thread during the load; a
     * valid bundle loads without any, since Tribuo's models are protobuf.
     */
    @Test
    void aTamperedModelFileIsRejectedBeforeAnythingIsDeserialized() throws IOException {
        List<String> seen = java.util.Collections.synchronizedList(new ArrayList<>());
        Thread loader = Thread.currentThread();
        // The filter stays for the rest of this JVM: it only acts while this test runs.
        java.util.concurrent.atomic.AtomicBoolean active = new java.util.concurrent.atomic.AtomicBoolean(true);
        try {
            java.io.ObjectInputFilter.Config.setSerialFilter(info -> {
                if (active.get() && Thread.currentThread() == loader && info.serialClass() != null) {
                    seen.add(info.serialClass().getName());
                    return java.io.ObjectInputFilter.Status.REJECTED;
                }
                return java.io.ObjectInputFilter.Status.UNDECIDED;
            });
        } catch (IllegalStateException alreadySet) {
            // Nothing in this build sets one (no jdk.serialFilter, no other test): if something does, this
            // test can no longer watch deserialization and must say so rather than pass or skip.
            org.junit.jupiter.api.Assertions.fail("this test needs the JVM-wide serial filter, but one is already set: "
                    + alreadySet.getMessage());
        }
        try {
            loadAndTamper(seen);
        } finally {
            active.set(false);
        }
    }

    private void loadAndTamper(List<String> seen) throws IOException {
        Path dir = tmp.resolve("b");
        ModelBundle.save(Fixtures.model(), dir);
        assertEquals(ModelBundle.load(dir).version(), ModelBundle.load(dir).version());
        assertEquals(List.of(), seen, "a valid bundle loads without Java deserialization");

        java.io.ByteArrayOutputStream payload = new java.io.ByteArrayOutputStream();
        try (java.io.ObjectOutputStream out = new java.io.ObjectOutputStream(payload)) {
            out.writeObject(new java.util.HashMap<>(java.util.Map.of("gadget", 1)));
        }
        Files.write(dir.resolve("tribuo/gate.tribuo"), payload.toByteArray());
        InvalidBundleException e = assertThrows(InvalidBundleException.class, () -> ModelBundle.load(dir));
        assertTrue(e.getMessage().contains("checksum mismatch") && e.getMessage().contains("tribuo/gate.tribuo"), e.getMessage());
        assertEquals(List.of(), seen, "nothing was deserialized from the tampered bundle");
    }

    @Test
    void missingFileIsRejected() throws IOException {
        Path dir = tmp.resolve("b");
        ModelBundle.save(Fixtures.model(), dir);
        Files.delete(dir.resolve("tribuo/gate.tribuo"));
        InvalidBundleException e = assertThrows(InvalidBundleException.class, () -> ModelBundle.load(dir));
        assertTrue(e.getMessage().contains("lacks tribuo/gate.tribuo"), e.getMessage());
    }

    @Test
    void unknownFormatVersionIsRejectedEvenWithValidChecksums() throws IOException {
        Path dir = tmp.resolve("b");
        ModelBundle.save(Fixtures.model(), dir);
        rewrite(dir, ModelBundle.DESCRIPTOR, "\"formatVersion\" : " + ModelBundle.FORMAT_VERSION, "\"formatVersion\" : 99");
        InvalidBundleException e = assertThrows(InvalidBundleException.class, () -> ModelBundle.load(dir));
        assertTrue(e.getMessage().contains("format version 99; this build reads version " + ModelBundle.FORMAT_VERSION), e.getMessage());
        // A format-1 bundle (before the shared expert) is refused the same way.
        rewrite(dir, ModelBundle.DESCRIPTOR, "\"formatVersion\" : 99", "\"formatVersion\" : 1");
        e = assertThrows(InvalidBundleException.class, () -> ModelBundle.load(dir));
        assertTrue(e.getMessage().contains("format version 1;"), e.getMessage());
        // So is a format-2 bundle (before the item-to-item first stage).
        rewrite(dir, ModelBundle.DESCRIPTOR, "\"formatVersion\" : 1", "\"formatVersion\" : 2");
        e = assertThrows(InvalidBundleException.class, () -> ModelBundle.load(dir));
        assertTrue(e.getMessage().contains("format version 2; this build reads version 4"), e.getMessage());
        // And a format-3 bundle (expert weights laid out before the context signals).
        rewrite(dir, ModelBundle.DESCRIPTOR, "\"formatVersion\" : 2", "\"formatVersion\" : 3");
        e = assertThrows(InvalidBundleException.class, () -> ModelBundle.load(dir));
        assertTrue(e.getMessage().contains("format version 3; this build reads version 4"), e.getMessage());
    }

    @Test
    void aBundleWithoutTheItemToItemModelIsRejected() throws IOException {
        Path dir = tmp.resolve("b");
        ModelBundle.save(Fixtures.model(), dir);
        Files.delete(dir.resolve(ModelBundle.ITEM_TO_ITEM));
        InvalidBundleException e = assertThrows(InvalidBundleException.class, () -> ModelBundle.load(dir));
        assertTrue(e.getMessage().contains("lacks " + ModelBundle.ITEM_TO_ITEM), e.getMessage());
    }

    @Test
    void otherFeatureLogicVersionIsRejected() throws IOException {
        Path dir = tmp.resolve("b");
        ModelBundle.save(Fixtures.model(), dir);
        int v = PreferenceFeatureLogic.FEATURE_VERSION;
        rewrite(dir, ModelBundle.DESCRIPTOR, "\"featureVersion\" : " + v, "\"featureVersion\" : " + (v + 1));
        InvalidBundleException e = assertThrows(InvalidBundleException.class, () -> ModelBundle.load(dir));
        assertTrue(e.getMessage().contains("featureVersion " + (v + 1) + "; this build needs " + v), e.getMessage());
    }

    @Test
    void aBundleFromBeforeTheKnnSignalKeyReadsAsTrainedWithIt() throws IOException {
        Path dir = tmp.resolve("b");
        ModelBundle.save(Fixtures.model(), dir);
        assertFalse(ModelBundle.load(dir).config().firstStage().knnSignal(), "today's default");
        // The descriptor as an older build wrote it: no train.knnSignal in its configuration (keys are sorted,
        // so another key follows it and its comma goes with it).
        rewrite(dir, ModelBundle.DESCRIPTOR, "\"train.knnSignal\" : \"false\",", "");
        assertTrue(ModelBundle.load(dir).config().firstStage().knnSignal());
    }

    @Test
    void directoryWithoutManifestIsNotABundle() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("empty"));
        InvalidBundleException e = assertThrows(InvalidBundleException.class, () -> ModelBundle.load(dir));
        assertTrue(e.getMessage().contains("not a moerec model bundle"), e.getMessage());
    }

    /** Edits a file and re-signs it in the manifest, so that only the content check can object. */
    private static void rewrite(Path dir, String file, String from, String to) throws IOException {
        Path f = dir.resolve(file);
        String s = Files.readString(f, StandardCharsets.UTF_8);
        assertTrue(s.contains(from), "fixture: " + file + " lacks " + from);
        String old = ModelBundle.sha256(Files.readAllBytes(f));
        Files.writeString(f, s.replace(from, to), StandardCharsets.UTF_8);
        String now = ModelBundle.sha256(Files.readAllBytes(f));
        Path m = dir.resolve(ModelBundle.MANIFEST);
        Files.writeString(m, Files.readString(m).replace(old, now));
    }
}
