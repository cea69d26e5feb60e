package io.moerec.ingest.source;

import java.util.Iterator;

/**
 * A stream of parsed records read lazily from disk. Must be closed. Iteration order is the order
 * the {@link DataSet} documents (events: ascending event time).
 *
 * @param <T> the record type
 */
public interface RecordStream<T> extends Iterator<Parsed<T>>, AutoCloseable {

    /** Closes the underlying files; no checked exception, I/O failures surface as unchecked. */
    @Override
    void close();
}
