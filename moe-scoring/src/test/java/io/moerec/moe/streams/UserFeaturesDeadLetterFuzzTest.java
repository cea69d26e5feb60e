package io.moerec.moe.streams;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.moerec.ingest.domain.Genre;
import io.moerec.ingest.domain.UserPreferenceFeatures;
import io.moerec.ingest.json.InvalidRecordException;
import io.moerec.ingest.json.UserFeaturesCodec;
import io.moerec.ingest.topic.DeadLetters;
import io.moerec.ingest.topic.Topics;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.junit.jupiter.api.Test;

/**
 * The scoring app's input decoder ({@code user-features} value serde) and its
 * {@link DeadLetterHandler}, fed 10,000 seeded mutations of a valid feature record in each form, binary
 * and JSON (truncations, byte
 * flips, random bytes, invalid UTF-8, oversized and 10 MiB payloads) with null and odd keys: the
 * deserializer either returns a value or throws the {@link SerializationException} that carries an
 * {@link InvalidRecordException} (anything else would stop the stream thread), and the handler
 * resumes with one dead letter holding the original key and value bytes and the reason.
 */
class UserFeaturesDeadLetterFuzzTest {

    private static final UserPreferenceFeatures VALID =
            ScoringFixtures.features("u1", Genre.DRAMA, new long[] {1, 2, 3}, "e1", ScoringFixtures.T0);

    @Test
    void everyUndecodableBinaryRecordResumesWithOneDeadLetterCarryingItsBytesAndReason() {
        // Fewer rejections than JSON: most bytes of the binary form are doubles, and a flipped byte there is another double.
        assertTrue(fuzz(new UserFeaturesCodec().encode(VALID)) > 5_000);
    }

    @Test
    void everyUndecodableJsonRecordResumesWithOneDeadLetterCarryingItsBytesAndReason() {
        assertTrue(fuzz(UserFeaturesCodec.encodeJson(VALID)) > 8_000);
    }

    /** Feeds 10,000 mutations of {@code valid} to the deserializer and the handler; returns how many were rejected. */
    private static int fuzz(byte[] valid) {
        Deserializer<UserPreferenceFeatures> deserializer = Topics.USER_FEATURES.valueSerde().deserializer();
        DeadLetterHandler handler = new DeadLetterHandler();
        handler.configure(Map.of(DeadLetterHandler.DLQ_TOPIC_CONFIG, "dlq"));
        SplittableRandom random = new SplittableRandom(515);
        int rejected = 0;
        for (int i = 0; i < 10_000; i++) {
            byte[] value = mutate(valid, random);
            byte[] key = switch (random.nextInt(3)) {
                case 0 -> null;
                case 1 -> new byte[] {(byte) 0xff, 0};
                default -> "u1".getBytes(StandardCharsets.UTF_8);
            };
            try {
                assertNotNull(deserializer.deserialize("user-features", value));
                continue;
            } catch (SerializationException e) {
                InvalidRecordException cause = assertInstanceOf(InvalidRecordException.class, e.getCause(), e::toString);
                ConsumerRecord<byte[], byte[]> rec = new ConsumerRecord<>("user-features", i % 4, i, key, value);
                DeserializationExceptionHandler.Response r = handler.handleError(null, rec, e);
                assertEquals(DeserializationExceptionHandler.Result.RESUME, r.result());
                List<ProducerRecord<byte[], byte[]>> dead = r.deadLetterQueueRecords();
                assertEquals(1, dead.size());
                assertArrayEquals(key, dead.get(0).key());
                assertArrayEquals(value, dead.get(0).value());
                assertEquals(cause.reason().name(), DeadLetters.header(dead.get(0).headers(), DeadLetters.REASON));
                assertTrue(DeadLetters.header(dead.get(0).headers(), DeadLetters.DETAIL).length() <= DeadLetters.MAX_DETAIL_CHARS + 3);
                rejected++;
            }
        }
        return rejected;
    }

    private static byte[] mutate(byte[] valid, SplittableRandom random) {
        switch (random.nextInt(6)) {
            case 0:
                return Arrays.copyOf(valid, random.nextInt(valid.length));
            case 1: {
                byte[] b = valid.clone();
                for (int k = 1 + random.nextInt(3); k > 0; k--) {
                    b[random.nextInt(b.length)] = (byte) random.nextInt(256);
                }
                return b;
            }
            case 2: {
                byte[] b = new byte[random.nextInt(400)];
                for (int k = 0; k < b.length; k++) {
                    b[k] = (byte) random.nextInt(256);
                }
                return b;
            }
            case 3: {
                // Swap one field's value token for another JSON type.
                String s = new String(valid, StandardCharsets.UTF_8);
                String[] tokens = {"null", "\"x\"", "[]", "{}", "-1", "1e400", "true", "1.5", "99999999999999999999"};
                int colon = s.indexOf(':', random.nextInt(s.length()));
                if (colon < 0) {
                    return valid;
                }
                int end = colon + 1;
                while (end < s.length() && ",}]".indexOf(s.charAt(end)) < 0) {
                    end++;
                }
                return (s.substring(0, colon + 1) + tokens[random.nextInt(tokens.length)] + s.substring(end))
                        .getBytes(StandardCharsets.UTF_8);
            }
            case 4: {
                int size = random.nextInt(20) == 0 ? 10 * 1024 * 1024 : UserFeaturesCodec.MAX_BYTES + 1 + random.nextInt(1000);
                byte[] b = new byte[size];
                Arrays.fill(b, (byte) ' ');
                System.arraycopy(valid, 0, b, 0, valid.length);
                return b;
            }
            default: {
                byte[] b = valid.clone();
                b[random.nextInt(b.length)] = (byte) (0x80 + random.nextInt(0x80));
                return b;
            }
        }
    }
}
