package io.moerec.moe.streams;

import io.moerec.ingest.domain.ModelAnnouncement;
import io.moerec.moe.MoeModel;
import io.moerec.moe.bundle.InvalidBundleException;
import io.moerec.moe.bundle.ModelBundle;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Verifies an announced bundle and swaps it in: the manifest's sha256 must match the announcement,
 * {@link ModelBundle#load} must accept every file's checksum and version, and the loaded version must
 * be the announced one. Only then does the {@link ModelHolder} switch; any failure leaves the serving
 * model in place and logs why. Loading happens on the caller's thread, beside the serving model.
 */
public final class ModelUpdater {

    private static final Logger LOG = LoggerFactory.getLogger(ModelUpdater.class);

    private final ModelHolder holder;
    private final ScoringMetrics metrics;

    public ModelUpdater(ModelHolder holder, ScoringMetrics metrics) {
        this.holder = holder;
        this.metrics = metrics;
    }

    /** The outcome of one announcement. */
    public enum Outcome { SWAPPED, ALREADY_SERVING, REJECTED }

    public Outcome apply(ModelAnnouncement a) {
        if (a.modelVersion().equals(holder.current().version())) {
            return Outcome.ALREADY_SERVING;
        }
        try {
            Path dir = resolve(a.reference());
            String actual = sha256(dir.resolve(ModelBundle.MANIFEST));
            if (!actual.equals(a.manifestSha256())) {
                throw new InvalidBundleException("the manifest's sha256 is " + actual + ", the announcement says " + a.manifestSha256());
            }
            MoeModel next = ModelBundle.load(dir);
            if (!next.version().equals(a.modelVersion())) {
                throw new InvalidBundleException("the bundle is version " + next.version() + ", the announcement says " + a.modelVersion());
            }
            MoeModel previous = holder.swap(next);
            metrics.modelSwaps.increment();
            LOG.info("model {} from {} now serving (was {})", next.version(), dir, previous.version());
            return Outcome.SWAPPED;
        } catch (InvalidBundleException | IOException | IllegalArgumentException e) {
            metrics.modelRejections.increment();
            LOG.warn("rejected model {} at {}: {}; still serving {}", a.modelVersion(), a.reference(), e.getMessage(),
                    holder.current().version());
            return Outcome.REJECTED;
        }
    }

    /**
     * Loads a bundle dropped into a watched directory: there is no announcement to compare with, so
     * the bundle's own manifest and versions are the whole check.
     */
    public Outcome applyDirectory(Path dir) {
        try {
            MoeModel next = ModelBundle.load(dir);
            if (next.version().equals(holder.current().version())) {
                return Outcome.ALREADY_SERVING;
            }
            MoeModel previous = holder.swap(next);
            metrics.modelSwaps.increment();
            LOG.info("model {} from {} now serving (was {})", next.version(), dir, previous.version());
            return Outcome.SWAPPED;
        } catch (InvalidBundleException | IllegalArgumentException e) {
            metrics.modelRejections.increment();
            LOG.warn("rejected the bundle in {}: {}; still serving {}", dir, e.getMessage(), holder.current().version());
            return Outcome.REJECTED;
        }
    }

    /** A bundle reference: a {@code file:} URI or a plain path. */
    static Path resolve(String reference) {
        return reference.startsWith("file:") ? Path.of(URI.create(reference)) : Path.of(reference);
    }

    /** The sha256 of a file as 64 lowercase hex digits: what an announcement carries for the manifest. */
    public static String sha256(Path file) throws IOException {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    /** The announcement of a saved bundle, as a training job would publish it. */
    public static ModelAnnouncement announce(Path bundleDir, String version, long now) throws IOException {
        return new ModelAnnouncement(version, bundleDir.toAbsolutePath().toString(), sha256(bundleDir.resolve(ModelBundle.MANIFEST)), now);
    }
}
