package io.moerec.moe.streams;

import io.moerec.ingest.json.InvalidRecordException;
import io.moerec.ingest.json.RejectReason;
import io.moerec.ingest.topic.DeadLetters;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
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
 *
 * <p>Records of the topics named in {@value #GLOBAL_TOPICS_CONFIG} (the catalog's global store) are
 * only logged, counted ({@link #SKIPPED_GLOBAL}) and skipped: the global stream thread has no task
 * producer, and Kafka Streams 4.2 fails that thread with a {@code ClassCastException}
 * ({@code GlobalProcessorContextImpl} is no {@code RecordCollector.Supplier}) when a handler hands it
 * dead-letter records, which shuts the whole client down (found by {@code BadInputPipelineIT}: one
 * bad record on {@code movies}). The catalog's own loader dead-letters bad movie records before Kafka.
 */
public final class DeadLetterHandler implements DeserializationExceptionHandler {

    /** The Kafka Streams property naming the dead-letter topic. */
    public static final String DLQ_TOPIC_CONFIG = "moerec.dlq.topic";

    /** The Kafka Streams property naming (comma-separated) the topics read by global stores. */
    public static final String GLOBAL_TOPICS_CONFIG = "moerec.dlq.global.topics";

    /** Records of global-store topics skipped without a dead letter, for the metrics page. */
    static final LongAdder SKIPPED_GLOBAL = new LongAdder();

    /** Records sent to the dead-letter topic by every handler in this JVM, for the metrics page. */
    static final LongAdder DEAD_LETTERS = new LongAdder();

    private static final Logger LOG = LoggerFactory.getLogger(DeadLetterHandler.class);

    private String topic;
    private Set<String> globalTopics = Set.of();

    @Override
    public void configure(Map<String, ?> configs) {
        Object t = configs.get(DLQ_TOPIC_CONFIG);
        if (t == null || t.toString().isBlank()) {
            throw new IllegalArgumentException(DLQ_TOPIC_CONFIG + " is required by " + DeadLetterHandler.class.getSimpleName());
        }
        topic = t.toString();
        Object g = configs.get(GLOBAL_TOPICS_CONFIG);
        if (g != null) {
            globalTopics = Arrays.stream(g.toString().split(",")).map(String::trim).filter(x -> !x.isEmpty())
                    .collect(Collectors.toUnmodifiableSet());
        }
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
        if (globalTopics.contains(record.topic())) {
            SKIPPED_GLOBAL.increment();
            LOG.warn("skipping {}-{}@{} of a global store (no dead letter from the global thread): {} ({})", record.topic(),
                    record.partition(), record.offset(), reason, detail);
            return Response.resume();
        }
        DEAD_LETTERS.increment();
        LOG.warn("dead-lettering {}-{}@{}: {} ({})", record.topic(), record.partition(), record.offset(), reason, detail);
        return Response.resume(List.of(DeadLetters.record(topic, record.key(), record.value(), reason, detail,
                record.topic(), record.partition() + ":" + record.offset(), "scoring")));
    }
}
