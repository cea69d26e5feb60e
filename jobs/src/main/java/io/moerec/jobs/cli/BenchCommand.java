package io.moerec.jobs.cli;

import io.moerec.ingest.source.DataSet;
import io.moerec.jobs.bench.Bench;
import io.moerec.jobs.bench.BenchReport;
import io.moerec.jobs.bench.BenchReportWriter;
import io.moerec.moe.TrainingConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code moerec bench}: parses and validates, opens or generates the data, and hands over to
 * {@link Bench}; writes the report with {@link BenchReportWriter}. Exit code 1 when the accounting
 * does not balance.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Measures the embedded engine (broker in this JVM, features job and scoring app in their own JVMs, MoE trained "
                + "on the history before a cut): the raw broker produce-then-consume rate for the same events, then the live part: "
                + "settling at a fixed offered rate, that rate, then maximum load (or an overload rate), each until drained: events/s, event-to-list latency "
                + "p50/p99/max overall and per window, consumer lags, CPU and memory per process. Writes bench.md and bench.json.")
final class BenchCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    private double rate = 1000;

    @Option(names = "--rate", paramLabel = "EVENTS_PER_S", description = "Offered load of the fixed-rate phase (default: 1000).")
    void setRate(double value) {
        this.rate = EngineOptions.positive(spec, "--rate", value);
    }

    private double settle = Bench.Options.DEFAULT_SETTLE_SECONDS;

    @Option(names = "--settle", paramLabel = "SECONDS",
            description = "Before the fixed-rate phase, offer rate x SECONDS events at the same rate as a phase of their own, "
                    + "reported but kept out of the fixed-rate figures: a trickle runs code paths the warm-up's full-speed "
                    + "replay did not, and their JIT compilation loads both cores for about 10 s (default: 20; 0: none).")
    void setSettle(double value) {
        this.settle = EngineOptions.nonNegative(spec, "--settle", value);
    }

    private OptionalDouble duration = OptionalDouble.empty();

    @Option(names = "--duration", paramLabel = "SECONDS",
            description = "Length of the fixed-rate phase: rate x duration events of the live part (default: half of what settling left).")
    void setDuration(double value) {
        this.duration = OptionalDouble.of(EngineOptions.positive(spec, "--duration", value));
    }

    private OptionalDouble overloadRate = OptionalDouble.empty();

    @Option(names = "--overload-rate", paramLabel = "EVENTS_PER_S",
            description = "Offer the second phase at this rate instead of as fast as possible.")
    void setOverloadRate(double value) {
        this.overloadRate = OptionalDouble.of(EngineOptions.positive(spec, "--overload-rate", value));
    }

    private OptionalLong maxLoadEvents = OptionalLong.empty();

    @Option(names = "--load-events", paramLabel = "N", description = "At most this many events in the second phase (default: the rest of the live part).")
    void setLoadEvents(long value) {
        if (value < 0) {
            throw new ParameterException(spec.commandLine(), "Invalid value for option '--load-events': must be >= 0, got " + value);
        }
        this.maxLoadEvents = OptionalLong.of(value);
    }

    private double loadSeconds = Bench.Options.DEFAULT_LOAD_SECONDS;

    @Option(names = "--load-seconds", paramLabel = "SECONDS",
            description = "Offer the second phase for this long (at full speed or --overload-rate), or until its events run out "
                    + "(default: 30; the report flags a phase that ran out of events before 90 %% of it).")
    void setLoadSeconds(double value) {
        this.loadSeconds = EngineOptions.positive(spec, "--load-seconds", value);
    }

    @Option(names = "--child-java-opts", paramLabel = "OPTIONS",
            description = "Extra JVM options for the features job's and the scoring app's JVMs, split at spaces (after their own, "
                    + "so an -Xmx here wins).")
    String childJavaOpts = "";

    @Option(names = "--jfr", paramLabel = "DIR",
            description = "Record each process (features job, scoring app, this JVM) with JDK Flight Recorder during the second "
                    + "phase (jcmd JFR.start, settings=profile) into DIR.")
    Path jfrDir;

    private double cut = 0.5;

    @Option(names = "--cut", paramLabel = "Q",
            description = "Share of the events (by event time) before the cut, for training and warm-up (default: 0.5).")
    void setCut(double value) {
        this.cut = EngineOptions.share(spec, "--cut", value);
    }

    private double window = 30;

    @Option(names = "--window", paramLabel = "SECONDS", description = "Latency and lag windows (default: 30).")
    void setWindow(double value) {
        this.window = EngineOptions.positive(spec, "--window", value);
    }

    private double sample = 5;

    @Option(names = "--sample", paramLabel = "SECONDS", description = "How often lags and memory are sampled (default: 5).")
    void setSample(double value) {
        this.sample = EngineOptions.positive(spec, "--sample", value);
    }

    @Option(names = "--report-dir", paramLabel = "DIR", description = "Where bench.md and bench.json go (default: ${DEFAULT-VALUE}).")
    Path reportDir = Path.of("bench-report");

    @Mixin
    EngineOptions engine;

    @Mixin
    DemoCommand.PortOption port;

    @Override
    public Integer call() throws IOException, InterruptedException {
        if (sample > window) {
            throw new ParameterException(spec.commandLine(), "Invalid value for option '--sample': must not exceed --window (" + window + ")");
        }
        engine.validateSettings();
        TrainCommand.routeJulToSlf4j();
        PrintWriter out = spec.commandLine().getOut();
        try (WorkDirectory dir = WorkDirectory.of(engine.workDir, "bench")) {
            Path work = dir.path();
            DataSet ds = engine.dataSet(out, work, "bench");
            Bench.Options options = new Bench.Options(port.port, work, engine.modelCache, cut, rate, settle, duration, overloadRate,
                    maxLoadEvents,
                    seconds(sample), seconds(window), engine.router, TrainingConfig.defaults(), OptionalDouble.of(loadSeconds),
                    engine.featuresExtra(), engine.scoringExtra(),
                    childJavaOpts.isBlank() ? List.of() : List.of(childJavaOpts.trim().split("\\s+")), Optional.ofNullable(jfrDir));
            BenchReport r = new Bench(options, out).run(ds);
            Path md = BenchReportWriter.write(r, reportDir);
            out.println("[bench] report: " + md + " and " + md.resolveSibling("bench.json"));
            out.print(BenchReportWriter.markdown(r).split("\n## Over time")[0]);
            out.flush();
            if (!r.finalAccounting().balanced() || r.phases().stream().anyMatch(p -> !p.balanced())) {
                out.println("bench: FAILED: events not accounted for: " + r.finalAccounting());
                return 1;
            }
            return 0;
        }
    }

    private static Duration seconds(double s) {
        return Duration.ofMillis(Math.round(s * 1000));
    }
}
