package io.moerec.moe.streams;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.moerec.moe.routing.RouterKind;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.state.RocksDBConfigSetter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.Options;

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
    void theHttpHandlerThreadsAreAKey() {
        assertEquals(ScoringHttpServer.HANDLER_THREADS, ScoringConfig.fromMap(minimal()).httpThreads());
        Map<String, String> s = minimal();
        s.put(ScoringConfig.HTTP_THREADS, "16");
        assertEquals(16, ScoringConfig.fromMap(s).httpThreads());
        s.put(ScoringConfig.HTTP_THREADS, "0");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ScoringConfig.fromMap(s));
        assertTrue(e.getMessage().contains(ScoringConfig.HTTP_THREADS), e.getMessage());
    }

    @Test
    void theAdvertisedHostIsTheBindHostTheGivenHostOrTheHostNameForAWildcard() throws Exception {
        Map<String, String> s = minimal();
        s.put(ScoringConfig.HTTP_HOST, "127.0.0.2");
        assertEquals("127.0.0.2:9000", ScoringConfig.fromMap(s).streamsProperties(9000).get(StreamsConfig.APPLICATION_SERVER_CONFIG));
        // A replica bound to every interface must not advertise 0.0.0.0: the others could not reach it there.
        String hostName = java.net.InetAddress.getLocalHost().getHostName();
        for (String wildcard : new String[] {"0.0.0.0", "::", "[::]", "0:0:0:0:0:0:0:0"}) {
            s.put(ScoringConfig.HTTP_HOST, wildcard);
            assertEquals(hostName, ScoringConfig.fromMap(s).advertisedHost(), wildcard);
            assertEquals(hostName + ":9000", ScoringConfig.fromMap(s).streamsProperties(9000).get(StreamsConfig.APPLICATION_SERVER_CONFIG));
        }
        s.put(ScoringConfig.HTTP_ADVERTISED_HOST, "scoring-2.scoring");
        assertEquals("scoring-2.scoring:9000", ScoringConfig.fromMap(s).streamsProperties(9000).get(StreamsConfig.APPLICATION_SERVER_CONFIG));
        for (String notWildcard : new String[] {"localhost", "127.0.0.1", "::1", "10.0.0.7", "scoring"}) {
            assertFalse(ScoringConfig.isWildcard(notWildcard), notWildcard);
        }
        s.put(ScoringConfig.HTTP_ADVERTISED_HOST, "0.0.0.0");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ScoringConfig.fromMap(s));
        assertTrue(e.getMessage().contains(ScoringConfig.HTTP_ADVERTISED_HOST), e.getMessage());
        s.put(ScoringConfig.HTTP_ADVERTISED_HOST, "scoring-2.scoring");
        // An operator's own streams.application.server still wins.
        s.put("streams.application.server", "lb:80");
        assertEquals("lb:80", ScoringConfig.fromMap(s).streamsProperties(9000).get(StreamsConfig.APPLICATION_SERVER_CONFIG));
    }

    @Test
    void aFileWithOverridesAndStreamsPassThrough(@TempDir Path tmp) throws Exception {
        Path f = tmp.resolve("scoring.properties");
        Files.writeString(f, "bootstrap.servers=broker:9092\nmodel.path=/m\nnum.stream.threads=4\nrouter=balanced\n");
        ScoringConfig c = ScoringConfig.load(f, Map.of(), Map.of("num.stream.threads", "2", "streams.linger.ms", "5"));
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

    @Test
    void theProducerLingersFiveMsNotKafkaStreamsHundredUnlessSetOtherwise() {
        assertEquals("5", producerLinger(minimal()), "Kafka Streams' own default is 100 ms");
        Map<String, String> m = minimal();
        m.put(ScoringConfig.PRODUCER_LINGER_MS, "0");
        assertEquals("0", producerLinger(m));
        m.put("streams.producer.linger.ms", "20");
        assertEquals("20", producerLinger(m), "an explicit client setting wins");
        m.put(ScoringConfig.PRODUCER_LINGER_MS, "-1");
        assertKey(ScoringConfig.PRODUCER_LINGER_MS, m);
    }

    /** The linger.ms Kafka Streams gives its producer with the app's properties. */
    private static String producerLinger(Map<String, String> settings) {
        Properties p = ScoringConfig.fromMap(settings).streamsProperties(1);
        return String.valueOf(new StreamsConfig(p).getProducerConfigs("client").get(ProducerConfig.LINGER_MS_CONFIG));
    }

    @Test
    void rocksDbMemoryIsBoundedAndSharedByDefaultAndAnOperatorsSetterWins() {
        ScoringConfig c = ScoringConfig.fromMap(minimal());
        assertEquals(ScoringConfig.DEFAULT_ROCKSDB_MEMORY_BYTES, c.rocksDbMemoryBytes());
        assertEquals(0.5, c.rocksDbWriteBufferRatio());
        assertFalse(c.rocksDbStrictCapacityLimit());
        Properties p = c.streamsProperties(1);
        assertEquals(BoundedMemoryRocksDbConfigSetter.class, p.get(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG));
        assertTrue(ScoringConfig.boundsRocksDbMemory(p));
        try (SharedRocksDbMemory m = c.newSharedRocksDbMemory()) {
            assertEquals(64L << 20, m.capacityBytes());
            assertEquals(32L << 20, m.writeBufferBytes());
        }

        Map<String, String> s = minimal();
        s.put(ScoringConfig.ROCKSDB_MEMORY_BYTES, Long.toString(256L << 20));
        s.put(ScoringConfig.ROCKSDB_WRITE_BUFFER_RATIO, "0.25");
        s.put(ScoringConfig.ROCKSDB_STRICT_CAPACITY_LIMIT, "true");
        try (SharedRocksDbMemory m = ScoringConfig.fromMap(s).newSharedRocksDbMemory()) {
            assertEquals(256L << 20, m.capacityBytes());
            assertEquals(64L << 20, m.writeBufferBytes());
            assertTrue(m.strictCapacityLimit());
        }

        // 0: Kafka Streams' own memory per store, no setter of ours.
        s.put(ScoringConfig.ROCKSDB_MEMORY_BYTES, "0");
        Properties off = ScoringConfig.fromMap(s).streamsProperties(1);
        assertNull(off.get(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG));
        assertFalse(ScoringConfig.boundsRocksDbMemory(off));

        // An operator's setter wins; naming ours by its class name still gets the shared memory.
        Map<String, String> own = minimal();
        own.put("streams." + StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG, OwnSetter.class.getName());
        Properties ownProps = ScoringConfig.fromMap(own).streamsProperties(1);
        assertEquals(OwnSetter.class.getName(), ownProps.get(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG));
        assertFalse(ScoringConfig.boundsRocksDbMemory(ownProps));
        own.put("streams." + StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG, BoundedMemoryRocksDbConfigSetter.class.getName());
        assertTrue(ScoringConfig.boundsRocksDbMemory(ScoringConfig.fromMap(own).streamsProperties(1)));
    }

    @Test
    void badRocksDbMemorySettingsNameTheKey() {
        assertBadValues(ScoringConfig.ROCKSDB_MEMORY_BYTES, "64m", "-1", "1048576");
        assertBadValues(ScoringConfig.ROCKSDB_WRITE_BUFFER_RATIO, "1", "0", "NaN", "half");
        assertBadValues(ScoringConfig.ROCKSDB_STRICT_CAPACITY_LIMIT, "yes");
    }

    private static void assertBadValues(String key, String... values) {
        for (String v : values) {
            assertKey(key, Map.of(key, v));
        }
    }

    /** An operator's own setter (the key's validator loads the class, so it must exist). */
    public static final class OwnSetter implements RocksDBConfigSetter {
        @Override
        public void setConfig(String storeName, Options options, Map<String, Object> configs) {
        }

        @Override
        public void close(String storeName, Options options) {
        }
    }

    private static void assertKey(String key, Map<String, String> bad) {
        Map<String, String> m = minimal();
        m.putAll(bad);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ScoringConfig.fromMap(m));
        assertTrue(e.getMessage().contains(key), e.getMessage());
    }
}
