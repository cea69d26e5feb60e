package io.moerec.ingest.replay;

import io.moerec.ingest.domain.ViewingEvent;
import io.moerec.ingest.source.DataSet;
import io.moerec.ingest.source.Parsed;
import io.moerec.ingest.source.RecordStream;
import io.moerec.ingest.topic.Topic;
import java.util.Objects;
import org.apache.kafka.clients.producer.Producer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes a {@link DataSet}'s viewing events to the events topic in the data set's order, as fast
 * as possible, time-scaled or at a fixed rate ({@link ReplayOptions#rate}), and every rejected line to the dead-letter topic with its original
 * bytes, reason, file and line (stage {@value #STAGE}). Key = the user id through the topic's key
 * serde; value = the canonical JSON of the topic's value serde. Canonical rather than the source
 * line's bytes because the sources differ (a MovieLens row has no JSON line to forward) and the
 * consumers should see one encoding whatever the source; the cost is that a JSON line's opaque
 * {@code context} object is not forwarded. The Kafka record timestamp is the publication time,
 * not the event time, so that the broker's time-based retention does not delete a replayed old log
 * at once; consumers read event time from the payload.
 *
 * <p>{@link #replay} returns only when every record is acknowledged, and then
 * {@code sent + rejected = read}; a delivery failure stops it with a {@link ReplayException}. Per-user
 * order on the topic equals source order provided the injected producer keeps order per partition
 * (idempotence on, as {@link ReplayProducers} configures it). The producer is the caller's: it is not
 * closed here. Not thread-safe; one replay at a time per instance.
 */
public final class Replayer {

    public static final String STAGE = "replay";

    private static final Logger LOG = LoggerFactory.getLogger(Replayer.class);

    private final Producer<byte[], byte[]> producer;
    private final ReplayOptions options;
    private final MonotonicClock clock;

    public Replayer(Producer<byte[], byte[]> producer, ReplayOptions options) {
        this(producer, options, MonotonicClock.SYSTEM);
    }

    public Replayer(Producer<byte[], byte[]> producer, ReplayOptions options, MonotonicClock clock) {
        this.producer = Objects.requireNonNull(producer, "producer");
        this.options = Objects.requireNonNull(options, "options");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    public ReplaySummary replay(DataSet dataSet) {
        return replay(dataSet, ReplayProgressListener.NONE);
    }

    /**
     * @throws ReplayException when a record cannot be delivered or the thread is interrupted
     */
    public ReplaySummary replay(DataSet dataSet, ReplayProgressListener listener) {
        Topic<String, ViewingEvent> topic = options.topic();
        var keySerializer = topic.keySerde().serializer();
        var valueSerializer = topic.valueSerde().serializer();
        Publication run = new Publication(producer, options.dlqTopic(), STAGE, clock, listener,
                options.progressInterval(), options.expectedRecords());
        Pacer pacer = new Pacer(options.speed(), options.rate(), clock);
        LOG.info("replaying {} to {} (dead letters to {}) {}", dataSet.description(), topic.name(), options.dlqTopic(),
                options.timeScaled() ? "at speed " + options.speed()
                : options.rateLimited() ? "at " + options.rate() + " events/s" : "as fast as possible");
        try (RecordStream<ViewingEvent> events = dataSet.events()) {
            while (events.hasNext()) {
                Parsed<ViewingEvent> p = events.next();
                run.countRead();
                if (p instanceof Parsed.Ok<ViewingEvent> ok) {
                    ViewingEvent e = ok.value();
                    pacer.awaitDue(e.eventTime(), run::maybeReportProgress);
                    run.sendValid(topic.name(), keySerializer.serialize(topic.name(), e.userId()),
                            valueSerializer.serialize(topic.name(), e));
                } else {
                    run.sendRejected((Parsed.Rejected<ViewingEvent>) p);
                }
                run.maybeReportProgress();
            }
        } catch (InterruptedException e) {
            throw run.interrupted(e);
        }
        ReplaySummary summary = run.finish(dataSet.description());
        LOG.info("replay of {} done: {}", dataSet.description(), summary);
        return summary;
    }
}
