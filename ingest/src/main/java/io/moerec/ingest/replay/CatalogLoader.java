package io.moerec.ingest.replay;

import io.moerec.ingest.domain.Movie;
import io.moerec.ingest.source.DataSet;
import io.moerec.ingest.source.Parsed;
import io.moerec.ingest.source.RecordStream;
import io.moerec.ingest.topic.Topic;
import java.time.Duration;
import java.util.Objects;
import org.apache.kafka.clients.producer.Producer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes a {@link DataSet}'s catalog to the compacted movies topic (key = movie id through the
 * topic's key serde, value = canonical JSON), and rejected catalog lines to the dead-letter topic with
 * stage {@value #STAGE}. Loading the same catalog twice is harmless: compaction keeps the latest
 * entry per movie. Same delivery contract as {@link Replayer}: returns when everything is
 * acknowledged, {@code sent + rejected = read}, fails with {@link ReplayException} otherwise; the
 * producer stays the caller's.
 */
public final class CatalogLoader {

    public static final String STAGE = "catalog-load";

    private static final Logger LOG = LoggerFactory.getLogger(CatalogLoader.class);

    private final Producer<byte[], byte[]> producer;
    private final Topic<Long, Movie> topic;
    private final String dlqTopic;

    public CatalogLoader(Producer<byte[], byte[]> producer, Topic<Long, Movie> topic, String dlqTopic) {
        this.producer = Objects.requireNonNull(producer, "producer");
        this.topic = Objects.requireNonNull(topic, "topic");
        this.dlqTopic = Objects.requireNonNull(dlqTopic, "dlqTopic");
    }

    public ReplaySummary load(DataSet dataSet) {
        var keySerializer = topic.keySerde().serializer();
        var valueSerializer = topic.valueSerde().serializer();
        Publication run = new Publication(producer, dlqTopic, STAGE, MonotonicClock.SYSTEM,
                ReplayProgressListener.NONE, Duration.ofDays(1), -1);
        try (RecordStream<Movie> movies = dataSet.movies()) {
            while (movies.hasNext()) {
                Parsed<Movie> p = movies.next();
                run.countRead();
                if (p instanceof Parsed.Ok<Movie> ok) {
                    Movie m = ok.value();
                    run.sendValid(topic.name(), keySerializer.serialize(topic.name(), m.movieId()),
                            valueSerializer.serialize(topic.name(), m));
                } else {
                    run.sendRejected((Parsed.Rejected<Movie>) p);
                }
            }
        }
        ReplaySummary summary = run.finish(dataSet.description());
        LOG.info("catalog of {} loaded to {}: {}", dataSet.description(), topic.name(), summary);
        return summary;
    }
}
