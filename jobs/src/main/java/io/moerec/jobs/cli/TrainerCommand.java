package io.moerec.jobs.cli;

import io.moerec.jobs.trainer.TrainerMain;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code moerec trainer}: the continuous trainer in the foreground until Ctrl-C. The same options and
 * run as the trainer jar's {@link TrainerMain}.
 */
@Command(name = "trainer", mixinStandardHelpOptions = true,
        description = "Keeps training on the viewing-events stream: retrains on a cadence, scores each candidate and the serving "
                + "model on held-out events, and announces only a model that is no worse. Needs at least -s bootstrap.servers=HOST:PORT "
                + "and -s store.dir=DIR; every key: jobs/CONFIGURATION.md; each also as MOEREC_TRAINER_<KEY>.")
final class TrainerCommand implements Callable<Integer> {

    @Mixin
    TrainerMain.Options options = new TrainerMain.Options();

    @Override
    public Integer call() throws Exception {
        TrainerMain.runUntilInterrupted(options.config(System.getenv()));
        return 0;
    }
}
