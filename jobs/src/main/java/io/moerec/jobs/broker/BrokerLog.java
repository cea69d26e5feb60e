package io.moerec.jobs.broker;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.Logger;
import org.apache.logging.log4j.core.appender.FileAppender;
import org.apache.logging.log4j.core.layout.PatternLayout;

/**
 * Sends the embedded broker's log ({@code kafka.*} and {@code org.apache.kafka.*}, the in-process
 * clients' included) to a file instead of the console while a demo or benchmark runs: a single-node
 * broker logs retriable conditions at ERROR (for example {@code OutOfOrderSequenceException} with
 * transactions v2, which Kafka resolves by itself) that users would read as failures of the run. The
 * console keeps moerec's own messages, which say what needs acting on; the file keeps what those
 * loggers let through (WARN and above under the CLI's configuration). {@link #close} restores the
 * previous routing.
 */
public final class BrokerLog implements AutoCloseable {

    /** The loggers sent to the file: the broker's ({@code kafka.*}) and the Kafka libraries' ({@code org.apache.kafka.*}). */
    public static final List<String> LOGGERS = List.of("kafka", "org.apache.kafka");

    private final Path file;
    private final FileAppender appender;
    private final List<Logger> redirected;

    private BrokerLog(Path file, FileAppender appender, List<Logger> redirected) {
        this.file = file;
        this.appender = appender;
        this.redirected = redirected;
    }

    /**
     * Routes {@link #LOGGERS} to {@code file} (appended to, created with its directory when the first
     * line is written) and away from every other appender. Does nothing but remember the file when
     * log4j is not the logging back end.
     */
    public static BrokerLog toFile(Path file) {
        FileAppender appender = FileAppender.newBuilder()
                .withFileName(file.toString())
                .withAppend(true)
                .withCreateOnDemand(true)
                .setName("moerec-broker-log")
                .setLayout(PatternLayout.newBuilder().withPattern("%d{ISO8601} %-5level [%t] %c - %msg%n%throwable").build())
                .build();
        List<Logger> redirected = new ArrayList<>();
        for (String name : LOGGERS) {
            if (LogManager.getLogger(name) instanceof Logger logger) {
                redirected.add(logger);
            }
        }
        if (redirected.isEmpty()) {
            return new BrokerLog(file, null, List.of());
        }
        appender.start();
        for (Logger logger : redirected) {
            logger.addAppender(appender);
            logger.setAdditive(false);
        }
        return new BrokerLog(file, appender, redirected);
    }

    /** Where the broker's log goes. */
    public Path file() {
        return file;
    }

    @Override
    public void close() {
        for (Logger logger : redirected) {
            logger.setAdditive(true);
            logger.removeAppender(appender);
        }
        if (appender != null) {
            appender.stop();
        }
    }
}
