package io.moerec.jobs.cli;

import io.moerec.ingest.generate.GenerationResult;
import io.moerec.ingest.generate.GeneratorConfig;
import io.moerec.ingest.generate.SyntheticDataGenerator;
import io.moerec.ingest.source.DataSet;
import io.moerec.jobs.pipeline.Delivery;
import io.moerec.jobs.pipeline.LivePipeline;
import io.moerec.moe.routing.RouterKind;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The options {@code moerec demo} and {@code moerec bench} share: the data (generated, or a MovieLens
 * directory), the scoring router and the model cache; each value checked as it is parsed.
 */
final class EngineOptions {

    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    @Option(names = {"--movielens", "--data"}, paramLabel = "DIR",
            description = "Use a data set directory (any MovieLens layout: ml-100k, ml-1m, ml-latest; or moerec JSON lines) instead of generated data.")
    Path movielens;

    @Option(names = "--format", paramLabel = "FORMAT", description = "Layout of --movielens/--data, detected when omitted.")
    Optional<String> format = Optional.empty();

    @Option(names = "--events", paramLabel = "N", description = "Generated events (default: ${DEFAULT-VALUE}).")
    long events = 100_000;

    @Option(names = "--users", paramLabel = "N", description = "Generated users (default: ${DEFAULT-VALUE}).")
    int users = GeneratorConfig.DEFAULT_USERS;

    @Option(names = "--seed", paramLabel = "N", description = "Generator seed (default: ${DEFAULT-VALUE}).")
    long seed = GeneratorConfig.DEFAULT_SEED;

    String router = RouterKind.SOFTMAX.configName();

    @Option(names = "--router", paramLabel = "ROUTER", description = "Scoring router: softmax, balanced, eigen or dense (default: softmax).")
    void setRouter(String value) {
        try {
            this.router = RouterKind.parse(value).configName();
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "Invalid value for option '--router': " + e.getMessage());
        }
    }

    Delivery delivery = Delivery.EXACTLY_ONCE;

    @Option(names = "--delivery", paramLabel = "GUARANTEE",
            description = "exactly-once (default) or at-least-once for both jobs: the features job's sink.delivery-guarantee and "
                    + "the scoring app's processing.guarantee (at_least_once, offsets committed every second). At least once, "
                    + "nothing waits for a checkpoint or a transaction, and a crash may publish some updates and lists twice.")
    void setDelivery(String value) {
        try {
            this.delivery = Delivery.parse(value);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "Invalid value for option '--delivery': " + e.getMessage());
        }
    }

    @Option(names = "--features-setting", paramLabel = "KEY=VALUE",
            description = "A features-job key (features/CONFIGURATION.md), e.g. checkpoint.interval-ms=250; repeatable; wins over --delivery.")
    Map<String, String> featuresSettings = new LinkedHashMap<>();

    @Option(names = "--scoring-setting", paramLabel = "KEY=VALUE",
            description = "A scoring-app key (moe-scoring/CONFIGURATION.md), e.g. num.stream.threads=2; repeatable; wins over --delivery.")
    Map<String, String> scoringSettings = new LinkedHashMap<>();

    /** The features job's extra settings: --delivery's, then --features-setting. */
    Map<String, String> featuresExtra() {
        Map<String, String> m = new LinkedHashMap<>(delivery.featuresSettings());
        m.putAll(featuresSettings);
        return m;
    }

    /** The scoring app's extra settings: --delivery's, then --scoring-setting. */
    Map<String, String> scoringExtra() {
        Map<String, String> m = new LinkedHashMap<>(delivery.scoringSettings());
        m.putAll(scoringSettings);
        return m;
    }

    /** Fails naming the key if a --features-setting or --scoring-setting would stop a child at start-up. */
    void validateSettings() {
        try {
            LivePipeline.validate(featuresExtra(), scoringExtra());
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "Invalid --features-setting or --scoring-setting: " + e.getMessage());
        }
    }

    @Option(names = "--model-cache", paramLabel = "DIR",
            description = "Where trained bundles are kept and reused (default: ~/.cache/moerec/models).")
    Path modelCache = Path.of(System.getProperty("user.home"), ".cache", "moerec", "models");

    @Option(names = "--work-dir", paramLabel = "DIR",
            description = "Where data, the broker's log, state and logs live (default: a temporary directory deleted at the end).")
    Path workDir;

    /** {@code value} if it is a finite positive number, else a parameter error naming {@code option}. */
    static double positive(CommandSpec spec, String option, double value) {
        if (!(value > 0) || Double.isInfinite(value)) {
            throw new ParameterException(spec.commandLine(),
                    "Invalid value for option '" + option + "': must be a positive number, got " + value);
        }
        return value;
    }

    /** {@code value} if it is a finite number ≥ 0, else a parameter error naming {@code option}. */
    static double nonNegative(CommandSpec spec, String option, double value) {
        if (!(value >= 0) || Double.isInfinite(value)) {
            throw new ParameterException(spec.commandLine(),
                    "Invalid value for option '" + option + "': must be zero or a positive number, got " + value);
        }
        return value;
    }

    /** {@code value} if it lies strictly between 0 and 1, else a parameter error naming {@code option}. */
    static double share(CommandSpec spec, String option, double value) {
        if (!(value > 0 && value < 1)) {
            throw new ParameterException(spec.commandLine(), "Invalid value for option '" + option + "': must be in (0, 1), got " + value);
        }
        return value;
    }

    /** The MovieLens directory if one was given, else a generated data set under {@code work}. */
    DataSet dataSet(PrintWriter out, Path work, String tag) {
        if (movielens != null) {
            out.println("[" + tag + "] opening " + movielens);
            DataSet ds = DataSetOpener.open(movielens, format);
            out.println("       " + ds.description());
            return ds;
        }
        GeneratorConfig config = GeneratorConfig.builder().seed(seed).users(users).targetEvents(events).build();
        Path dir = work.resolve("data");
        out.println(String.format(Locale.ROOT, "[%s] generating %,d events for %,d users (seed %d) into %s", tag, events, users, seed, dir));
        GenerationResult r = new SyntheticDataGenerator(config).generate(dir);
        out.println("       " + GenerateCommand.describe(r, dir));
        return DataSetOpener.open(dir, Optional.of("jsonl"));
    }
}
