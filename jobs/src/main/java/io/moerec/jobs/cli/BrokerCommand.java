package io.moerec.jobs.cli;

import io.moerec.jobs.broker.EmbeddedKafkaBroker;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code moerec broker}: runs the embedded broker in the foreground until Ctrl-C. */
@Command(name = "broker", mixinStandardHelpOptions = true,
        description = "Runs a single-node Kafka broker (KRaft, broker and controller in one) on 127.0.0.1 "
                + "in the foreground until Ctrl-C, and prints its bootstrap address.")
final class BrokerCommand implements Callable<Integer> {

    private static final Logger LOG = LoggerFactory.getLogger(BrokerCommand.class);

    @Spec
    CommandSpec spec;

    private int port = 9092;

    @Option(names = "--port", paramLabel = "N", description = "Client port; 0 picks a free one (default: 9092).")
    void setPort(int value) {
        if (value < 0 || value > 65535) {
            throw new ParameterException(spec.commandLine(),
                    "Invalid value for option '--port': must be between 0 and 65535, got " + value);
        }
        this.port = value;
    }

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "Keep the broker's data here across restarts (default: a temporary directory deleted on exit).")
    Path dataDir;

    @Option(names = "--create-topics", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Create moerec's topics at start if missing (default: ${DEFAULT-VALUE}).")
    boolean createTopics;

    @Override
    public Integer call() throws InterruptedException {
        EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder().port(port).dataDir(dataDir).start();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                broker.close();
            } catch (RuntimeException e) {
                LOG.error("the broker did not shut down cleanly", e);
            } finally {
                stopped.countDown();
            }
        }, "moerec-broker-shutdown"));
        if (createTopics) {
            broker.createMoerecTopics();
        }
        PrintWriter out = spec.commandLine().getOut();
        out.printf("Kafka broker ready: bootstrap %s (started in %d ms, data %s%s)%n", broker.bootstrapServers(),
                broker.startupTime().toMillis(), broker.dataDir(), dataDir == null ? ", deleted on exit" : "");
        out.println("Press Ctrl-C to stop.");
        out.flush();
        try {
            stopped.await();
        } catch (InterruptedException e) {
            broker.close(); // idempotent: the shutdown hook will find it closed
            throw e;
        }
        return 0;
    }
}
