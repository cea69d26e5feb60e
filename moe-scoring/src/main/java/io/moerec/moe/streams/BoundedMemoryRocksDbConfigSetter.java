package io.moerec.moe.streams;

import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.streams.state.RocksDBConfigSetter;
import org.rocksdb.Options;

/**
 * The scoring app's default {@code rocksdb.config.setter}: every store of an app instance uses the
 * instance's {@link SharedRocksDbMemory}, found in the Kafka Streams configuration under
 * {@value SharedRocksDbMemory#CONFIG} (Kafka Streams creates one setter per store by reflection, so
 * the configuration is the only way in; no static state, so two app instances in one JVM stay
 * apart). Without that entry a store fails to open, naming it. {@link #close} frees nothing: the
 * memory is shared and its owner, {@link ScoringApp}, closes it after every store has closed.
 */
public final class BoundedMemoryRocksDbConfigSetter implements RocksDBConfigSetter {

    @Override
    public void setConfig(String storeName, Options options, Map<String, Object> configs) {
        Object memory = configs.get(SharedRocksDbMemory.CONFIG);
        if (!(memory instanceof SharedRocksDbMemory shared)) {
            throw new ConfigException(SharedRocksDbMemory.CONFIG, memory, BoundedMemoryRocksDbConfigSetter.class.getSimpleName()
                    + " needs the app instance's " + SharedRocksDbMemory.class.getSimpleName() + " (store " + storeName + ")");
        }
        shared.applyTo(options);
    }

    @Override
    public void close(String storeName, Options options) {
        // Nothing of this store's own: the cache and write-buffer manager belong to the app instance.
    }
}
