package io.moerec.jobs.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.moerec.ingest.domain.ModelAnnouncement;
import io.moerec.ingest.domain.Movie;
import io.moerec.ingest.domain.ViewingEvent;
import io.moerec.ingest.generate.GeneratorConfig;
import io.moerec.ingest.generate.SyntheticDataGenerator;
import io.moerec.ingest.topic.Topic;
import io.moerec.ingest.topic.Topics;
import io.moerec.jobs.broker.KafkaBrokerExtension;
import io.moerec.jobs.cli.MoerecCli;
import io.moerec.jobs.process.ChildJvm;
import io.moerec.moe.bundle.ModelBundle;
import io.moerec.moe.lifecycle.CycleReport;
import io.moerec.moe.lifecycle.ModelStore;
import io.moerec.moe.lifecycle.ShuffledInteractions;
import io.moerec.moe.lifecycle.StoreState;
import io.moerec.moe.streams.ModelHolder;
import io.moerec.moe.streams.ModelUpdater;
import io.moerec.moe.streams.ScoringMetrics;
import io.moerec.moe.train.MoeTrainer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The continuous trainer on a real broker with tiny generated data: it bootstraps on the first full
 * window, retrains every N events and announces what the scoring app's updater accepts; a candidate
 * trained on shuffled interactions is kept but not announced, and its report says why; a trainer
 * killed with SIGKILL in the middle of a cycle leaves no half-written entry and, restarted, resumes
 * from the committed position with the window rebuilt.
 */
class TrainerKafkaTest {

    @RegisterExtension
    static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

    static final int WINDOW = 3_000;
    static final int EVERY = 1_000;
    static final List<Movie> MOVIES = new ArrayList<>();
    static final List<ViewingEvent> EVENTS = new ArrayList<>();

    @TempDir
    static Path tmp;

    @BeforeAll
    static void generate() {
        new SyntheticDataGenerator(GeneratorConfig.builder().seed(11).users(120).movies(200).targetEvents(6_000).tasteClusters(3)
                .build()).generate(MOVIES::add, EVENTS::add);
        EVENTS.sort(Comparator.comparingLong(ViewingEvent::eventTime));
    }

    record Topics3(Topic<String, ViewingEvent> events, Topic<Long, Movie> movies, Topic<String, ModelAnnouncement> models) {
    }

    private static Topics3 topics() {
        Topics3 t = new Topics3(KAFKA.createUniqueTopic(Topics.VIEWING_EVENTS), KAFKA.createUniqueTopic(Topics.MOVIES),
                KAFKA.createUniqueTopic(Topics.MODELS));
        try (KafkaProducer<Long, Movie> p = new KafkaProducer<>(KAFKA.broker().clientProperties(), t.movies().keySerde().serializer(),
                t.movies().valueSerde().serializer())) {
            MOVIES.forEach(m -> p.send(new ProducerRecord<>(t.movies().name(), m.movieId(), m)));
        }
        return t;
    }

    private static void publish(Topic<String, ViewingEvent> topic, int from, int to) {
        try (KafkaProducer<String, ViewingEvent> p = new KafkaProducer<>(KAFKA.broker().clientProperties(),
                topic.keySerde().serializer(), topic.valueSerde().serializer())) {
            for (ViewingEvent e : EVENTS.subList(from, to)) {
                p.send(new ProducerRecord<>(topic.name(), e.userId(), e));
            }
        }
    }

    private static Map<String, String> settings(Topics3 t, Path store) {
        Map<String, String> s = new LinkedHashMap<>();
        s.put(TrainerConfig.BOOTSTRAP_SERVERS, KAFKA.bootstrapServers());
        s.put(TrainerConfig.STORE_DIR, store.toString());
        s.put(TrainerConfig.TOPIC_EVENTS, t.events().name());
        s.put(TrainerConfig.TOPIC_MOVIES, t.movies().name());
        s.put(TrainerConfig.TOPIC_MODELS, t.models().name());
        s.put(TrainerConfig.WINDOW_EVENTS, Integer.toString(WINDOW));
        s.put(TrainerConfig.RETRAIN_EVERY_EVENTS, Integer.toString(EVERY));
        s.put(TrainerConfig.HOLDOUT_SHARE, "0.25");
        s.put(TrainerConfig.BLESS_MIN_INTERACTIONS, "20");
        s.put(TrainerConfig.BLESS_EPSILON, "0.01");
        s.put("training.expert.epochs", "2");
        s.put("training.train.gateEpochs", "2");
        return s;
    }

    /** Runs a trainer on its own thread; close() stops it and waits. */
    static final class Running implements AutoCloseable {
        final ContinuousTrainer trainer;
        final Thread thread;
        final AtomicReference<Throwable> failure = new AtomicReference<>();

