package io.moerec.ingest.json;

import io.moerec.ingest.domain.UserPreferenceFeatures;

/**
 * The codec of {@link UserPreferenceFeatures} on {@code user-features}, used by the features job (writer),
 * the scoring app and every other reader. It writes the compact binary form (format 2,
 * {@code schemas/user-features.binary.md}): one format byte {@code 0x02}, then the fields, the watched set
 * as gaps between ascending ids. It reads that form and the JSON form (format 1,
 * {@code schemas/user-features.schema.json}, a record starting with {@code '{'}) that earlier versions
 * wrote, so a compacted topic or a changelog written before an upgrade stays readable. The first byte
 * tells the forms apart; any other first byte below {@code 0x20} that is not JSON whitespace is a format
 * this reader does not know ({@link RejectReason#UNSUPPORTED_SCHEMA_VERSION}). Both readers are strict
 * and fail with an {@link InvalidRecordException} that names the field.
 */
public final class UserFeaturesCodec implements JsonCodec<UserPreferenceFeatures> {

    /** The default record limit: features carry bounded lists, so it only guards against garbage. */
    public static final int MAX_BYTES = 256 * 1024;

    private final int maxBytes;

    public UserFeaturesCodec() {
        this(MAX_BYTES);
    }

    /**
     * @param maxBytes records longer than this are rejected as {@link RejectReason#OVERSIZE}; in
     *                 [{@value StrictJson#MIN_RECORD_LIMIT}, {@value StrictJson#MAX_RECORD_LIMIT}]
     */
    public UserFeaturesCodec(int maxBytes) {
        this.maxBytes = StrictJson.recordLimit("maxBytes", maxBytes);
    }

    public int maxBytes() {
        return maxBytes;
    }

    /** The binary form (format 2). */
    @Override
    public byte[] encode(UserPreferenceFeatures f) {
        checkNotTombstone(f);
        return UserFeaturesBinary.encode(f);
    }

    /**
     * The JSON form (format 1), which {@link #decode} still reads: for people and tools that want to read a
     * record, and for writing records as a writer before format 2 did.
     */
    public static byte[] encodeJson(UserPreferenceFeatures f) {
        checkNotTombstone(f);
        return UserFeaturesJson.encode(f);
    }

    private static void checkNotTombstone(UserPreferenceFeatures f) {
        if (f.isTombstone()) {
            throw new IllegalArgumentException("a tombstone of user '" + f.userId() + "' has no encoded form (write a null value)");
        }
    }

    @Override
    public UserPreferenceFeatures decode(byte[] bytes) throws InvalidRecordException {
        if (bytes == null || bytes.length == 0) {
            throw new InvalidRecordException(RejectReason.EMPTY, "the record has no bytes");
        }
        if (bytes.length > maxBytes) {
            throw new InvalidRecordException(RejectReason.OVERSIZE,
                    "the record has " + bytes.length + " bytes, the limit is " + maxBytes);
        }
        int first = bytes[0] & 0xff;
        if (first == UserFeaturesBinary.FORMAT) {
            return UserFeaturesBinary.decode(bytes);
        }
        if (first < 0x20 && first != '\t' && first != '\n' && first != '\r') {
            throw new InvalidRecordException(RejectReason.UNSUPPORTED_SCHEMA_VERSION, String.format(
                    "the record's format byte is 0x%02x; this reader knows 0x%02x (binary) and JSON ('{')",
                    first, UserFeaturesBinary.FORMAT));
        }
        return UserFeaturesJson.decode(bytes, maxBytes);
    }
}
