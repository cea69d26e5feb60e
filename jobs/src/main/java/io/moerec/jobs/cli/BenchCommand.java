package io.moerec.jobs.cli;

import io.moerec.ingest.generate.GenerationResult;
import io.moerec.ingest.generate.GeneratorConfig;
import io.moerec.ingest.generate.SyntheticDataGenerator;
import io.moerec.ingest.source.DataSet;
import io.moerec.jobs.bench.Bench;
import io.moerec.jobs.bench.BenchReport;
import io.moerec.jobs.bench.BenchReportWriter;
import io.moerec.moe.routing.RouterKind;
import io.moerec.moe.train.TrainingConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
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
                + "on the history before a cut): the raw broker produce-then-consume rate for the same events, then the live part at "
                + "a fixed offered rate and at maximum load (or an overload rate), each until drained: events/s, event-to-list latency "
                + "p50/p99/max overall and per window, consumer lags, CPU and memory per process. Writes bench.md and bench.json.")
final class BenchCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--data", paramLabel = "DIR", description = "A data set directory (moerec JSON lines or a MovieLens layout) instead of generated data.")
    Path data;

    @Option(names = "--format", paramLabel = "FORMAT", description = "Layout of --data, detected when omitted.")
    Optional<String> format = Optional.empty();

    @Option(names = "--events", paramLabel = "N", description = "Generated events (default: ${DEFAULT-VALUE}).")
    long events = 100_000;

    @Option(names = "--users", paramLabel = "N", description = "Generated users (default: ${DEFAULT-VALUE}).")
    int users = GeneratorConfig.DEFAULT_USERS;

    @Option(names = "--seed", paramLabel = "N", description = "Generator seed (default: ${DEFAULT-VALUE}).")
    long seed = GeneratorConfig.DEFAULT_SEED;

    private double rate = 1000;

    @Option(names = "--rate", paramLabel = "EVENTS_PER_S", description = "Offered load of the fixed-rate phase (default: 1000).")
    void setRate(double value) {
        this.rate = positive("--rate", value);
    }

    private OptionalDouble duration = OptionalDouble.empty();

    @Option(names = "--duration", paramLabel = "SECONDS",
            description = "Length of the fixed-rate phase: rate x duration events of the live part (default: half of the live part).")
    void setDuration(double value) {
        this.duration = OptionalDouble.of(positive("--duration", value));
    }

    private OptionalDouble overloadRate = OptionalDouble.empty();

    @Option(names = "--overload-rate", paramLabel = "EVENTS_PER_S",
            description = "Offer the second phase at this rate instead of as fast as possible.")
    void setOverloadRate(double value) {
        this.overloadRate = OptionalDouble.of(positive("--overload-rate", value));
    }

    private OptionalLong maxLoadEvents = OptionalLong.empty();

    @Option(names = "--load-events", paramLabel = "N", description = "At most this many events in the second phase (default: the rest of the live part).")
    void setLoadEvents(long value) {
        if (value < 0) {
            throw new ParameterException(spec.commandLine(), "Invalid value for option '--load-events': must be >= 0, got " + value);
        }
        this.maxLoadEvents = OptionalLong.of(value);
    }

    private double cut = 0.5;

    @Option(names = "--cut", paramLabel = "Q",
            description = "Share of the events (by event time) before the cut, for training and warm-up (default: 0.5).")
    void setCut(double value) {
        if (!(value > 0 && value < 1)) {
            throw new ParameterException(spec.commandLine(), "Invalid value for option '--cut': must be in (0, 1), got " + value);
        }
        this.cut = value;
    }

    private double window = 30;

    @Option(names = "--window", paramLabel = "SECONDS", description = "Latency and lag windows (default: 30).")
    void setWindow(double value) {
        this.window = positive("--window", value);
    }

    private double sample = 5;

    @Option(names = "--sample", paramLabel = "SECONDS", description = "How often lags and memory are sampled (default: 5).")
    void setSample(double value) {
        this.sample = positive("--sample", value);
    }

    private String router = RouterKind.SOFTMAX.configName();

    @Option(names = "--router", paramLabel = "ROUTER", description = "Scoring router: softmax, balanced, eigen or dense (default: softmax).")
    void setRouter(String value) {
        try {
            this.router = RouterKind.parse(value).configName();
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "Invalid value for option '--router': " + e.getMessage());
        }
    }

    @Option(names = "--model-cache", paramLabel = "DIR",
            description = "Where trained bundles are kept and reused (default: ~/.cache/moerec/models).")
    Path modelCache = Path.of(System.getProperty("user.home"), ".cache", "moerec", "models");

    @Option(names = "--report-dir", paramLabel = "DIR", description = "Where bench.md and bench.json go (default: ${DEFAULT-VALUE}).")
    Path reportDir = Path.of("bench-report");

    @Option(names = "--work-dir", paramLabel = "DIR",
            description = "Where data, the broker's log, state and logs live (default: a temporary directory deleted at the end).")
    Path workDir;

    @Mixin
    DemoCommand.PortOption port;

    @Override
    public Integer call() throws IOException, InterruptedException {
        if (sample > window) {
            throw new ParameterException(spec.commandLine(), "Invalid value for option '--sample': must not exceed --window (" + window + ")");
        }
        TrainCommand.routeJulToSlf4j();
        PrintWriter out = spec.commandLine().getOut();
        boolean temporary = workDir == null;
        Path work = temporary ? Files.createTempDirectory("moerec-bench-") : Files.createDirectories(workDir);
        try {
            DataSet ds = dataSet(out, work);
            Bench.Options options = new Bench.Options(port.port, work, modelCache, cut, rate, duration, overloadRate, maxLoadEvents,
                    seconds(sample), seconds(window), router, TrainingConfig.defaults());
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
        } finally {
            if (temporary) {
                deleteRecursively(work);
            }
        }
    }

    private static Duration seconds(double s) {
        return Duration.ofMillis(Math.round(s * 1000));
    }

    private double positive(String option, double value) {
        if (!(value > 0) || Double.isInfinite(value)) {
            throw new ParameterException(spec.commandLine(),
                    "Invalid value for option '" + option + "': must be a positive number, got " + value);
        }
        return value;
    }

    private DataSet dataSet(PrintWriter out, Path work) {
        if (data != null) {
            return DataSetOpener.open(data, format);
        }
        GeneratorConfig config = GeneratorConfig.builder().seed(seed).users(users).targetEvents(events).build();
        Path dir = work.resolve("data");
        out.println(String.format(Locale.ROOT, "[bench] generating %,d events for %,d users (seed %d)", events, users, seed));
        GenerationResult r = new SyntheticDataGenerator(config).generate(dir);
        out.println("        " + GenerateCommand.describe(r, dir));
        return DataSetOpener.open(dir, Optional.of("jsonl"));
    }

    private static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete the benchmark's temporary directory " + dir, e);
        }
    }
}
