package io.moerec.ingest.source;

import io.moerec.ingest.domain.Movie;
import io.moerec.ingest.domain.ViewingEvent;
import java.time.Instant;
import java.util.NoSuchElementException;
import java.util.Objects;

/**
 * The events of a {@link DataSet} whose event time lies in {@code [from, to)}, in the base's order,
 * with the same catalog: the history before a cut and the live part after it. Rejected lines go
 * with the slice that {@code keepRejected} names, so that splitting a data set in two loses no line.
 */
public final class EventTimeSlice implements DataSet {

    private final DataSet base;
    private final long from;
    private final long to;
    private final boolean keepRejected;

    private EventTimeSlice(DataSet base, long from, long to, boolean keepRejected) {
        this.base = Objects.requireNonNull(base, "base");
        if (from >= to) {
            throw new IllegalArgumentException("empty slice: from " + from + " is not before to " + to);
        }
        this.from = from;
        this.to = to;
        this.keepRejected = keepRejected;
    }

    /** Events strictly before {@code cut}, and the rejected lines. */
    public static EventTimeSlice before(DataSet base, long cut) {
        return new EventTimeSlice(base, Long.MIN_VALUE, cut, true);
    }

    /** Events at or after {@code cut}; no rejected lines (they went with {@link #before}). */
    public static EventTimeSlice from(DataSet base, long cut) {
        return new EventTimeSlice(base, cut, Long.MAX_VALUE, false);
    }

    /** Events in {@code [from, to)}; no rejected lines (they go with {@link #before}): a phase of the live part. */
    public static EventTimeSlice between(DataSet base, long from, long to) {
        return new EventTimeSlice(base, from, to, false);
    }

    @Override
    public String description() {
        if (from == Long.MIN_VALUE) {
            return base.description() + " before " + Instant.ofEpochMilli(to);
        }
        return base.description() + " from " + Instant.ofEpochMilli(from)
                + (to == Long.MAX_VALUE ? "" : " before " + Instant.ofEpochMilli(to));
    }

    @Override
    public RecordStream<Movie> movies() {
        return base.movies();
    }

    @Override
    public RecordStream<ViewingEvent> events() {
        RecordStream<ViewingEvent> all = base.events();
        return new RecordStream<>() {
            private Parsed<ViewingEvent> next;

            @Override
            public boolean hasNext() {
                while (next == null && all.hasNext()) {
                    Parsed<ViewingEvent> p = all.next();
                    if (p instanceof Parsed.Ok<ViewingEvent> ok ? inSlice(ok.value().eventTime()) : keepRejected) {
                        next = p;
                    }
                }
                return next != null;
            }

            @Override
            public Parsed<ViewingEvent> next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                Parsed<ViewingEvent> p = next;
                next = null;
                return p;
            }

            @Override
            public void close() {
                all.close();
            }
        };
    }

    private boolean inSlice(long eventTime) {
        return eventTime >= from && eventTime < to;
    }
}