        Running(ContinuousTrainer trainer) {
            this.trainer = trainer;
            this.thread = new Thread(() -> {
                try {
                    trainer.run();
                } catch (Throwable e) {
                    failure.set(e);
                }
            }, "test-trainer");
            thread.start();
        }

        void await(BooleanSupplier condition, String what) throws InterruptedException {
            long deadline = System.nanoTime() + Duration.ofSeconds(300).toNanos();
            while (!condition.getAsBoolean()) {
                assertNull(failure.get(), () -> "the trainer failed: " + failure.get());
                assertTrue(System.nanoTime() < deadline, "timed out waiting for " + what);
                Thread.sleep(20);
            }
        }

        @Override
        public void close() {
            trainer.close();
            try {
                thread.join(60_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            assertFalse(thread.isAlive(), "the trainer did not stop");
            assertNull(failure.get());
        }
    }

    private static List<ModelAnnouncement> announcements(Topic<String, ModelAnnouncement> models) {
        Map<String, Object> p = new LinkedHashMap<>(KAFKA.broker().clientProperties());
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        List<ModelAnnouncement> out = new ArrayList<>();
        try (KafkaConsumer<String, ModelAnnouncement> c = new KafkaConsumer<>(p, models.keySerde().deserializer(),
                models.valueSerde().deserializer())) {
            TopicPartition tp = new TopicPartition(models.name(), 0);
            c.assign(List.of(tp));
            c.seekToBeginning(List.of(tp));
            long end = c.endOffsets(List.of(tp)).get(tp);
            while (c.position(tp) < end) {
                c.poll(Duration.ofMillis(200)).forEach(r -> out.add(r.value()));
            }
        }
        return out;
    }

    @Test
    void retrainsEveryNEventsAnnouncesWhatTheScoringAppTakesAndKeepsAWorseCandidateBack() throws Exception {
        Topics3 t = topics();
        Path store = tmp.resolve("store-a");
        AtomicBoolean shuffle = new AtomicBoolean();
        TrainerConfig config = TrainerConfig.fromMap(settings(t, store));
        publish(t.events(), 0, WINDOW + EVERY);
        try (Running r = new Running(new ContinuousTrainer(config, (description, catalog, events, training) ->
                MoeTrainer.train(description, catalog, shuffle.get() ? ShuffledInteractions.of(events, 7) : events, training)))) {
            ContinuousTrainer.Metrics m = r.trainer.metrics();
            r.await(() -> m.cycles.get() == 2, "the bootstrap and one retraining");
            // Whether the second candidate beats the first is up to the data; it is announced or kept, never lost.
            long rejectedBefore = m.rejected.get();
            assertEquals(2, m.announced.get() + rejectedBefore);
            assertEquals(WINDOW + EVERY, m.eventsRead.get());
            ModelStore s = ModelStore.open(store);
            List<ModelStore.Entry> entries = s.entries();
            assertEquals(2, entries.size());
            assertTrue(entries.get(0).report().announced());
            assertEquals("bootstrap: no model is serving", entries.get(0).report().reason());
            assertEquals(WINDOW, entries.get(1).report().windowEvents());
            List<ModelAnnouncement> sent = announcements(t.models());
            assertEquals(m.announced.get(), sent.size());
            ModelAnnouncement latest = sent.get(sent.size() - 1);
            StoreState state = s.state();
            assertTrue(state.announced());
            assertEquals(s.serving().orElseThrow().version(), latest.modelVersion());
            assertEquals(WINDOW + EVERY, state.consumed().values().stream().mapToLong(Long::longValue).sum());

            shuffle.set(true);
            publish(t.events(), WINDOW + EVERY, WINDOW + 2 * EVERY);
            r.await(() -> m.cycles.get() == 3, "the shuffled candidate");
            CycleReport worse = s.entries().get(2).report();
            assertFalse(worse.announced(), worse.toString());
            assertTrue(worse.reason().matches("NDCG@10 \\d\\.\\d{4} < serving \\d\\.\\d{4} - epsilon 0\\.0100"), worse.reason());
            assertTrue(worse.candidate().ndcg().mean() < worse.serving().ndcg().mean(), worse.toString());
            assertEquals(worse.candidate().interactions(), worse.serving().interactions());
            String onDisk = Files.readString(store.resolve(s.entries().get(2).name()).resolve(ModelStore.REPORT));
            assertTrue(onDisk.contains("\"announced\" : false") && onDisk.contains(worse.reason()), onDisk);
            assertEquals(sent.size(), announcements(t.models()).size(), "nothing announced for the worse candidate");
            assertEquals(rejectedBefore + 1, m.rejected.get());
            assertEquals(latest.modelVersion(), s.serving().orElseThrow().version(), "the serving model stays");

            // The scoring app's updater swaps the announced bundle in (here over the rejected one).
            ModelHolder holder = new ModelHolder(ModelBundle.load(s.entries().get(2).bundle()));
            assertEquals(ModelUpdater.Outcome.SWAPPED, new ModelUpdater(holder, new ScoringMetrics()).apply(latest));
            assertEquals(latest.modelVersion(), holder.current().version());
        }
    }

    @Test
    void aTrainerKilledMidCycleLeavesNoHalfBundleAndResumesFromTheCommittedPosition() throws Exception {
        Topics3 t = topics();
        Path store = tmp.resolve("store-b");
        Map<String, String> s = settings(t, store);
        publish(t.events(), 0, WINDOW + EVERY);
        List<String> args = new ArrayList<>();
        args.add("trainer");
        s.forEach((k, v) -> {
            args.add("-s");
            args.add(k + "=" + v);
        });
        ModelStore st = ModelStore.open(store);
        boolean caughtMidWrite = false;
        try (ChildJvm child = ChildJvm.start("trainer", List.of("-Xmx512m", "-cp", System.getProperty("java.class.path")),
                MoerecCli.class.getName(), args, Map.of(), tmp.resolve("trainer-child.log"))) {
            long deadline = System.nanoTime() + Duration.ofSeconds(300).toNanos();
            while (st.entries().size() < 2) {
                assertTrue(child.isAlive() && System.nanoTime() < deadline, () -> "no second cycle: " + child.logTail(4000));
                Thread.sleep(50);
            }
            publish(t.events(), WINDOW + EVERY, WINDOW + 2 * EVERY);
            // Kill it while the third cycle writes its bundle (a temporary directory exists), or at the latest when it is done.
            while (st.entries().size() < 3 && System.nanoTime() < deadline) {
                if (hasTemporary(store)) {
                    caughtMidWrite = true;
                    break;
                }
                Thread.sleep(1);
            }
            child.kill();
            child.waitFor(Duration.ofSeconds(30));
        }
        org.slf4j.LoggerFactory.getLogger(TrainerKafkaTest.class).info("killed the trainer {}", caughtMidWrite
                ? "while it wrote a bundle" : "after its third cycle (no write caught in progress)");
        // Whatever the moment: every entry is complete and verifies, and the state names a complete one.
        StoreState after = st.state();
        List<ModelStore.Entry> entries = st.entries();
        for (ModelStore.Entry e : entries) {
            assertEquals(e.version(), ModelBundle.load(e.bundle()).version());
        }
        assertTrue(st.serving().isPresent());
        long committed = after.consumed().values().stream().mapToLong(Long::longValue).sum();
        assertTrue(committed == WINDOW + EVERY || committed == WINDOW + 2 * EVERY && !caughtMidWrite,
                "committed " + committed + ", caught mid-write " + caughtMidWrite);

        try (Running r = new Running(new ContinuousTrainer(TrainerConfig.fromMap(s)))) {
            if (committed == WINDOW + EVERY) {
                r.await(() -> r.trainer.metrics().cycles.get() == 1, "the cycle the kill interrupted");
                CycleReport redone = r.trainer.metrics().lastReport.get();
                assertEquals(WINDOW, redone.windowEvents(), "the window is rebuilt from the committed start offsets");
                assertEquals(EVERY, r.trainer.metrics().eventsRead.get(), "only the events after the committed position are new");
                assertEquals(WINDOW + 2 * EVERY, st.state().consumed().values().stream().mapToLong(Long::longValue).sum());
            } else {
                Thread.sleep(2_000);
                assertEquals(0, r.trainer.metrics().cycles.get(), "nothing new after the committed position");
            }
            assertFalse(hasTemporary(store), "the restarted trainer removed the unfinished write");
        }
        assertNotNull(st.serving().orElseThrow().report());
    }

    @Test
    void aServingModelWhoseAnnouncementDidNotGoOutIsAnnouncedOnStart() throws Exception {
        Topics3 t = topics();
        Path store = tmp.resolve("store-c");
        ModelStore s = ModelStore.open(store);
        ModelStore.Entry e = s.add(MoeTrainer.train("seed", MOVIES, EVENTS.subList(0, WINDOW),
                io.moerec.moe.TrainingConfig.fromMap(Map.of("expert.epochs", "1", "train.gateEpochs", "1"))),
                CycleReport.imported(1L, "seed"));
        s.update(st -> st.withServing(e.name(), false));
        try (Running r = new Running(new ContinuousTrainer(TrainerConfig.fromMap(settings(t, store))))) {
            r.await(() -> s.state().announced(), "the announcement");
            assertEquals(List.of(e.version()), announcements(t.models()).stream().map(ModelAnnouncement::modelVersion).toList());
            assertEquals(0, r.trainer.metrics().cycles.get());
        }
    }

    private static boolean hasTemporary(Path store) throws java.io.IOException {
        try (Stream<Path> s = Files.list(store)) {
            return s.anyMatch(p -> p.getFileName().toString().startsWith(".tmp-") && Files.isDirectory(p));
        }
    }
}
