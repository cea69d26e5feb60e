package io.moerec.jobs.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.moerec.ingest.config.ConfigurationReference;
import io.moerec.moe.routing.RouterKind;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The trainer's keys: defaults, validation naming the key, the families, and the committed reference page. */
class TrainerConfigTest {

    private static Map<String, String> with(String... kv) {
        Map<String, String> m = new HashMap<>(Map.of(TrainerConfig.BOOTSTRAP_SERVERS, "127.0.0.1:9092", TrainerConfig.STORE_DIR, "/var/store"));
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    @Test
    void theCommittedReferenceIsGeneratedFromTheKeySpec() throws Exception {
        ConfigurationReference.assertCommitted(TrainerConfig.referencePage(), "jobs", "TrainerConfig.SPEC");
    }

    @Test
    void defaultsAndFamilies() {
        TrainerConfig c = TrainerConfig.fromMap(with("training.expert.epochs", "3", "kafka.security.protocol", "SASL_SSL"));
        assertEquals(Path.of("/var/store"), c.storeDir());
        assertEquals(100_000, c.windowEvents());
        assertEquals(10_000, c.cadence().everyEvents());
        assertEquals(0, c.cadence().everyMillis());
        assertEquals(RouterKind.SOFTMAX, c.blessRouter());
        assertEquals(3, c.training().expert().epochs());
        assertEquals("SASL_SSL", c.clientProperties().get("security.protocol"));
        assertEquals(120 * 60_000L, TrainerConfig.fromMap(with("retrain.every-minutes", "120")).cadence().everyMillis());
    }

    @Test
    void warmStartsAreOffByDefaultAndNeedAServingModel() {
        io.moerec.moe.MoeModel serving = io.moerec.moe.Fixtures.model();
        assertEquals(null, TrainerConfig.fromMap(with()).warmStart(serving));
        TrainerConfig warm = TrainerConfig.fromMap(with("warm-start.expert-epochs", "1"));
        assertEquals(null, warm.warmStart(null));
        assertEquals(new io.moerec.moe.train.WarmStart(serving, 1, 3), warm.warmStart(serving));
    }

    @Test
    void aBadValueStopsStartUpNamingItsKey() {
        for (String[] bad : new String[][] {{"window.events", "5"}, {"holdout.share", "0.9"}, {"bless.epsilon", "-1"},
                {"bless.router", "nearest"}, {"store.keep", "0"}, {"retrain.every-events", "-3"}, {"input.max-record-bytes", "1"},
                {"warm-start.expert-epochs", "-1"}, {"warm-start.gate-epochs", "0"}}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TrainerConfig.fromMap(with(bad)));
            assertTrue(e.getMessage().contains(bad[0]), e.getMessage());
        }
        IllegalArgumentException both = assertThrows(IllegalArgumentException.class,
                () -> TrainerConfig.fromMap(with("retrain.every-events", "0", "retrain.every-minutes", "0")));
        assertTrue(both.getMessage().contains("retrain.every-events") && both.getMessage().contains("retrain.every-minutes"));
        IllegalArgumentException training = assertThrows(IllegalArgumentException.class,
                () -> TrainerConfig.fromMap(with("training.expert.epoch", "3")));
        assertTrue(training.getMessage().contains("training.") && training.getMessage().contains("expert.epoch"), training.getMessage());
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> TrainerConfig.fromMap(Map.of(TrainerConfig.BOOTSTRAP_SERVERS, "h:1")));
        assertTrue(missing.getMessage().contains(TrainerConfig.STORE_DIR), missing.getMessage());
        IllegalArgumentException owned = assertThrows(IllegalArgumentException.class,
                () -> TrainerConfig.fromMap(with("kafka.group.id", "x")));
        assertTrue(owned.getMessage().contains("group.id"), owned.getMessage());
        assertFalse(TrainerConfig.fromMap(with("kafka.sasl.jaas.config",
                "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"u\" password=\"secret-text\";")).toString().contains("secret-text"));
    }
}
