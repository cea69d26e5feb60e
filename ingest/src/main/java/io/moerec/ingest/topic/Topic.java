package io.moerec.ingest.topic;

import java.util.Map;
import java.util.Objects;
import org.apache.kafka.common.serialization.Serde;

/**
 * An immutable, typed description of one Kafka topic: its name, the serdes of its keys and values,
 * how many partitions it gets when moerec creates it, and its topic-level configuration.
 * {@link Topics} holds the project's topics; every module reads and writes through these.
 *
 * @param <K> key type
 * @param <V> value type
 */
public record Topic<K, V>(String name, Serde<K> keySerde, Serde<V> valueSerde, int partitions,
                          Map<String, String> config) {

    public Topic {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(keySerde, "keySerde");
        Objects.requireNonNull(valueSerde, "valueSerde");
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be positive: " + partitions);
        }
        config = Map.copyOf(config);
    }

    /** The same topic under another name (for example a per-test or per-tenant prefix). */
    public Topic<K, V> withName(String newName) {
        return new Topic<>(newName, keySerde, valueSerde, partitions, config);
    }

    /** The same topic read and written with another value serde (for example a codec with another record limit). */
    public Topic<K, V> withValueSerde(Serde<V> newValueSerde) {
        return new Topic<>(name, keySerde, newValueSerde, partitions, config);
    }

    public Topic<K, V> withPartitions(int newPartitions) {
        return new Topic<>(name, keySerde, valueSerde, newPartitions, config);
    }

    public boolean compacted() {
        return "compact".equals(config.get("cleanup.policy"));
    }
}
