package io.moerec.jobs.cli;

import io.moerec.ingest.domain.Movie;
import io.moerec.ingest.domain.ViewingEvent;
import io.moerec.ingest.source.DataSet;
import io.moerec.moe.MoeModel;
import io.moerec.moe.bundle.ModelBundle;
import io.moerec.moe.train.MoeTrainer;
import io.moerec.moe.TrainingConfig;
import io.moerec.moe.TrainingProvenance;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code moerec train}: reads a data set (any layout {@link DataSetOpener} knows), optionally keeps only
 * the events before {@code --cut}, trains the genre-expert Mixture-of-Experts with {@link MoeTrainer}
 * (progress through SLF4J) and saves a versioned bundle with {@link ModelBundle}. Settings are the keys
 * of {@link TrainingConfig#toMap()}; a bad value stops with the key's name before any data is read.
 */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Trains the genre-expert Mixture-of-Experts (experts, gate, eigen and balanced routers) on an "
                + "event log and writes a versioned model bundle with a sha256 manifest. Same data and seed, same weights "
                + "(the version also hashes the run's provenance, timings included, so each run gets its own).")
final class TrainCommand implements Callable<Integer> {

    private static final Logger LOG = LoggerFactory.getLogger(TrainCommand.class);

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "DATA", description = "A data set directory (or its events file).")
    Path data;

    @Option(names = "--out", required = true, paramLabel = "BUNDLE_DIR", description = "Bundle directory; created, and must be empty if it exists.")
    Path out;

    @Option(names = "--format", paramLabel = "FORMAT", description = "Layout of the data set, detected when omitted: jsonl, ml-100k, ml-1m or ml-latest.")
    Optional<String> format = Optional.empty();

    @Option(names = "--seed", paramLabel = "N", description = "Training seed; overrides the train.seed setting (default: TrainingConfig's).")
    Optional<Long> seed = Optional.empty();

    @Option(names = "--cut", paramLabel = "INSTANT",
            description = "Train only on events strictly before this event time, ISO-8601 (default: all events).")
    Optional<Instant> cut = Optional.empty();

    @Option(names = {"-s", "--set"}, paramLabel = "KEY=VALUE",
            description = "A training setting (train.*, expert.*, features.* keys of TrainingConfig), repeatable.")
    Map<String, String> settings = new LinkedHashMap<>();

    /** The validated configuration; a bad key or value names itself. */
    TrainingConfig config() {
        return config(spec, settings, seed);
    }

    @Override
    public Integer call() {
        routeJulToSlf4j();
        TrainingConfig config = config();
        long t0 = System.nanoTime();
        DataSet ds = DataSetOpener.open(data, format);
        List<Movie> movies = new ArrayList<>();
        List<ViewingEvent> events = new ArrayList<>();
        long rejected = MoeTrainer.readAll(ds, movies, events);
        if (rejected > 0) {
            LOG.warn("{}: {} rejected records skipped", ds.description(), rejected);
        }
        int before = events.size();
        if (cut.isPresent()) {
            long cutMs = cut.get().toEpochMilli();
            events.removeIf(e -> e.eventTime() >= cutMs);
            LOG.info("--cut {}: kept {} of {} events", cut.get(), events.size(), before);
        }
        if (events.isEmpty()) {
            throw new IllegalArgumentException("no events to train on in " + ds.description() + (cut.isPresent() ? " before " + cut.get() : ""));
        }
        LOG.info("read {} movies and {} events from {}", movies.size(), events.size(), ds.description());
        MoeModel model = MoeTrainer.train(ds.description(), movies, events, config);
        String version = ModelBundle.save(model, out);
        double seconds = (System.nanoTime() - t0) / 1e9;
        PrintWriter w = spec.commandLine().getOut();
        w.println(summary(version, model.provenance(), out, seconds));
        w.flush();
        return 0;
    }

    static String summary(String version, TrainingProvenance p, Path out, double seconds) {
        Double experts = p.metrics().get("train.experts");
        return String.format(Locale.ROOT,
                "trained %s: %d experts, %,d events, %,d interactions, %,d users, %,d movies in %.1f s; bundle %s",
                version, experts == null ? 0 : experts.intValue(), p.events(), p.interactions(), p.users(), p.movies(),
                seconds, out);
    }

    /**
     * Tribuo logs through java.util.logging (a line per SGD run on standard error); send it through SLF4J
     * so that the CLI's log4j configuration decides, like every other message.
     */
    static void routeJulToSlf4j() {
        if (!SLF4JBridgeHandler.isInstalled()) {
            SLF4JBridgeHandler.removeHandlersForRootLogger();
            SLF4JBridgeHandler.install();
        }
    }

    /** Shared by train and evaluate: settings plus an optional seed into a validated configuration. */
    static TrainingConfig config(CommandSpec spec, Map<String, String> settings, Optional<Long> seed) {
        try {
            TrainingConfig c = TrainingConfig.fromMap(settings);
            return seed.isPresent() ? c.withSeed(seed.get()) : c;
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "Invalid --set (-s): " + e.getMessage());
        }
    }
}
