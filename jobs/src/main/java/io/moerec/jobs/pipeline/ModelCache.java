package io.moerec.jobs.pipeline;

import io.moerec.ingest.domain.Movie;
import io.moerec.ingest.domain.ViewingEvent;
import io.moerec.ingest.topic.Topics;
import io.moerec.ingest.files.Directories;
import io.moerec.moe.MoeModel;
import io.moerec.moe.bundle.InvalidBundleException;
import io.moerec.moe.bundle.ModelBundle;
import io.moerec.moe.train.MoeTrainer;
import io.moerec.moe.TrainingConfig;
import io.moerec.moe.TrainingProvenance;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.serialization.Serializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Model bundles trained by the demo, kept under a directory by a key over everything that decides
 * the model: the bundle format, the training configuration, the catalog and the training events
 * (their wire bytes). A bundle is reused only if it still loads (checksums and versions, as
 * {@link ModelBundle#load} checks them) and its provenance names the same number and time range of
 * events; anything else is trained afresh and replaces it.
 */
public final class ModelCache {

    private static final Logger LOG = LoggerFactory.getLogger(ModelCache.class);

    private final Path dir;

    public ModelCache(Path dir) {
        this.dir = dir;
    }

    /** The bundle directory and whether it came from the cache; {@code seconds} is the time it took. */
    public record Entry(Path bundle, String version, boolean reused, double seconds, TrainingProvenance provenance) {
    }

    /** The model for {@code history}: the cached bundle if its provenance matches, else a freshly trained one. */
    public Entry trainOrReuse(String description, List<Movie> catalog, List<ViewingEvent> history, TrainingConfig config) {
        long t0 = System.nanoTime();
        Path bundle = dir.resolve(key(catalog, history, config));
        long first = history.stream().mapToLong(ViewingEvent::eventTime).min().orElse(0);
        long last = history.stream().mapToLong(ViewingEvent::eventTime).max().orElse(0);
        if (Files.exists(bundle.resolve(ModelBundle.MANIFEST))) {
            try {
                MoeModel cached = ModelBundle.load(bundle);
                TrainingProvenance p = cached.provenance();
                if (p.events() == history.size() && p.firstEventTime() == first && p.lastEventTime() == last) {
                    return new Entry(bundle, cached.version(), true, seconds(t0), p);
                }
                LOG.info("cached bundle {} was trained on other events ({}); training again", bundle, p);
            } catch (InvalidBundleException e) {
                LOG.warn("cached bundle {} is unusable ({}); training again", bundle, e.getMessage());
            }
        }
        MoeModel model = MoeTrainer.train(description, catalog, history, config);
        try {
            Files.createDirectories(dir);
            Path staging = Files.createTempDirectory(dir, bundle.getFileName() + ".staging-");
            Files.delete(staging); // ModelBundle.save creates it
            String version = ModelBundle.save(model, staging);
            Directories.deleteRecursively(bundle);
            try {
                Files.move(staging, bundle, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(staging, bundle);
            }
            return new Entry(bundle, version, false, seconds(t0), model.provenance());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot store the trained bundle under " + dir, e);
        }
    }

    /** The cache key: sha256 over the format version, the configuration, the catalog and the events. */
    static String key(List<Movie> catalog, List<ViewingEvent> events, TrainingConfig config) {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            d.update(("bundle-format " + ModelBundle.FORMAT_VERSION + "\n").getBytes(StandardCharsets.UTF_8));
            for (Map.Entry<String, String> e : new TreeMap<>(config.toMap()).entrySet()) {
                d.update((e.getKey() + "=" + e.getValue() + "\n").getBytes(StandardCharsets.UTF_8));
            }
            Serializer<Movie> movies = Topics.MOVIES.valueSerde().serializer();
            for (Movie m : catalog) {
                d.update(movies.serialize(Topics.MOVIES.name(), m));
            }
            Serializer<ViewingEvent> ev = Topics.VIEWING_EVENTS.valueSerde().serializer();
            for (ViewingEvent e : events) {
                d.update(ev.serialize(Topics.VIEWING_EVENTS.name(), e));
            }
            return "moe-" + HexFormat.of().formatHex(d.digest(), 0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("no SHA-256", e);
        }
    }

    private static double seconds(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }

}
