package io.moerec.jobs.bench;

import io.moerec.ingest.domain.Movie;
import io.moerec.ingest.domain.ViewingEvent;
import io.moerec.ingest.source.DataSet;
import io.moerec.ingest.source.Parsed;
import io.moerec.ingest.source.RecordStream;
import java.time.Duration;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * A data set whose event stream ends {@code limit} after it was first asked for an event, or at its
 * base's end if that comes first: the benchmark's load phase offered for a fixed time. What is read
 * is a prefix of the base's events, so each user's events stay in order.
 */
final class TimeBoxedDataSet implements DataSet {

    private final DataSet base;
    private final long limitNanos;
    private final LongSupplier nanoClock;

    /**
     * @param nanoClock a monotonic clock in ns ({@code System::nanoTime} in the benchmark)
     */
    TimeBoxedDataSet(DataSet base, Duration limit, LongSupplier nanoClock) {
        this.base = Objects.requireNonNull(base, "base");
        if (limit.isNegative() || limit.isZero()) {
            throw new IllegalArgumentException("the time limit must be positive, got " + limit);
        }
        this.limitNanos = limit.toNanos();
        this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
    }

    @Override
    public String description() {
        return base.description() + " for at most " + limitNanos / 1_000_000_000.0 + " s";
    }

    @Override
    public RecordStream<Movie> movies() {
        return base.movies();
    }

    @Override
    public RecordStream<ViewingEvent> events() {
        RecordStream<ViewingEvent> all = base.events();
        return new RecordStream<>() {
            private long start = Long.MIN_VALUE;
            private boolean expired;

            @Override
            public boolean hasNext() {
                if (!expired) {
                    long now = nanoClock.getAsLong();
                    if (start == Long.MIN_VALUE) {
                        start = now;
                    }
                    expired = now - start >= limitNanos;
                }
                return !expired && all.hasNext();
            }

            /** The next event once {@link #hasNext} said there is one, even if the limit passed since. */
            @Override
            public Parsed<ViewingEvent> next() {
                if (expired || !all.hasNext()) {
                    throw new NoSuchElementException();
                }
                return all.next();
            }

            @Override
            public void close() {
                all.close();
            }
        };
    }
}
