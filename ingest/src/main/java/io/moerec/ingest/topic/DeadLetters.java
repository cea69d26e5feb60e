package io.moerec.ingest.topic;

import io.moerec.ingest.json.RejectReason;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Builds dead-letter records: the value and key are the original bytes, untouched; the headers
 * say why ({@value #REASON} = a {@link RejectReason} name, {@value #DETAIL} = the precise message),
 * where the record came from ({@value #SOURCE}: a topic or file name; {@value #POSITION}: partition
 * and offset, or the line number) and which component rejected it ({@value #STAGE}).
 */
public final class DeadLetters {

    public static final String REASON = "moerec.reason";
    public static final String DETAIL = "moerec.detail";
    public static final String SOURCE = "moerec.source";
    public static final String POSITION = "moerec.position";
    public static final String STAGE = "moerec.stage";

    /** Details longer than this are cut, so a hostile record cannot inflate its own header. */
    public static final int MAX_DETAIL_CHARS = 1000;

    /**
     * The size a dead letter may reach, 2 MiB: the dead-letter topic's {@code max.message.bytes} and its
     * writers' {@code max.request.size}. A dead letter is the rejected record's bytes plus the headers
     * above (a few KiB at most: the detail is cut, sources are topic or file names), so any record an
     * input topic accepts at the broker's default {@code message.max.bytes} (1 MiB + 12 B) fits with
     * room to spare; an input topic allowed more than about 2 MiB needs this raised with it.
     */
    public static final int MAX_DEAD_LETTER_BYTES = 2 * 1024 * 1024;

    private DeadLetters() {
    }

    public static ProducerRecord<byte[], byte[]> record(String dlqTopic, byte[] key, byte[] value,
                                                        RejectReason reason, String detail,
                                                        String source, String position, String stage) {
        Headers headers = new RecordHeaders();
        headers.add(REASON, utf8(reason.name()));
        headers.add(DETAIL, utf8(detail.length() > MAX_DETAIL_CHARS ? detail.substring(0, MAX_DETAIL_CHARS) + "..." : detail));
        headers.add(SOURCE, utf8(source));
        headers.add(POSITION, utf8(position));
        headers.add(STAGE, utf8(stage));
        return new ProducerRecord<>(dlqTopic, null, key, value, headers);
    }

    /** A header's value as text, or {@code null} when absent. */
    public static String header(Headers headers, String name) {
        Header h = headers.lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
