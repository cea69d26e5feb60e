package io.moerec.moe.streams;

import io.moerec.moe.bundle.ModelBundle;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Polls a directory for model bundles (sub-directories holding a {@code MANIFEST.sha256}) and offers
 * the one with the newest manifest to the {@link ModelUpdater}. {@link ModelBundle#save} writes the
 * manifest last, so a bundle being written is not picked before it is complete; one that fails
 * verification is not retried until its manifest changes. Polling rather than a WatchService: it
 * behaves the same on every file system, network mounts included.
 */
public final class ModelDirectoryWatcher implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ModelDirectoryWatcher.class);

    private final Path dir;
    private final ModelUpdater updater;
    private final ScheduledExecutorService timer;
    private final Set<String> tried = new HashSet<>();

    public ModelDirectoryWatcher(Path dir, ModelUpdater updater) {
        this.dir = dir;
        this.updater = updater;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "moerec-model-dir-watcher");
            t.setDaemon(true);
            return t;
        });
    }

    public void start(long intervalMs) {
        LOG.info("watching {} for model bundles every {} ms", dir, intervalMs);
        timer.scheduleWithFixedDelay(this::pollOnce, 0, intervalMs, TimeUnit.MILLISECONDS);
    }

    /** One look at the directory; returns what the newest untried bundle led to, if there was one. */
    Optional<ModelUpdater.Outcome> pollOnce() {
        try {
            Path newest = null;
            FileTime newestTime = null;
            try (Stream<Path> s = Files.list(dir)) {
                for (Path p : (Iterable<Path>) s::iterator) {
                    Path manifest = p.resolve(ModelBundle.MANIFEST);
                    if (Files.isDirectory(p) && Files.isRegularFile(manifest)) {
                        FileTime t = Files.getLastModifiedTime(manifest);
                        if (newestTime == null || t.compareTo(newestTime) > 0) {
                            newest = p;
                            newestTime = t;
                        }
                    }
                }
            }
            if (newest == null || !tried.add(newest + "@" + newestTime.toMillis())) {
                return Optional.empty();
            }
            return Optional.of(updater.applyDirectory(newest));
        } catch (IOException | RuntimeException e) {
            // A transient listing failure must not end the schedule.
            LOG.warn("could not look for model bundles in {}: {}", dir, e.toString());
            return Optional.empty();
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
