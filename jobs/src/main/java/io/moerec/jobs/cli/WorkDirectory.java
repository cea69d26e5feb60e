package io.moerec.jobs.cli;

import io.moerec.ingest.files.Directories;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A command's working directory: the one the user gave (kept), or a temporary one that is deleted
 * when the command ends, also on Ctrl-C (a shutdown hook).
 */
final class WorkDirectory implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(WorkDirectory.class);

    private final Path path;
    private final boolean temporary;
    private final Thread cleanup;

    private WorkDirectory(Path path, boolean temporary) {
        this.path = path;
        this.temporary = temporary;
        this.cleanup = new Thread(this::deleteIfTemporary, "moerec-work-dir-cleanup");
        if (temporary) {
            Runtime.getRuntime().addShutdownHook(cleanup);
        }
    }

    /** {@code given} (created if missing), or a fresh temporary directory named after {@code command} when null. */
    static WorkDirectory of(Path given, String command) throws IOException {
        return given == null ? new WorkDirectory(Files.createTempDirectory("moerec-" + command + "-"), true)
                : new WorkDirectory(Files.createDirectories(given), false);
    }

    Path path() {
        return path;
    }

    private void deleteIfTemporary() {
        if (temporary) {
            Directories.deleteRecursively(path);
        }
    }

    @Override
    public void close() {
        deleteIfTemporary();
        if (temporary) {
            try {
                Runtime.getRuntime().removeShutdownHook(cleanup);
            } catch (IllegalStateException shuttingDown) {
                LOG.debug("JVM is shutting down; the cleanup hook runs by itself");
            }
        }
    }
}
