package io.moerec.jobs.cli;

import io.moerec.moe.streams.ScoringApp;
import io.moerec.moe.streams.ScoringConfig;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code moerec score}: runs the Kafka Streams scoring app in the foreground until Ctrl-C. */
@Command(name = "score", mixinStandardHelpOptions = true,
        description = "Runs the scoring app (Kafka Streams, MoE, HTTP look-up) until Ctrl-C. Needs at least "
                + "-s bootstrap.servers=HOST:PORT and -s model.path=DIR; every key: moe-scoring/CONFIGURATION.md.")
final class ScoreCommand implements Callable<Integer> {

    @Mixin
    ScoringApp.Options options;

    @Override
    public Integer call() throws Exception {
        // Validation errors name the key and reach the user through MoerecCli's exception handler.
        ScoringConfig config = options.config();
        // Non-zero when Kafka Streams failed for good, so that a supervisor restarts the command.
        return ScoringApp.runUntilInterrupted(config);
    }
}
