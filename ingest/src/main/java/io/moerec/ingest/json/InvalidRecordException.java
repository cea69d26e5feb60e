package io.moerec.ingest.json;

/**
 * A record that cannot be accepted, with a machine-readable {@link RejectReason} and a precise,
 * human-readable detail naming the field. Checked on purpose: every caller must decide where the
 * record goes (normally the dead-letter topic), so that nothing is dropped silently.
 */
public final class InvalidRecordException extends Exception {

    private final RejectReason reason;

    public InvalidRecordException(RejectReason reason, String detail) {
        super(detail);
        this.reason = reason;
    }

    public InvalidRecordException(RejectReason reason, String detail, Throwable cause) {
        super(detail, cause);
        this.reason = reason;
    }

    public RejectReason reason() {
        return reason;
    }

    /** The detail without the reason code, e.g. {@code field 'rating' must be a number}. */
    public String detail() {
        return getMessage();
    }

    @Override
    public String toString() {
        return reason + ": " + getMessage();
    }
}
