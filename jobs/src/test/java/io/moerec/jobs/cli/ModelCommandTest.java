package io.moerec.jobs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.moerec.ingest.domain.ModelAnnouncement;
import io.moerec.ingest.domain.Movie;
import io.moerec.ingest.domain.ViewingEvent;
import io.moerec.ingest.generate.GeneratorConfig;
import io.moerec.ingest.generate.SyntheticDataGenerator;
import io.moerec.ingest.topic.Topic;
import io.moerec.ingest.topic.Topics;
import io.moerec.jobs.broker.KafkaBrokerExtension;
import io.moerec.moe.MoeModel;
import io.moerec.moe.TrainingConfig;
import io.moerec.moe.bundle.ModelBundle;
import io.moerec.moe.lifecycle.CycleReport;
import io.moerec.moe.lifecycle.ModelStore;
import io.moerec.moe.lifecycle.ShuffledInteractions;
import io.moerec.moe.train.MoeTrainer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** {@code moerec model list | announce | rollback} against a store and a real broker, and {@code moerec trainer}'s start-up check. */
class ModelCommandTest {

    @RegisterExtension
    static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

    private static CycleReport report(boolean announced, String reason) {
        return new CycleReport(0, null, 1_700_000_000_000L, CycleReport.TRAINER, 10, 8, 5, 5, 0.1, null, null, null, announced, reason);
    }

    private static List<String> versions(Topic<String, ModelAnnouncement> models) {
        List<String> out = new ArrayList<>();
        try (KafkaConsumer<String, ModelAnnouncement> c = new KafkaConsumer<>(KAFKA.broker().clientProperties(),
                models.keySerde().deserializer(), models.valueSerde().deserializer())) {
            TopicPartition tp = new TopicPartition(models.name(), 0);
            c.assign(List.of(tp));
            c.seekToBeginning(List.of(tp));
            long end = c.endOffsets(List.of(tp)).get(tp);
            while (c.position(tp) < end) {
                c.poll(Duration.ofMillis(200)).forEach(r -> out.add(r.value().modelVersion()));
            }
        }
        return out;
    }

    @Test
    void listAnnounceAndRollback(@TempDir Path tmp) {
        List<Movie> movies = new ArrayList<>();
        List<ViewingEvent> events = new ArrayList<>();
        new SyntheticDataGenerator(GeneratorConfig.builder().seed(3).users(60).movies(150).targetEvents(3_000).tasteClusters(3).build())
                .generate(movies::add, events::add);
        TrainingConfig quick = TrainingConfig.fromMap(Map.of("expert.epochs", "2", "train.gateEpochs", "2"));
        MoeModel a = MoeTrainer.train("a", movies, events, quick);
        MoeModel b = MoeTrainer.train("b", movies, ShuffledInteractions.of(events, 1), quick);
        Path dir = tmp.resolve("store");
        ModelStore store = ModelStore.open(dir);
        ModelStore.Entry first = store.add(a, report(true, "bootstrap: no model is serving"));
        ModelStore.Entry second = store.add(b, report(true, "NDCG@10 0.3 >= serving 0.2 - epsilon 0.0"));
        store.update(s -> s.withServing(second.name(), true));
        Topic<String, ModelAnnouncement> models = KAFKA.createUniqueTopic(Topics.MODELS);

        MoerecCliTest.Run list = MoerecCliTest.run("model", "list", "--store", dir.toString());
        assertEquals(0, list.exit(), list.err());
        assertTrue(list.out().contains("  " + first.name()) && list.out().contains("* " + second.name()), list.out());
        assertTrue(list.out().contains("announced: bootstrap: no model is serving"), list.out());

        MoerecCliTest.Run back = MoerecCliTest.run("model", "rollback", "--store", dir.toString(), "--bootstrap", KAFKA.bootstrapServers(),
                "--topic", models.name());
        assertEquals(0, back.exit(), back.err());
        assertTrue(back.out().contains("rolled back to " + first.name() + " (was " + second.name() + ")"), back.out());
        assertEquals(first.name(), store.state().serving());
        assertTrue(store.state().announced());
        assertEquals(List.of(first.version()), versions(models));

        // A bundle from outside the store: verified, copied in, serving, announced.
        Path outside = tmp.resolve("outside");
        String version = ModelBundle.save(b, outside);
        MoerecCliTest.Run announce = MoerecCliTest.run("model", "announce", outside.toString(), "--store", dir.toString(),
                "--bootstrap", KAFKA.bootstrapServers(), "--topic", models.name());
        assertEquals(0, announce.exit(), announce.err());
        ModelStore.Entry imported = store.serving().orElseThrow();
        assertEquals(3, imported.sequence());
        assertEquals(CycleReport.IMPORT, imported.report().origin());
        assertEquals(List.of(first.version(), version), versions(models));

        MoerecCliTest.Run none = MoerecCliTest.run("model", "rollback", "nothing-like-it", "--store", dir.toString(),
                "--bootstrap", KAFKA.bootstrapServers(), "--topic", models.name());
        assertNotEquals(0, none.exit());
        assertTrue(none.err().contains("no model nothing-like-it"), none.err());
    }

    @Test
    void theTrainerStopsOnABadSettingNamingItsKey(@TempDir Path tmp) {
        MoerecCliTest.Run r = MoerecCliTest.run("trainer", "-s", "bootstrap.servers=127.0.0.1:1", "-s", "store.dir=" + tmp,
                "-s", "holdout.share=0.7");
        assertNotEquals(0, r.exit());
        assertTrue(r.err().contains("holdout.share"), r.err());
    }
}
