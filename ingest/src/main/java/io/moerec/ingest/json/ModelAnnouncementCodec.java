package io.moerec.ingest.json;

import io.moerec.ingest.domain.ModelAnnouncement;

/**
 * JSON codec of {@link ModelAnnouncement}, schema {@code schemas/model-announcement.schema.json}.
 * Strict: no unknown fields, the version is an id, the reference is bounded, the hash is 64 lowercase
 * hex digits.
 */
public final class ModelAnnouncementCodec implements JsonCodec<ModelAnnouncement> {

    public static final int MAX_REFERENCE_LENGTH = 4096;

    @Override
    public byte[] encode(ModelAnnouncement a) {
        return JsonWriter.write(256, g -> {
            g.writeStringField("modelVersion", a.modelVersion());
            g.writeStringField("reference", a.reference());
            g.writeStringField("manifestSha256", a.manifestSha256());
            g.writeNumberField("announcedAt", a.announcedAt());
        });
    }

    @Override
    public ModelAnnouncement decode(byte[] bytes) throws InvalidRecordException {
        StrictJson.Fields f = StrictJson.parseObject(bytes, StrictJson.DEFAULT_MAX_RECORD_BYTES);
        JsonWriter.checkSchemaVersion(f);
        String version = f.string("modelVersion");
        EventRules.checkId("modelVersion", version);
        String reference = f.string("reference");
        if (reference.isEmpty() || reference.length() > MAX_REFERENCE_LENGTH) {
            throw new InvalidRecordException(RejectReason.VALUE_OUT_OF_RANGE,
                    "field 'reference' has " + reference.length() + " characters, 1 to " + MAX_REFERENCE_LENGTH + " are allowed");
        }
        String sha = f.string("manifestSha256");
        if (!sha.matches("[0-9a-f]{64}")) {
            throw new InvalidRecordException(RejectReason.VALUE_OUT_OF_RANGE,
                    "field 'manifestSha256' must be 64 lowercase hex digits");
        }
        long announcedAt = f.longValue("announcedAt");
        EventRules.checkEventTime("announcedAt", announcedAt);
        f.rejectUnknown();
        return new ModelAnnouncement(version, reference, sha, announcedAt);
    }
}
