package io.moerec.jobs.bench;

import io.moerec.features.flink.RawRecord;
import io.moerec.ingest.domain.Movie;
import io.moerec.ingest.domain.ViewingEvent;
import io.moerec.ingest.json.MovieCodec;
import io.moerec.ingest.json.ViewingEventCodec;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;

/**
 * A synthetic log for benchmarks whose event {@code i} and movie {@code id} depend on nothing else,
 * so that a Flink generator source can produce any slice of it in any subtask
 * ({@link FeaturesJobThroughput.EventGenerator}, {@link FeaturesJobThroughput.MovieGenerator}).
 */
public interface IndexedViewingLog extends Serializable {

    /** Event {@code i} of the log. */
    ViewingEvent event(long i);

    /** The catalog entry with this id (ids start at 1). */
    Movie movie(long id);

    /** Event {@code i} as the job reads it from Kafka: user id as key, JSON as value. */
    default RawRecord rawEvent(long i, ViewingEventCodec codec, String topic) {
        ViewingEvent e = event(i);
        return new RawRecord(e.userId().getBytes(StandardCharsets.UTF_8), codec.encode(e), topic, 0, i);
    }

    /** Movie {@code id} as the job reads it from Kafka: the id as key, JSON as value. */
    default RawRecord rawMovie(long id, MovieCodec codec, String topic) {
        return new RawRecord(Long.toString(id).getBytes(StandardCharsets.US_ASCII), codec.encode(movie(id)), topic, 0, id);
    }
}
