package io.moerec.jobs.scoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.moerec.moe.routing.RouterKind;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Configuration: defaults, file plus overrides, and errors that name the key. */
class ScoringConfigTest {

    private static Map<String, String> minimal() {
        return new HashMap<>(Map.of(ScoringConfig.BOOTSTRAP_SERVERS, "localhost:9092", ScoringConfig.MODEL_PATH, "/models/a"));
    }

    @Test
    void defaultsAreExactlyOnceOneThreadNoStandbysSoftmaxTopTen() {
        ScoringConfig c = ScoringConfig.fromMap(minimal());
        assertEquals(StreamsConfig.EXACTLY_ONCE_V2, c.processingGuarantee());
        assertEquals(1, c.streamThreads());
        assertEquals(0, c.standbyReplicas());
        assertEquals(RouterKind.SOFTMAX, c.router());
        assertEquals(10, c.topN());
        assertEquals(0, c.coalesceIntervalMs());
        assertNull(c.modelWatchDir());
        Properties p = c.streamsProperties(8081);
        assertEquals("127.0.0.1:8081", p.get(StreamsConfig.APPLICATION_SERVER_CONFIG));
        assertEquals(DeadLetterHandler.class, p.get(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG));
    }

    @Test
    void aFileWithOverridesAndStreamsPassThrough(@TempDir Path tmp) throws Exception {
        Path f = tmp.resolve("scoring.properties");
        Files.writeString(f, "bootstrap.servers=broker:9092\nmodel.path=/m\nnum.stream.threads=4\nrouter=balanced\n");
        ScoringConfig c = ScoringConfig.fromMap(ScoringConfig.load(f, Map.of("num.stream.threads", "2", "streams.linger.ms", "5")));
        assertEquals(2, c.streamThreads());
        assertEquals(RouterKind.BALANCED, c.router());
        assertEquals("5", c.streamsProperties(1).get("linger.ms"));
    }

    @Test
    void errorsNameTheKey() {
        assertKey(ScoringConfig.BOOTSTRAP_SERVERS, Map.of(ScoringConfig.BOOTSTRAP_SERVERS, " "));
        assertKey(ScoringConfig.MODEL_PATH, Map.of(ScoringConfig.MODEL_PATH, ""));
        assertKey(ScoringConfig.STREAM_THREADS, Map.of(ScoringConfig.STREAM_THREADS, "zero"));
        assertKey(ScoringConfig.STANDBY_REPLICAS, Map.of(ScoringConfig.STANDBY_REPLICAS, "-1"));
        assertKey(ScoringConfig.PROCESSING_GUARANTEE, Map.of(ScoringConfig.PROCESSING_GUARANTEE, "exactly_once"));
        assertKey(ScoringConfig.ROUTER, Map.of(ScoringConfig.ROUTER, "fancy"));
        assertKey(ScoringConfig.TOP_N, Map.of(ScoringConfig.TOP_N, "0"));
        assertKey("topn", Map.of("topn", "5"));
        assertKey(ScoringConfig.MAX_RECORD_BYTES, Map.of(ScoringConfig.MAX_RECORD_BYTES, "255"));
        assertKey(ScoringConfig.MAX_RECORD_BYTES, Map.of(ScoringConfig.MAX_RECORD_BYTES, "99999999999"));
        assertKey(ScoringConfig.MAX_RECORD_BYTES, Map.of(ScoringConfig.MAX_RECORD_BYTES, "64k"));
    }

    @Test
    void theRecordLimitDefaultsTo256KiBAndTheProducerTakesDeadLettersOf2MiB() {
        assertEquals(256 * 1024, ScoringConfig.fromMap(minimal()).maxRecordBytes());
        Map<String, String> m = minimal();
        m.put(ScoringConfig.MAX_RECORD_BYTES, "1024");
        assertEquals(1024, ScoringConfig.fromMap(m).maxRecordBytes());
        assertEquals(2 * 1024 * 1024, ScoringConfig.fromMap(minimal()).streamsProperties(1)
                .get(StreamsConfig.producerPrefix("max.request.size")));
        // An explicit producer setting wins.
        m.put("streams.producer.max.request.size", "4194304");
        assertEquals("4194304", ScoringConfig.fromMap(m).streamsProperties(1).get(StreamsConfig.producerPrefix("max.request.size")));
    }

    private static void assertKey(String key, Map<String, String> bad) {
        Map<String, String> m = minimal();
        m.putAll(bad);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ScoringConfig.fromMap(m));
        assertTrue(e.getMessage().contains(key), e.getMessage());
    }
}
