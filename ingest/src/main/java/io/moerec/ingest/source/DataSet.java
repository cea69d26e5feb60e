package io.moerec.ingest.source;

import io.moerec.ingest.domain.Movie;
import io.moerec.ingest.domain.ViewingEvent;

/**
 * A catalog and an event log on disk, in any supported layout (the project's own JSON-lines layout
 * written by the generator, or one of the MovieLens layouts). Each call opens a fresh stream.
 * Events are delivered in replay order: a recorded log (JSON lines) in file order, which is its
 * arrival order, out-of-order events included; a MovieLens layout in ascending event time (ties
 * broken by user id, then movie id, then event type) with its rejected lines first.
 */
public interface DataSet {

    /** What this is, for logs and summaries (e.g. "MovieLens ml-latest at /data/ml-latest-small"). */
    String description();

    RecordStream<Movie> movies();

    RecordStream<ViewingEvent> events();
}
