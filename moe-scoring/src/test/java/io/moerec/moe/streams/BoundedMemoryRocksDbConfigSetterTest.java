package io.moerec.moe.streams;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.streams.state.internals.BlockBasedTableConfigWithAccessibleCache;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.IndexType;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;

/**
 * The default setter: every store of one app instance gets that instance's cache and write-buffer
 * manager (Kafka Streams' own table config changed, not replaced), another instance gets its own,
 * real stores charge the shared cache, and a missing memory fails naming the key.
 */
class BoundedMemoryRocksDbConfigSetterTest {

    /** Options as Kafka Streams hands them to the setter: its own table config with a per-store cache. */
    private static Options kafkaStreamsOptions() {
        Options o = new Options().setCreateIfMissing(true);
        o.setTableFormatConfig(new BlockBasedTableConfigWithAccessibleCache());
        return o;
    }

    @Test
    void storesOfOneInstanceShareOneCacheAndWriteBufferManagerAndAnotherInstanceHasItsOwn() {
        BoundedMemoryRocksDbConfigSetter setter = new BoundedMemoryRocksDbConfigSetter();
        try (SharedRocksDbMemory one = new SharedRocksDbMemory(32L << 20, 0.5, false);
             SharedRocksDbMemory two = new SharedRocksDbMemory(32L << 20, 0.5, false);
             Options a = kafkaStreamsOptions(); Options b = kafkaStreamsOptions(); Options c = kafkaStreamsOptions()) {
            setter.setConfig("watched", a, Map.of(SharedRocksDbMemory.CONFIG, one));
            setter.setConfig("last-lists", b, Map.of(SharedRocksDbMemory.CONFIG, one));
            setter.setConfig("watched", c, Map.of(SharedRocksDbMemory.CONFIG, two));
            BlockBasedTableConfigWithAccessibleCache ta = (BlockBasedTableConfigWithAccessibleCache) a.tableFormatConfig();
            BlockBasedTableConfigWithAccessibleCache tb = (BlockBasedTableConfigWithAccessibleCache) b.tableFormatConfig();
            BlockBasedTableConfigWithAccessibleCache tc = (BlockBasedTableConfigWithAccessibleCache) c.tableFormatConfig();
            assertSame(one.cache(), ta.blockCache());
            assertSame(one.cache(), tb.blockCache());
            assertSame(two.cache(), tc.blockCache());
            assertNotSame(ta.blockCache(), tc.blockCache());
            assertSame(a.writeBufferManager(), b.writeBufferManager());
            assertNotSame(a.writeBufferManager(), c.writeBufferManager());
            assertTrue(ta.cacheIndexAndFilterBlocks() && ta.cacheIndexAndFilterBlocksWithHighPriority() && ta.pinTopLevelIndexAndFilter());
            assertTrue(ta.partitionFilters());
            assertEquals(IndexType.kTwoLevelIndexSearch, ta.indexType());
            assertEquals(32L << 20, one.capacityBytes());
            assertEquals(16L << 20, one.writeBufferBytes());
            setter.close("watched", a); // frees nothing shared
            assertTrue(one.usageBytes() >= 0);
        }
    }

    @Test
    void realStoresChargeTheSharedCacheAndItIsFreedOnlyByItsOwner(@TempDir Path dir) throws Exception {
        BoundedMemoryRocksDbConfigSetter setter = new BoundedMemoryRocksDbConfigSetter();
        SharedRocksDbMemory memory = new SharedRocksDbMemory(16L << 20, 0.5, false);
        try (memory; Options a = kafkaStreamsOptions(); Options b = kafkaStreamsOptions()) {
            setter.setConfig("s1", a, Map.of(SharedRocksDbMemory.CONFIG, memory));
            setter.setConfig("s2", b, Map.of(SharedRocksDbMemory.CONFIG, memory));
            try (RocksDB s1 = RocksDB.open(a, dir.resolve("s1").toString());
                 RocksDB s2 = RocksDB.open(b, dir.resolve("s2").toString())) {
                for (int i = 0; i < 2000; i++) {
                    byte[] k = ("u" + i).getBytes(StandardCharsets.UTF_8);
                    s1.put(k, new byte[100]);
                    s2.put(k, new byte[100]);
                }
                assertTrue(memory.usageBytes() > 0, "the memtables are charged to the shared cache");
                setter.close("s1", a);
                setter.close("s2", b);
                s1.put("after".getBytes(StandardCharsets.UTF_8), new byte[1]); // the setter's close freed nothing
            }
        }
        assertEquals(0, memory.usageBytes());
        assertThrows(IllegalStateException.class, () -> {
            try (Options o = kafkaStreamsOptions()) {
                setter.setConfig("late", o, Map.of(SharedRocksDbMemory.CONFIG, memory));
            }
        });
    }

    @Test
    void withoutTheInstancesMemoryAStoreFailsNamingTheKey() {
        try (Options o = kafkaStreamsOptions()) {
            ConfigException e = assertThrows(ConfigException.class,
                    () -> new BoundedMemoryRocksDbConfigSetter().setConfig("watched", o, Map.of()));
            assertTrue(e.getMessage().contains(SharedRocksDbMemory.CONFIG) && e.getMessage().contains("watched"), e.getMessage());
        }
    }
}
