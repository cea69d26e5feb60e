package io.moerec.jobs.scoring;

import io.moerec.ingest.json.InvalidRecordException;
import io.moerec.ingest.json.RejectReason;
import io.moerec.ingest.topic.DeadLetters;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends a record that cannot be deserialized to the dead-letter topic (original key and value bytes,
 * the reason in {@link DeadLetters} headers) and resumes: a bad record never stops the app. The
 * dead-letter record goes out through Kafka Streams' own producer, so under exactly-once it commits
 * together with the input offset. The topic comes from {@value #DLQ_TOPIC_CONFIG}.
 */
public final class DeadLetterHandler implements DeserializationExceptionHandler {

    /** The Kafka Streams property naming the dead-letter topic. */
    public static final String DLQ_TOPIC_CONFIG = "moerec.dlq.topic";

    /** Records sent to the dead-letter topic by every handler in this JVM, for the metrics page. */
    static final LongAdder DEAD_LETTERS = new LongAdder();

    private static final Logger LOG = LoggerFactory.getLogger(DeadLetterHandler.class);

    private String topic;

    @Override
    public void configure(Map<String, ?> configs) {
        Object t = configs.get(DLQ_TOPIC_CONFIG);
        if (t == null || t.toString().isBlank()) {
            throw new IllegalArgumentException(DLQ_TOPIC_CONFIG + " is required by " + DeadLetterHandler.class.getSimpleName());
        }
        topic = t.toString();
    }

    @Override
    public Response handleError(ErrorHandlerContext context, ConsumerRecord<byte[], byte[]> record, Exception exception) {
        RejectReason reason = RejectReason.MALFORMED_JSON;
        String detail = String.valueOf(exception.getMessage());
        for (Throwable t = exception; t != null; t = t.getCause()) {
            if (t instanceof InvalidRecordException invalid) {
                reason = invalid.reason();
                detail = invalid.getMessage();
                break;
            }
        }
        DEAD_LETTERS.increment();
        LOG.warn("dead-lettering {}-{}@{}: {} ({})", record.topic(), record.partition(), record.offset(), reason, detail);
        return Response.resume(List.of(DeadLetters.record(topic, record.key(), record.value(), reason, detail,
                record.topic(), record.partition() + ":" + record.offset(), "scoring")));
    }
}
