package io.moerec.moe.streams;

import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.Cache;
import org.rocksdb.IndexType;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.WriteBufferManager;

/**
 * The off-heap memory of every RocksDB store of one scoring app instance: one LRU block cache of
 * {@code capacityBytes} and one write-buffer manager that charges the stores' memtables (at most
 * {@code writeBufferRatio} of the capacity) to that cache, so that the stores together stay within
 * {@code capacityBytes} however many stores and partitions the instance holds. Without it Kafka
 * Streams gives each store instance its own 50 MiB cache and up to 3 × 16 MiB memtables
 * (jobs/BENCH.md, "Many users"). Index and filter blocks live in the cache too, in its
 * high-priority pool ({@value #HIGH_PRIORITY_RATIO} of it), as two-level (partitioned) indexes and
 * filters whose small top level is pinned: a {@code get} loads one small partition instead of a
 * whole index block, which is what the features job needed at one million users.
 *
 * <p>{@link ScoringApp} builds one per instance, passes it to Kafka Streams as the value of
 * {@value #CONFIG} (read by {@link BoundedMemoryRocksDbConfigSetter}) and closes it only after Kafka
 * Streams has closed every store: a store's {@link org.apache.kafka.streams.state.RocksDBConfigSetter#close}
 * runs before its database closes, so no store may free what others still use. Two instances in one
 * JVM each have their own.
 */
public final class SharedRocksDbMemory implements AutoCloseable {

    /** The Kafka Streams property whose value is the instance's {@link SharedRocksDbMemory} object. */
    public static final String CONFIG = "moerec.rocksdb.shared-memory";

    /** Share of the cache kept for index and filter blocks, so data blocks do not evict them. */
    static final double HIGH_PRIORITY_RATIO = 0.1;

    private final long capacityBytes;
    private final long writeBufferBytes;
    private final boolean strictCapacityLimit;
    private final LRUCache cache;
    private final WriteBufferManager writeBuffers;
    private boolean closed;

    /**
     * @param capacityBytes       the budget of all stores together: block cache, index and filter
     *                            blocks and memtables
     * @param writeBufferRatio    the share of it memtables may take, in (0, 1)
     * @param strictCapacityLimit whether the cache refuses inserts beyond its capacity (a read then
     *                            fails) instead of going over it for a moment
     */
    public SharedRocksDbMemory(long capacityBytes, double writeBufferRatio, boolean strictCapacityLimit) {
        if (capacityBytes <= 0 || !(writeBufferRatio > 0 && writeBufferRatio < 1)) {
            throw new IllegalArgumentException("capacity must be > 0 and the write-buffer ratio in (0, 1), got "
                    + capacityBytes + " and " + writeBufferRatio);
        }
        RocksDB.loadLibrary();
        this.capacityBytes = capacityBytes;
        this.writeBufferBytes = (long) (capacityBytes * writeBufferRatio);
        this.strictCapacityLimit = strictCapacityLimit;
        this.cache = new LRUCache(capacityBytes, -1, strictCapacityLimit, HIGH_PRIORITY_RATIO);
        this.writeBuffers = new WriteBufferManager(writeBufferBytes, cache);
    }

    /** Points one store's options at the shared cache and write-buffer manager. */
    synchronized void applyTo(Options options) {
        if (closed) {
            throw new IllegalStateException("the scoring app's shared RocksDB memory is closed");
        }
        // Kafka Streams' own table config (its class lets its metrics see the cache): change it, do not replace it.
        BlockBasedTableConfig table = (BlockBasedTableConfig) options.tableFormatConfig();
        table.setBlockCache(cache);
        table.setCacheIndexAndFilterBlocks(true);
        table.setCacheIndexAndFilterBlocksWithHighPriority(true);
        table.setIndexType(IndexType.kTwoLevelIndexSearch);
        table.setPartitionFilters(true);
        table.setPinTopLevelIndexAndFilter(true);
        options.setTableFormatConfig(table);
        options.setWriteBufferManager(writeBuffers);
    }

    public long capacityBytes() {
        return capacityBytes;
    }

    public long writeBufferBytes() {
        return writeBufferBytes;
    }

    public boolean strictCapacityLimit() {
        return strictCapacityLimit;
    }

    /** The shared block cache (for tests and metrics). */
    public Cache cache() {
        return cache;
    }

    /** Bytes in the cache now, memtable reservations included. */
    public synchronized long usageBytes() {
        return closed ? 0 : cache.getUsage();
    }

    /** Frees the native cache and write-buffer manager; only once no store of the instance is open. */
    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            writeBuffers.close();
            cache.close();
        }
    }

    @Override
    public String toString() {
        return "SharedRocksDbMemory[capacity=" + capacityBytes + " B, memtables up to " + writeBufferBytes
                + " B, strict=" + strictCapacityLimit + "]";
    }
}
