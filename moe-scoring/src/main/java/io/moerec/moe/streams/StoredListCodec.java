package io.moerec.moe.streams;

import io.moerec.ingest.domain.Genre;
import io.moerec.ingest.domain.RecommendationList;
import io.moerec.ingest.domain.RecommendationList.ExpertWeight;
import io.moerec.ingest.domain.RecommendationList.RecommendedItem;
import io.moerec.ingest.json.InvalidRecordException;
import io.moerec.ingest.json.JsonCodec;
import io.moerec.ingest.json.RecommendationListCodec;
import io.moerec.ingest.json.RejectReason;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * How the {@value ScoringTopology#LISTS_STORE} store (and its changelog) keeps a user's last list: binary,
 * because the store is read and written on every scored update, and a JSON tree parse plus a JSON write
 * there cost more than a copy of the fields. The {@code recommendations} topic keeps the JSON of
 * {@code schemas/recommendation-list.schema.json}; nothing outside the scoring app reads this form.
 *
 * <p>Layout (big-endian, {@link DataOutputStream}'s encodings): format byte {@code 0x01}, genre vocabulary
 * version (byte), userId, generatedAt (long), modelVersion, router, triggerEventId, triggerEventTime (long),
 * item count (int), then per item: movieId (long), score (double), a byte 1 and the because movie (long) or
 * a byte 0, expert count (byte), per expert its genre index (byte) and weight (double). Strings are
 * modified UTF-8 with a 2-byte length. A store written by a version that kept JSON (first byte '{') reads
 * as JSON.
 */
final class StoredListCodec implements JsonCodec<RecommendationList> {

    static final byte FORMAT = 1;

    private final RecommendationListCodec json = new RecommendationListCodec();

    @Override
    public byte[] encode(RecommendationList r) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(96 + 48 * r.items().size());
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(FORMAT);
            out.writeByte(Genre.VOCABULARY_VERSION);
            out.writeUTF(r.userId());
            out.writeLong(r.generatedAt());
            out.writeUTF(r.modelVersion());
            out.writeUTF(r.router());
            out.writeUTF(r.triggerEventId());
            out.writeLong(r.triggerEventTime());
            out.writeInt(r.items().size());
            for (RecommendedItem item : r.items()) {
                out.writeLong(item.movieId());
                out.writeDouble(item.score());
                out.writeBoolean(item.because() != null);
                if (item.because() != null) {
                    out.writeLong(item.because());
                }
                out.writeByte(item.experts().size());
                for (ExpertWeight w : item.experts()) {
                    out.writeByte(w.genre().ordinal());
                    out.writeDouble(w.weight());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e); // not thrown by an in-memory stream
        }
        return bytes.toByteArray();
    }

    @Override
    public RecommendationList decode(byte[] bytes) throws InvalidRecordException {
        if (bytes == null || bytes.length == 0) {
            throw new InvalidRecordException(RejectReason.EMPTY, "the record has no bytes");
        }
        if (bytes[0] != FORMAT) {
            return json.decode(bytes); // kept by a version that stored JSON
        }
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes, 1, bytes.length - 1))) {
            int vocabulary = in.readUnsignedByte();
            if (vocabulary != Genre.VOCABULARY_VERSION) {
                throw new InvalidRecordException(RejectReason.UNSUPPORTED_SCHEMA_VERSION,
                        "stored list of genre vocabulary " + vocabulary + ", this version has " + Genre.VOCABULARY_VERSION);
            }
            String userId = in.readUTF();
            long generatedAt = in.readLong();
            String modelVersion = in.readUTF();
            String router = in.readUTF();
            String triggerEventId = in.readUTF();
            long triggerEventTime = in.readLong();
            int count = in.readInt();
            if (count < 0 || count > in.available() / 18) { // an item takes at least 18 bytes
                throw new InvalidRecordException(RejectReason.MALFORMED_BINARY, "stored list claims " + count + " items");
            }
            List<RecommendedItem> items = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                long movieId = in.readLong();
                double score = in.readDouble();
                Long because = in.readBoolean() ? in.readLong() : null;
                int experts = in.readUnsignedByte();
                List<ExpertWeight> weights = new ArrayList<>(experts);
                for (int e = 0; e < experts; e++) {
                    int genre = in.readUnsignedByte();
                    if (genre >= Genre.COUNT) {
                        throw new InvalidRecordException(RejectReason.UNKNOWN_GENRE, "stored list has genre index " + genre);
                    }
                    weights.add(new ExpertWeight(Genre.ofIndex(genre), in.readDouble()));
                }
                items.add(new RecommendedItem(movieId, score, weights, because));
            }
            if (in.available() > 0) {
                throw new InvalidRecordException(RejectReason.MALFORMED_BINARY, in.available() + " bytes after the stored list");
            }
            return new RecommendationList(userId, generatedAt, modelVersion, router, items, triggerEventId, triggerEventTime);
        } catch (IOException e) {
            throw new InvalidRecordException(RejectReason.MALFORMED_BINARY, "stored list cut short: " + e);
        }
    }
}
