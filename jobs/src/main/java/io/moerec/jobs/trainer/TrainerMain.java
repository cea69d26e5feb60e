package io.moerec.jobs.trainer;

import io.moerec.ingest.config.CommandLineArgs;
import io.moerec.ingest.config.MoerecVersion;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The trainer's own entry point, the main class of the {@code trainer} jar ({@code java -jar}): reads
 * {@code --config}, {@code MOEREC_TRAINER_*} environment variables and {@code -s key=value} (in rising
 * precedence) and runs the {@link ContinuousTrainer} until the JVM is asked to stop. A bad argument,
 * variable, key or value is one line on standard error naming it and exit code {@value #USAGE_ERROR},
 * as for the scoring app's jar. {@code moerec trainer} shares the {@link Options} and
 * {@link #runUntilInterrupted}.
 */
public final class TrainerMain {

    /** Exit code of a bad argument, variable, key or value (picocli's, as the {@code moerec} CLI's and the scoring app's). */
    static final int USAGE_ERROR = CommandLineArgs.USAGE_ERROR;

    /** How long a stop waits for a cycle in progress to finish and commit; a training longer than this is cut off. */
    public static final long SHUTDOWN_WAIT_SECONDS = 60;

    private TrainerMain() {
    }

    /** Command-line options of {@link #main} and of {@code moerec trainer}. */
    public static final class Options {
        public Options() {
            // picocli instantiates mixins reflectively
        }

        @Option(names = "--config", paramLabel = "FILE", description = "A properties file of configuration keys.")
        Path configFile;

        @Option(names = {"-s", "--set"}, paramLabel = "KEY=VALUE",
                description = "A key, overriding the file and MOEREC_TRAINER_* variables (repeatable).")
        Map<String, String> settings = new LinkedHashMap<>();

        /**
         * The validated configuration from the file, {@code MOEREC_TRAINER_*} variables of
         * {@code environment} and {@code -s} (in rising precedence); a bad key, variable or value fails naming it.
         */
        public TrainerConfig config(Map<String, String> environment) throws IOException {
            return TrainerConfig.load(configFile, environment, settings);
        }
    }

    /** {@link #main}'s command: the {@link Options} and {@code --help}/{@code --version}. */
    @Command(name = "trainer", mixinStandardHelpOptions = true, versionProvider = Version.class,
            description = "The continuous trainer: retrains on viewing-events, blesses each candidate on held-out events and "
                    + "announces only a model that is no worse on the models topic. Needs bootstrap.servers and store.dir; every "
                    + "key: jobs/CONFIGURATION.md, each also as MOEREC_TRAINER_<KEY> (upper case, . and - as _); "
                    + "precedence file < environment < -s.")
    static final class Cli {
        @Mixin
        Options options = new Options();
    }

    /** {@code --version}: the build's version ({@link MoerecVersion}). */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"moerec trainer " + MoerecVersion.current()};
        }
    }

    /**
     * Reads the command line and the environment exactly as {@link #main} does and validates the
     * result; empty when usage or version help was asked for (and printed). A bad argument, variable,
     * key or value throws {@link IllegalArgumentException} naming it.
     */
    public static Optional<TrainerConfig> parseArgs(String[] args, Map<String, String> environment) throws IOException {
        Cli cli = new Cli();
        return CommandLineArgs.parse(cli, args) ? Optional.of(cli.options.config(environment)) : Optional.empty();
    }

    /** What {@link #main} does after reading its command line: run with {@code config}, or exit with {@code exitCode}. */
    record Launch(Optional<TrainerConfig> config, int exitCode) {
    }

    /**
     * {@link #parseArgs} for {@link #main}: help and version go to standard output (exit 0); a bad
     * argument, variable, key or value, or an unreadable {@code --config} file, is one line on
     * {@code err} naming it (exit {@value #USAGE_ERROR}), never a stack trace.
     */
    static Launch launch(String[] args, Map<String, String> environment, PrintWriter err) {
        try {
            return new Launch(parseArgs(args, environment), 0);
        } catch (IllegalArgumentException | IOException e) {
            CommandLineArgs.printUsageError(err, "trainer", e);
            return new Launch(Optional.empty(), USAGE_ERROR);
        }
    }

    public static void main(String[] args) throws Exception {
        Launch launch = launch(args, System.getenv(), new PrintWriter(System.err, true));
        if (launch.config().isEmpty()) {
            System.exit(launch.exitCode());
        }
        runUntilInterrupted(launch.config().get());
    }

    /**
     * Runs the trainer in the foreground until the JVM is asked to stop: the shutdown hook closes it
     * and waits up to {@value #SHUTDOWN_WAIT_SECONDS} s for a cycle in progress to finish and commit.
     */
    public static void runUntilInterrupted(TrainerConfig config) throws IOException {
        if (!SLF4JBridgeHandler.isInstalled()) {
            SLF4JBridgeHandler.removeHandlersForRootLogger();
            SLF4JBridgeHandler.install();
        }
        LoggerFactory.getLogger(TrainerMain.class).info("{}", config);
        ContinuousTrainer trainer = new ContinuousTrainer(config);
        CountDownLatch done = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            trainer.close();
            try {
                done.await(SHUTDOWN_WAIT_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "moerec-trainer-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            trainer.run();
        } finally {
            done.countDown();
        }
    }
}
