package io.moerec.ingest.domain;

import java.util.Objects;

/**
 * A new MoE model bundle announced on the {@code models} topic by the training job: where the bundle
 * lies and the sha256 of its manifest, never the bundle's bytes. The manifest lists a checksum of every
 * other file of the bundle, so its own hash pins the whole bundle; a scoring app loads the bundle beside
 * the serving one, checks both and swaps only if they match.
 *
 * @param modelVersion   the bundle's version ({@code moe-<content hash>}), also the Kafka key
 * @param reference      where the bundle is: a directory path or a {@code file:} URI
 * @param manifestSha256 sha256 of the bundle's {@code MANIFEST.sha256}, 64 lowercase hex digits
 * @param announcedAt    wall-clock time of the announcement, epoch ms
 */
public record ModelAnnouncement(String modelVersion, String reference, String manifestSha256, long announcedAt) {

    public ModelAnnouncement {
        Objects.requireNonNull(modelVersion, "modelVersion");
        Objects.requireNonNull(reference, "reference");
        Objects.requireNonNull(manifestSha256, "manifestSha256");
    }
}
