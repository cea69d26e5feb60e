package io.moerec.jobs.pipeline;

import io.moerec.ingest.topic.Topics;
import io.moerec.jobs.trainer.ContinuousTrainer;
import io.moerec.jobs.trainer.TrainerConfig;
import io.moerec.moe.TrainingConfig;
import io.moerec.moe.lifecycle.CycleReport;
import io.moerec.moe.lifecycle.ModelStore;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The continuous trainer beside the demo's pipeline ({@code moerec demo --retrain-every N}). Started
 * after the warm-up: the demo's model goes into a fresh model store as the serving entry, and the
 * store's committed position is the end of the warm-up, so the trainer rebuilds its window from the
 * history and trains a candidate every N live events, announcing it to the scoring app only if it
 * holds up against the serving model on held-out events.
 */
final class DemoTrainer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DemoTrainer.class);
    /** The largest window the demo trains on, so that a cycle stays in seconds on a big generated log. */
    private static final int MAX_WINDOW = 100_000;

    private final ContinuousTrainer trainer;
    private final Thread thread;
    private final long every;
    private volatile Throwable failure;

    private DemoTrainer(ContinuousTrainer trainer, long every) {
        this.trainer = trainer;
        this.every = every;
        this.thread = new Thread(() -> {
            try {
                trainer.run();
            } catch (Throwable e) {
                failure = e;
                LOG.error("the demo's trainer stopped", e);
            }
        }, "moerec-demo-trainer");
        thread.setDaemon(true);
    }

    /** Seeds the store in {@code storeDir} with the serving {@code bundle} and the warm-up's end, then starts the trainer. */
    static DemoTrainer start(String bootstrapServers, Path storeDir, Path bundle, long historyEvents, long every,
                             TrainingConfig training) {
        ModelStore store = ModelStore.open(storeDir);
        ModelStore.Entry seed = store.importBundle(bundle, CycleReport.imported(System.currentTimeMillis(),
                "the demo's model, trained on the history"));
        Map<Integer, Long> end = endOffsets(bootstrapServers);
        Map<Integer, Long> start = new TreeMap<>();
        end.keySet().forEach(p -> start.put(p, 0L));
        store.update(s -> s.withServing(seed.name(), true).withPositions(Topics.VIEWING_EVENTS.name(), end, start,
                System.currentTimeMillis()));
        Map<String, String> settings = new HashMap<>();
        settings.put(TrainerConfig.BOOTSTRAP_SERVERS, bootstrapServers);
        settings.put(TrainerConfig.STORE_DIR, storeDir.toString());
        settings.put(TrainerConfig.WINDOW_EVENTS, Long.toString(Math.max(100, Math.min(MAX_WINDOW, historyEvents))));
        settings.put(TrainerConfig.RETRAIN_EVERY_EVENTS, Long.toString(every));
        settings.put(TrainerConfig.BLESS_MIN_INTERACTIONS, "50");
        training.toMap().forEach((k, v) -> settings.put(TrainerConfig.TRAINING_PREFIX + k, v));
        DemoTrainer t = new DemoTrainer(new ContinuousTrainer(TrainerConfig.fromMap(settings)), every);
        t.thread.start();
        return t;
    }

    private static Map<Integer, Long> endOffsets(String bootstrapServers) {
        Map<String, Object> p = Map.of("bootstrap.servers", bootstrapServers, "isolation.level", "read_committed");
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> parts = c.partitionsFor(Topics.VIEWING_EVENTS.name(), Duration.ofSeconds(30)).stream()
                    .map(i -> new TopicPartition(i.topic(), i.partition())).toList();
            Map<Integer, Long> out = new TreeMap<>();
            c.endOffsets(parts).forEach((tp, o) -> out.put(tp.partition(), o));
            return out;
        }
    }

    /** One line for the live view: candidates so far and the last one's verdict. */
    String line() {
        ContinuousTrainer.Metrics m = trainer.metrics();
        CycleReport last = m.lastReport.get();
        String head = String.format(Locale.ROOT, "retraining every %,d events: %d candidates, %d announced, %d kept back", every,
                m.cycles.get(), m.announced.get(), m.rejected.get());
        if (failure != null) {
            return head + "; the trainer stopped: " + failure;
        }
        if (last == null) {
            return head + String.format(Locale.ROOT, "; %,d new events so far", m.eventsRead.get());
        }
        return head + String.format(Locale.ROOT, "; last %s: %s (%s)", last.version(), last.announced() ? "announced" : "kept back",
                last.reason());
    }

    @Override
    public void close() {
        trainer.close();
        try {
            // A cycle in progress finishes and commits first.
            thread.join(Duration.ofMinutes(2).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
