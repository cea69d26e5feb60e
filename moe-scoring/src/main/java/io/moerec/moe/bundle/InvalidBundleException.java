package io.moerec.moe.bundle;

/** A model bundle that cannot be loaded: missing, corrupted, or of a version this build does not read. */
public final class InvalidBundleException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public InvalidBundleException(String message) {
        super(message);
    }

    public InvalidBundleException(String message, Throwable cause) {
        super(message, cause);
    }
}
