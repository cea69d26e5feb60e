package io.moerec.features.flink;

/**
 * Per-user bookkeeping of the optional emission rate limit: the event time of the last emitted
 * update, and the trigger of an update held back since (the last one is always emitted, by a timer).
 * A Flink POJO; absent when the rate limit is off.
 */
public final class EmissionState {

    private long lastEmittedAt;
    private String heldTriggerId;
    private long heldTriggerTime;

    public EmissionState() {
    }

    public long getLastEmittedAt() {
        return lastEmittedAt;
    }

    public void setLastEmittedAt(long lastEmittedAt) {
        this.lastEmittedAt = lastEmittedAt;
    }

    /** The held-back update's trigger event id, or {@code null} when nothing is held. */
    public String getHeldTriggerId() {
        return heldTriggerId;
    }

    public void setHeldTriggerId(String heldTriggerId) {
        this.heldTriggerId = heldTriggerId;
    }

    public long getHeldTriggerTime() {
        return heldTriggerTime;
    }

    public void setHeldTriggerTime(long heldTriggerTime) {
        this.heldTriggerTime = heldTriggerTime;
    }
}
