package io.moerec.moe.streams;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.moerec.ingest.json.RejectReason;
import io.moerec.ingest.topic.DeadLetters;
import io.moerec.ingest.topic.Topics;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.junit.jupiter.api.Test;

/** The dead-letter handler resumes and hands back the original bytes with the reason in headers. */
class DeadLetterHandlerTest {

    @Test
    void resumesWithTheOriginalBytesAndTheValidationReason() {
        DeadLetterHandler h = new DeadLetterHandler();
        h.configure(Map.of(DeadLetterHandler.DLQ_TOPIC_CONFIG, "dlq"));
        byte[] key = "u1".getBytes(StandardCharsets.UTF_8);
        byte[] value = "{\"userId\":\"u 1\"}".getBytes(StandardCharsets.UTF_8);
        ConsumerRecord<byte[], byte[]> rec = new ConsumerRecord<>("user-features", 2, 17L, key, value);
        Exception cause = assertThrows(SerializationException.class,
                () -> Topics.USER_FEATURES.valueSerde().deserializer().deserialize("user-features", value));
        DeserializationExceptionHandler.Response r = h.handleError(null, rec, cause);
        assertEquals(DeserializationExceptionHandler.Result.RESUME, r.result());
        List<ProducerRecord<byte[], byte[]>> dead = r.deadLetterQueueRecords();
        assertEquals(1, dead.size());
        ProducerRecord<byte[], byte[]> d = dead.get(0);
        assertEquals("dlq", d.topic());
        assertArrayEquals(key, d.key());
        assertArrayEquals(value, d.value());
        String reason = DeadLetters.header(d.headers(), DeadLetters.REASON);
        assertEquals(RejectReason.valueOf(reason).name(), reason);
        assertEquals("2:17", DeadLetters.header(d.headers(), DeadLetters.POSITION));
        assertEquals("scoring", DeadLetters.header(d.headers(), DeadLetters.STAGE));
    }

    @Test
    void aGlobalStoreRecordIsSkippedWithoutADeadLetterTheGlobalThreadCannotSend() {
        DeadLetterHandler h = new DeadLetterHandler();
        h.configure(Map.of(DeadLetterHandler.DLQ_TOPIC_CONFIG, "dlq", DeadLetterHandler.GLOBAL_TOPICS_CONFIG, "movies, other"));
        long dead = DeadLetterHandler.DEAD_LETTERS.sum();
        long skipped = DeadLetterHandler.SKIPPED_GLOBAL.sum();
        ConsumerRecord<byte[], byte[]> rec = new ConsumerRecord<>("movies", 0, 300L, "x".getBytes(StandardCharsets.UTF_8),
                "{\"movieId\":".getBytes(StandardCharsets.UTF_8));
        DeserializationExceptionHandler.Response r = h.handleError(null, rec, new SerializationException("bad"));
        assertEquals(DeserializationExceptionHandler.Result.RESUME, r.result());
        assertEquals(List.of(), r.deadLetterQueueRecords());
        assertEquals(dead, DeadLetterHandler.DEAD_LETTERS.sum(), "no dead letter counted");
        assertEquals(skipped + 1, DeadLetterHandler.SKIPPED_GLOBAL.sum());
    }

    @Test
    void refusesToStartWithoutATopic() {
        assertThrows(IllegalArgumentException.class, () -> new DeadLetterHandler().configure(Map.of()));
    }
}
