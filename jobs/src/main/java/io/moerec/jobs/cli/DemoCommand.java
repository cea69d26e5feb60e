package io.moerec.jobs.cli;

import io.moerec.ingest.source.DataSet;
import io.moerec.jobs.pipeline.Demo;
import io.moerec.moe.TrainingConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code moerec demo}: the README's first command. Generates a data set (or opens MovieLens) and runs
 * the whole engine on it with {@link Demo}: embedded broker, MoE training on the history (cached),
 * the Flink features job and the scoring app in their own JVMs, warm-up and live replay with a live
 * view, and a summary with the prequential HR@10. Stops everything, also on Ctrl-C.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Runs the whole engine on the embedded default: a Kafka broker (KRaft, 127.0.0.1), the MoE trained on "
                + "the history before a cut, the Flink features job and the Kafka Streams scoring app (each in its own JVM), "
                + "the events after the cut replayed live with a live view, and a summary; then stops everything.")
final class DemoCommand implements Callable<Integer> {


    @Spec
    CommandSpec spec;

    private Optional<Double> speed = Optional.empty();

    @Option(names = "--speed", paramLabel = "X",
            description = "Live replay speed, event time per real time: 3600 = one hour of events per second (default: from --live-seconds).")
    void setSpeed(double value) {
        this.speed = Optional.of(EngineOptions.positive(spec, "--speed", value));
    }

    private double liveSeconds = 30;

    @Option(names = "--live-seconds", paramLabel = "S",
            description = "How long the live part takes: its event-time span is replayed in this many seconds (default: 30).")
    void setLiveSeconds(double value) {
        this.liveSeconds = EngineOptions.positive(spec, "--live-seconds", value);
    }

    private double cut = 0.8;

    @Option(names = "--cut", paramLabel = "Q",
            description = "Share of the events (by event time) before the cut, for training and warm-up (default: 0.8).")
    void setCut(double value) {
        this.cut = EngineOptions.share(spec, "--cut", value);
    }

    private OptionalLong retrainEvery = OptionalLong.empty();

    @Option(names = "--retrain-every", paramLabel = "N",
            description = "Also run the continuous trainer: a candidate every N live events, announced to the scoring app only if it "
                    + "is no worse than the serving model on held-out events (default: off).")
    void setRetrainEvery(long value) {
        if (value < 1) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "Invalid value for option '--retrain-every': must be at least 1, got " + value);
        }
        this.retrainEvery = OptionalLong.of(value);
    }

    @Option(names = "--ui", description = "Also serve the live view as a web page on 127.0.0.1.")
    boolean ui;

    @Option(names = "--ui-port", paramLabel = "N", description = "Port of --ui (default: 0, any free port).")
    int uiPort;

    @Option(names = "--final-lists", paramLabel = "FILE",
            description = "Write every user's final list as user<TAB>rank<TAB>movie lines (for replay tests and diffs).")
    Path finalLists;

    @Option(names = "--report", paramLabel = "FILE", description = "Write the run's figures as JSON.")
    Path report;

    @Mixin
    EngineOptions engine;

    @Mixin
    PortOption port;

    @Override
    public Integer call() throws IOException, InterruptedException {
        engine.validateSettings();
        TrainCommand.routeJulToSlf4j();
        PrintWriter out = spec.commandLine().getOut();
        try (WorkDirectory dir = WorkDirectory.of(engine.workDir, "demo")) {
            Path work = dir.path();
            DataSet data = engine.dataSet(out, work, "demo");
            Demo.Options options = new Demo.Options(port.port, work, engine.modelCache, cut, liveSeconds, speed, engine.router,
                    TrainingConfig.defaults(), engine.featuresExtra(), engine.scoringExtra(), Duration.ofSeconds(2), System.console() != null,
                    ui ? Optional.of(uiPort) : Optional.empty(), retrainEvery);
            Demo.Result r = new Demo(options, out).run(data);
            if (finalLists != null) {
                Demo.writeFinalLists(r, finalLists);
            }
            if (report != null) {
                Demo.writeReport(r, report);
            }
            if (!r.accounting().balanced() || !r.watchedInLists().isEmpty()) {
                out.println("demo: FAILED: " + (r.accounting().balanced() ? "" : "events not accounted for " + r.accounting() + "; ")
                        + (r.watchedInLists().isEmpty() ? "" : "lists with watched movies " + r.watchedInLists()));
                return 1;
            }
            return 0;
        }
    }


    /** {@code --port}, validated: 0 picks a free port. */
    static final class PortOption {
        @Spec(Spec.Target.MIXEE)
        CommandSpec spec;

        int port;

        @Option(names = "--port", paramLabel = "N", description = "Broker port; 0 picks a free one (default: 0).")
        void setPort(int value) {
            if (value < 0 || value > 65535) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                        "Invalid value for option '--port': must be between 0 and 65535, got " + value);
            }
            this.port = value;
        }
    }
}
