package io.moerec.jobs.cli;

import io.moerec.jobs.trainer.ContinuousTrainer;
import io.moerec.jobs.trainer.TrainerConfig;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code moerec trainer}: the continuous trainer in the foreground until Ctrl-C. */
@Command(name = "trainer", mixinStandardHelpOptions = true,
        description = "Keeps training on the viewing-events stream: retrains on a cadence, scores each candidate and the serving "
                + "model on held-out events, and announces only a model that is no worse. Needs at least -s bootstrap.servers=HOST:PORT "
                + "and -s store.dir=DIR; every key: jobs/CONFIGURATION.md; each also as MOEREC_TRAINER_<KEY>.")
final class TrainerCommand implements Callable<Integer> {

    @Option(names = "--config", paramLabel = "FILE", description = "A properties file of configuration keys.")
    Path configFile;

    @Option(names = {"-s", "--set"}, paramLabel = "KEY=VALUE",
            description = "A key, overriding the file and MOEREC_TRAINER_* variables (repeatable).")
    Map<String, String> settings = new LinkedHashMap<>();

    @Override
    public Integer call() throws Exception {
        TrainCommand.routeJulToSlf4j();
        TrainerConfig config = TrainerConfig.load(configFile, System.getenv(), settings);
        LoggerFactory.getLogger(TrainerCommand.class).info("{}", config);
        ContinuousTrainer trainer = new ContinuousTrainer(config);
        CountDownLatch done = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            trainer.close();
            try {
                // A cycle in progress finishes and commits first; a training longer than this is cut off.
                done.await(60, TimeUnit.SECONDS);
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
        return 0;
    }
}
