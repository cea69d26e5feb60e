package io.moerec.features.flink;

import java.util.Arrays;
import java.util.Objects;

/**
 * A Kafka record as it arrived, before any decoding: the pipeline's sources emit these so that a
 * record that cannot be decoded still has its original bytes for the dead-letter topic, and tests can
 * feed the same bytes a broker would. A Flink POJO (public no-argument constructor, getters and
 * setters). {@code value} is {@code null} for a tombstone.
 */
public final class RawRecord {

    private byte[] key;
    private byte[] value;
    private String topic = "";
    private int partition;
    private long offset;

    public RawRecord() {
    }

    public RawRecord(byte[] key, byte[] value, String topic, int partition, long offset) {
        this.key = key;
        this.value = value;
        this.topic = Objects.requireNonNull(topic, "topic");
        this.partition = partition;
        this.offset = offset;
    }

    public byte[] getKey() {
        return key;
    }

    public void setKey(byte[] key) {
        this.key = key;
    }

    public byte[] getValue() {
        return value;
    }

    public void setValue(byte[] value) {
        this.value = value;
    }

    public String getTopic() {
        return topic;
    }

    public void setTopic(String topic) {
        this.topic = topic;
    }

    public int getPartition() {
        return partition;
    }

    public void setPartition(int partition) {
        this.partition = partition;
    }

    public long getOffset() {
        return offset;
    }

    public void setOffset(long offset) {
        this.offset = offset;
    }

    /** Where the record came from, as the dead-letter header {@code moerec.position} gives it. */
    public String position() {
        return partition + ":" + offset;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RawRecord r && partition == r.partition && offset == r.offset
                && topic.equals(r.topic) && Arrays.equals(key, r.key) && Arrays.equals(value, r.value);
    }

    @Override
    public int hashCode() {
        return Objects.hash(topic, partition, offset) * 31 + Arrays.hashCode(value);
    }

    @Override
    public String toString() {
        return "RawRecord[" + topic + "@" + position() + ", " + (value == null ? "tombstone" : value.length + " bytes") + "]";
    }
}
