package io.moerec.features.flink;

import java.time.Duration;
import java.util.Objects;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.core.execution.CheckpointingMode;

/**
 * The Flink configuration the features job runs with, in one place. Flink 2.x has no
 * {@code env.setStateBackend}: the RocksDB backend, incremental checkpoints, exactly-once
 * checkpointing and checkpoint retention are all {@link Configuration} entries. Generic (Kryo) types
 * are turned off so that a type without an explicit serializer fails at job build time instead of
 * silently slowing down state access.
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
        Objects.requireNonNull(checkpointDir, "checkpointDir");
        Configuration c = new Configuration();
        c.set(StateBackendOptions.STATE_BACKEND, "rocksdb");
        c.set(CheckpointingOptions.INCREMENTAL_CHECKPOINTS, true);
        c.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
        c.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, checkpointDir);
        c.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, checkpointInterval);
        c.set(CheckpointingOptions.CHECKPOINTING_CONSISTENCY_MODE, CheckpointingMode.EXACTLY_ONCE);
        c.set(CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION, ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
        c.set(CheckpointingOptions.MAX_RETAINED_CHECKPOINTS, 3);
        c.set(PipelineOptions.GENERIC_TYPES, false);
        return c;
    }
}
