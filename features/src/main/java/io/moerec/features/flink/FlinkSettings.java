package io.moerec.features.flink;

import java.time.Duration;
import java.util.Objects;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.state.rocksdb.RocksDBConfigurableOptions;
import org.apache.flink.state.rocksdb.RocksDBOptions;

/**
 * The Flink configuration the features job runs with, in one place. Flink 2.x has no
 * {@code env.setStateBackend}: the RocksDB backend, incremental checkpoints, exactly-once
 * checkpointing and checkpoint retention are all {@link Configuration} entries. Generic (Kryo) types
 * are turned off so that a type without an explicit serializer fails at job build time instead of
 * silently slowing down state access. RocksDB's read path is set for many keys
 * ({@link #rocksDbReadPath}).
 */
public final class FlinkSettings {

    private FlinkSettings() {
    }

    /**
     * @param checkpointInterval how often to checkpoint (also how often exactly-once sinks commit, so
     *                           the end-to-end latency floor of {@code user-features})
     * @param checkpointDir      a URI such as {@code file:///var/lib/moerec/checkpoints}
     */
    public static Configuration rocksDbExactlyOnce(Duration checkpointInterval, String checkpointDir) {
        return checkpointsIn(rocksDbExactlyOnce(checkpointInterval), checkpointDir);
    }

    /**
     * As {@link #rocksDbExactlyOnce(Duration, String)} but without a checkpoint directory or storage:
     * on a cluster, its own {@code execution.checkpointing.dir} applies.
     */
    public static Configuration rocksDbExactlyOnce(Duration checkpointInterval) {
        Configuration c = new Configuration();
        c.set(StateBackendOptions.STATE_BACKEND, "rocksdb");
        c.set(CheckpointingOptions.INCREMENTAL_CHECKPOINTS, true);
        c.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, checkpointInterval);
        c.set(CheckpointingOptions.CHECKPOINTING_CONSISTENCY_MODE, CheckpointingMode.EXACTLY_ONCE);
        c.set(CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION, ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
        c.set(CheckpointingOptions.MAX_RETAINED_CHECKPOINTS, 3);
        c.set(PipelineOptions.GENERIC_TYPES, false);
        return rocksDbReadPath(c, true, true);
    }

    /** Keeps checkpoints on the file system under {@code checkpointDir} (a URI), on {@code c}, and returns it. */
    public static Configuration checkpointsIn(Configuration c, String checkpointDir) {
        Objects.requireNonNull(checkpointDir, "checkpointDir");
        c.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
        c.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, checkpointDir);
        return c;
    }

    /**
     * Sets how RocksDB finds a key, on {@code c}, and returns it. Measured at one million users
     * (jobs/BENCH.md, "Many users"): with Flink's defaults (one index block per SST file, no bloom
     * filter) the index blocks did not stay in the managed-memory block cache, every {@code get} read
     * and decompressed a whole index block again (96–97% of the task thread's samples in
     * {@code perf}, with the local default 128 MiB of managed memory and with 256 MiB) and the job fell
     * from 15–20 k to a few hundred events/s.
     * <ul>
     *   <li>{@code partitionedIndexFilters}: two-level index and filters
     *   ({@code state.backend.rocksdb.memory.partitioned-index-filters}): only the small top level
     *   is pinned, a {@code get} loads one small partition.</li>
     *   <li>{@code bloomFilter}: a bloom filter per file
     *   ({@code state.backend.rocksdb.use-bloom-filter}), so that a {@code get} of an absent key,
     *   such as every new user's first event, skips the files that cannot hold it.</li>
     * </ul>
     */
    public static Configuration rocksDbReadPath(Configuration c, boolean partitionedIndexFilters, boolean bloomFilter) {
        c.set(RocksDBOptions.USE_PARTITIONED_INDEX_FILTERS, partitionedIndexFilters);
        c.set(RocksDBConfigurableOptions.USE_BLOOM_FILTER, bloomFilter);
        return c;
    }
}
