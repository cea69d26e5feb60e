package io.moerec.features.flink;

import io.moerec.ingest.json.RejectReason;
import java.util.Arrays;
import java.util.Objects;

/**
 * A viewing-event record that could not be decoded, on its way to the dead-letter topic: the
 * original key and value bytes untouched, the {@link RejectReason} name and detail, and where it came
 * from (see {@link io.moerec.ingest.topic.DeadLetters}). A Flink POJO.
 */
public final class RejectedRecord {

    private byte[] key;
    private byte[] value;
    private String reason = "";
    private String detail = "";
    private String source = "";
    private String position = "";

    public RejectedRecord() {
    }

    public RejectedRecord(RawRecord raw, RejectReason reason, String detail) {
        this.key = raw.getKey();
        this.value = raw.getValue();
        this.reason = reason.name();
        this.detail = Objects.requireNonNull(detail, "detail");
        this.source = raw.getTopic();
        this.position = raw.position();
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

    public String getReason() {
        return reason;
    }

    public void setReason(String reason) {
        this.reason = reason;
    }

    public String getDetail() {
        return detail;
    }

    public void setDetail(String detail) {
        this.detail = detail;
    }

    public String getSource() {
        return source;
    }

    public void setSource(String source) {
        this.source = source;
    }

    public String getPosition() {
        return position;
    }

    public void setPosition(String position) {
        this.position = position;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RejectedRecord r && reason.equals(r.reason) && detail.equals(r.detail)
                && source.equals(r.source) && position.equals(r.position)
                && Arrays.equals(key, r.key) && Arrays.equals(value, r.value);
    }

    @Override
    public int hashCode() {
        return Objects.hash(reason, detail, source, position) * 31 + Arrays.hashCode(value);
    }

    @Override
    public String toString() {
        return "RejectedRecord[" + reason + ": " + detail + " at " + source + "@" + position + "]";
    }
}
