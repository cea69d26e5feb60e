package io.moerec.ingest.replay;

/**
 * A replay or catalog load that stopped because a record could not be delivered (or the replay was
 * interrupted). Says how far it got, so that an operator knows what reached the broker: every record
 * before {@code read} was handed to the producer, {@code acknowledged} of them are confirmed.
 */
public final class ReplayException extends RuntimeException {

    private final long read;
    private final long acknowledged;

    public ReplayException(String message, long read, long acknowledged, Throwable cause) {
        super(message + " (after " + read + " records read, " + acknowledged + " acknowledged)", cause);
        this.read = read;
        this.acknowledged = acknowledged;
    }

    public long read() {
        return read;
    }

    public long acknowledged() {
        return acknowledged;
    }
}
