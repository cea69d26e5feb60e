package io.moerec.ingest.source;

import io.moerec.ingest.json.RejectReason;

/**
 * One unit read from an input file: either a valid value or a rejection that keeps the original
 * bytes, so that nothing read is ever lost silently. {@code position} is where it came from
 * (1-based line number of the file named by {@code source}).
 *
 * @param <T> the record type
 */
public sealed interface Parsed<T> {

    String source();

    long position();

    /** A value that passed every check. */
    record Ok<T>(T value, String source, long position) implements Parsed<T> {
    }

    /** A line that did not, with its original bytes and the precise reason. */
    record Rejected<T>(byte[] original, String source, long position, RejectReason reason, String detail)
            implements Parsed<T> {
    }
}
