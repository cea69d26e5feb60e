package io.moerec.moe.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.moerec.ingest.domain.Movie;
import io.moerec.ingest.domain.ViewingEvent;
import io.moerec.ingest.generate.GeneratorConfig;
import io.moerec.ingest.generate.SyntheticDataGenerator;
import io.moerec.moe.Fixtures;
import io.moerec.moe.MoeModel;
import io.moerec.moe.TrainingConfig;
import io.moerec.moe.bundle.ModelBundle;
import io.moerec.moe.routing.RouterKind;
import io.moerec.moe.train.MoeTrainer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The hold-out score of real (tiny) models and the store's atomic entries, retention and rollback. */
class ModelStoreAndHoldoutTest {

    static final TrainingConfig QUICK = TrainingConfig.fromMap(Map.of("expert.epochs", "2", "train.gateEpochs", "2"));
    static List<Movie> movies = new ArrayList<>();
    static List<ViewingEvent> events = new ArrayList<>();
    static HoldoutSplit split;
    static MoeModel good;
    static MoeModel shuffled;

    @BeforeAll
    static void train() {
        Fixtures.routeJulToSlf4j();
        new SyntheticDataGenerator(GeneratorConfig.builder().seed(11).users(80).movies(150).targetEvents(5_000).tasteClusters(3)
                .build()).generate(movies::add, events::add);
        split = HoldoutSplit.of(events, 0.2);
        good = MoeTrainer.train("good", movies, split.train(), QUICK);
        shuffled = MoeTrainer.train("shuffled", movies, ShuffledInteractions.of(split.train(), 3), QUICK);
    }

    @Test
    void aModelTrainedOnShuffledInteractionsScoresWorseOnTheHoldout() {
        HoldoutScore g = HoldoutScore.of(good, RouterKind.SOFTMAX, movies, split.all(), split.cut(), 10);
        HoldoutScore s = HoldoutScore.of(shuffled, RouterKind.SOFTMAX, movies, split.all(), split.cut(), 10);
        assertEquals(g.interactions(), s.interactions(), "both on the same interactions");
        assertTrue(g.interactions() > 100, "held-out first interactions: " + g.interactions());
        assertTrue(g.ndcg().mean() > s.ndcg().mean() + 0.02, g + " vs " + s);
        assertTrue(g.hr().mean() >= g.ndcg().mean() && g.hr().mean() <= 1, g.toString());
        assertFalse(new BlessPolicy(0.005, 50).decide(s, g).announce());
        assertTrue(new BlessPolicy(0.005, 50).decide(g, s).announce());
        // Scoring only from a later time scores fewer interactions.
        long later = split.all().stream().mapToLong(ViewingEvent::eventTime).max().orElseThrow() - 86_400_000L;
        assertTrue(HoldoutScore.of(good, RouterKind.SOFTMAX, movies, split.all(), later, 10).interactions() < g.interactions());
    }

    private static CycleReport report(boolean announced) {
        return new CycleReport(0, null, 1L, CycleReport.TRAINER, 10, 8, 5, 5, 0.1, null, null, null, announced, "test");
    }

    @Test
    void entriesAreCompleteRetentionKeepsTheServingOneAndRollbackGoesToTheLastAnnounced(@TempDir Path dir) throws Exception {
        ModelStore store = ModelStore.open(dir);
        assertEquals(StoreState.empty(), store.state());
        ModelStore.Entry a = store.add(good, report(true));
        assertEquals(1, a.sequence());
        assertEquals(good.provenance(), ModelBundle.load(a.bundle()).provenance());
        assertEquals(a.version(), a.report().version());
        store.update(s -> s.withServing(a.name(), true).withPositions("t", Map.of(0, 7L), Map.of(0, 2L), 99));
        ModelStore.Entry b = store.add(good, report(false)); // the same model again: a new entry all the same
        ModelStore.Entry c = store.add(shuffled, report(true));
        assertEquals(List.of(1L, 2L, 3L), store.entries().stream().map(ModelStore.Entry::sequence).toList());
        assertEquals(a.name(), store.serving().orElseThrow().name());
        assertEquals(a.version(), b.version());

        // A temporary directory (a write killed half-way) is no entry and is removed at the writer's start.
        Path half = Files.createDirectories(dir.resolve(".tmp-killed").resolve("bundle"));
        Files.writeString(half.resolve("movies.bin"), "partial");
        assertEquals(3, store.entries().size());
        assertEquals(1, store.removeLeftovers());
        assertFalse(Files.exists(dir.resolve(".tmp-killed")));

        store.update(s -> s.withServing(c.name(), true));
        assertEquals(a.name(), store.rollbackTarget(Optional.empty()).name(), "the newest announced one before the serving");
        assertEquals(b.name(), store.rollbackTarget(Optional.of(b.name())).name());
        assertThrows(IllegalArgumentException.class, () -> store.rollbackTarget(Optional.of("moe-nothing")));

        store.update(s -> s.withServing(a.name(), true));
        assertEquals(List.of(b.name()), store.retain(2), "the oldest non-serving entry goes");
        assertEquals(List.of(a.name(), c.name()), store.entries().stream().map(ModelStore.Entry::name).toList());
        assertEquals(List.of(), store.retain(2));
        assertEquals(List.of(c.name()), store.retain(1));
        assertEquals(List.of(a.name()), store.entries().stream().map(ModelStore.Entry::name).toList(), "serving survives");
        // A report with scores of no interactions (NaN means) reads back as it was written.
        HoldoutScore empty = HoldoutScore.of(good, RouterKind.SOFTMAX, movies, split.all(), Long.MAX_VALUE, 10);
        assertEquals(0, empty.interactions());
        CycleReport nan = new CycleReport(0, null, 2L, CycleReport.TRAINER, 10, 8, 5, 5, 0.1, empty, "moe-x", empty, false, "too few");
        ModelStore.Entry d = store.add(good, nan);
        assertEquals(nan.numbered(d.sequence(), d.version()).toString(), store.entry(d.name()).orElseThrow().report().toString());
        StoreState st = store.state();
        assertEquals(Map.of(0, 7L), st.consumed());
        assertEquals("t", st.topic());
        assertEquals(99, st.lastTrainedAt());
    }
}
