package io.moerec.jobs.cli;

import io.moerec.ingest.domain.Movie;
import io.moerec.ingest.domain.ViewingEvent;
import io.moerec.ingest.movielens.MovieLensFormat;
import io.moerec.ingest.source.DataSet;
import io.moerec.ingest.source.JsonLinesDataSet;
import io.moerec.moe.eval.EvalSplit;
import io.moerec.moe.eval.Evaluation;
import io.moerec.moe.eval.EvaluationReport;
import io.moerec.moe.eval.Peers;
import io.moerec.moe.routing.RouterKind;
import io.moerec.moe.train.MoeTrainer;
import io.moerec.moe.TrainingConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code moerec evaluate}: the offline protocol of {@link Evaluation} from the command line. Either one
 * data set split by {@code --split}, or an outside split given as {@code --train}, {@code --test} and
 * {@code --catalog} (directories of any layout, or MovieLens rating files such as ml-100k's
 * {@code u1.base}); writes {@code report.md}, {@code report.json} and {@code report.html} into
 * {@code --report-dir} and prints the Markdown table. Options are checked before any data is read.
 */
@Command(name = "evaluate", mixinStandardHelpOptions = true,
        description = "Evaluates the Mixture-of-Experts routers against most-popular, item-kNN, one global model and the "
                + "item-to-item peers (EASE, recency-weighted EASE and item-kNN, their settings chosen on a validation cut of the "
                + "training part) (HR, NDCG, Recall, MRR at 10, coverage, routing load), each metric with its standard error over "
                + "users, and every method's paired NDCG difference against the global model and the best peer; writes Markdown, "
                + "JSON and HTML reports.")
final class EvaluateCommand implements Callable<Integer> {

    private static final Logger LOG = LoggerFactory.getLogger(EvaluateCommand.class);

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", paramLabel = "DATA",
            description = "A data set directory (or its events file) to split; omit with --train/--test/--catalog.")
    Path data;

    @Option(names = "--split", paramLabel = "KIND", description = "user-time (last 20%% of each user with >= 10 events) or "
            + "global-time (one cut at the 80%% time quantile) (default: ${DEFAULT-VALUE}).")
    String split = "user-time";

    @Option(names = "--train", paramLabel = "FILE", description = "Outside split: training events (a directory of any layout, or a ratings file).")
    Path trainFile;

    @Option(names = "--test", paramLabel = "FILE", description = "Outside split: test events, same kinds as --train.")
    Path testFile;

    @Option(names = "--catalog", paramLabel = "FILE", description = "Outside split: the catalog (a directory of any layout, "
            + "or u.item, movies.dat, movies.csv, movies.jsonl).")
    Path catalogFile;

    @Option(names = "--format", paramLabel = "FORMAT", description = "Layout of the data (jsonl, ml-100k, ml-1m, ml-latest); "
            + "detected for directories, ml-100k for bare ratings files unless given.")
    Optional<String> format = Optional.empty();

    @Option(names = "--routers", split = ",", paramLabel = "NAME", description = "Routers to evaluate, comma-separated: "
            + "softmax, balanced, eigen, dense (default: all).")
    List<String> routers = new ArrayList<>();

    @Option(names = "--report-dir", paramLabel = "DIR", description = "Where report.md, report.json and report.html go (default: ${DEFAULT-VALUE}).")
    Path reportDir = Path.of("moerec-report");

    @Option(names = "--dump-recs", paramLabel = "FILE", description = "Write every test user's top 10 of --dump-method as user<TAB>item<TAB>rank.")
    Path dumpRecs;

    @Option(names = "--dump-method", paramLabel = "NAME", description = "Method dumped by --dump-recs (default: moe-<first router>).")
    Optional<String> dumpMethod = Optional.empty();

    @Option(names = "--no-peers", description = "Leave out the item-to-item peers and their validation grid.")
    boolean noPeers;

    @Option(names = "--validation", description = "Evaluate on the validation cut instead: the training part split again "
            + "as the data was (the cut the peers are tuned on), so that settings are chosen without reading the test part.")
    boolean validation;

    @Option(names = "--capacity-factor", paramLabel = "CF", description = "Expert capacity factor: per batch of test users an "
            + "expert takes at most ceil(CF * batch * k / 18) routed slots, the rest overflow to the next-best expert; "
            + "0 is off (default: ${DEFAULT-VALUE}).")
    double capacityFactor = 0;

    @Option(names = "--seed", paramLabel = "N", description = "Training seed; overrides the train.seed setting.")
    Optional<Long> seed = Optional.empty();

    @Option(names = {"-s", "--set"}, paramLabel = "KEY=VALUE", description = "A training setting (keys of TrainingConfig), repeatable.")
    Map<String, String> settings = new LinkedHashMap<>();

    /** Validated router set; a bad name stops with the option's name. */
    Set<RouterKind> routerKinds() {
        if (routers.isEmpty()) {
            return EnumSet.allOf(RouterKind.class);
        }
        EnumSet<RouterKind> kinds = EnumSet.noneOf(RouterKind.class);
        for (String r : routers) {
            try {
                kinds.add(RouterKind.parse(r.trim().toLowerCase(Locale.ROOT)));
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), "Invalid --routers: " + e.getMessage());
            }
        }
        return kinds;
    }

    private void checkInputs() {
        boolean outside = trainFile != null || testFile != null || catalogFile != null;
        if (outside && (trainFile == null || testFile == null || catalogFile == null)) {
            throw new ParameterException(spec.commandLine(), "--train, --test and --catalog go together; missing "
                    + (trainFile == null ? "--train" : testFile == null ? "--test" : "--catalog"));
        }
        if (outside && data != null) {
            throw new ParameterException(spec.commandLine(), "give either DATA or --train/--test/--catalog, not both");
        }
        if (!outside && data == null) {
            throw new ParameterException(spec.commandLine(), "Missing DATA (or --train, --test and --catalog)");
        }
        if (!split.equals("user-time") && !split.equals("global-time")) {
            throw new ParameterException(spec.commandLine(), "Invalid --split: must be user-time or global-time, got '" + split + "'");
        }
        if (outside && spec.commandLine().getParseResult().hasMatchedOption("--split")) {
            throw new ParameterException(spec.commandLine(), "--split does not apply to an outside split (--train/--test)");
        }
        // The outputs are made ready now, so that a bad path fails in a second, not after the training.
        outputDirectory("--report-dir", reportDir);
        if (dumpRecs != null) {
            if (Files.isDirectory(dumpRecs)) {
                throw new ParameterException(spec.commandLine(), "Invalid --dump-recs: " + dumpRecs + " is a directory, not a file");
            }
            Path parent = dumpRecs.toAbsolutePath().getParent();
            if (parent != null) {
                outputDirectory("--dump-recs", parent);
            }
        }
    }

    /** Creates {@code dir} (and its parents) for an output option, or stops naming the option. */
    private void outputDirectory(String option, Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException | RuntimeException e) {
            throw new ParameterException(spec.commandLine(), "Invalid " + option + ": cannot create the directory " + dir + " ("
                    + e + ")");
        }
    }

    @Override
    public Integer call() {
        TrainCommand.routeJulToSlf4j();
        checkInputs();
        Set<RouterKind> kinds = routerKinds();
        TrainingConfig config = TrainCommand.config(spec, settings, seed);
        String dumped = dumpMethod.orElse("moe-" + kinds.iterator().next().configName());
        Evaluation.Options opt = Evaluation.Options.defaults().withRouters(kinds).withDump(dumpRecs, dumped);
        if (noPeers) {
            opt = opt.withPeers(null);
        }
        if (capacityFactor < 0 || !Double.isFinite(capacityFactor)) {
            throw new ParameterException(spec.commandLine(), "--capacity-factor must be 0 (off) or > 0, got "
                    + capacityFactor);
        }
        opt = opt.withCapacity(capacityFactor);

        List<Movie> catalog = new ArrayList<>();
        EvalSplit evalSplit;
        if (data != null) {
            DataSet ds = DataSetOpener.open(data, format);
            List<ViewingEvent> events = new ArrayList<>();
            warnRejected(ds, MoeTrainer.readAll(ds, catalog, events));
            evalSplit = split.equals("user-time") ? EvalSplit.userTime(events, 10, 0.2) : EvalSplit.globalTime(events, 0.8, 5);
        } else {
            DataSet cat = catalogSource(catalogFile);
            List<ViewingEvent> none = new ArrayList<>();
            warnRejected(cat, MoeTrainer.readAll(cat, catalog, none));
            evalSplit = EvalSplit.given(eventsOf(trainFile, cat), eventsOf(testFile, cat));
        }
        if (validation) {
            evalSplit = Peers.validationCut(evalSplit);
        }
        LOG.info("{} split{}: {} training events, {} test users", evalSplit.kind(), validation ? " (validation cut)" : "", evalSplit.train().size(), evalSplit.test().size());
        EvaluationReport report = Evaluation.run(catalog, evalSplit, config, opt);
        write(report);
        PrintWriter out = spec.commandLine().getOut();
        out.println(report.toMarkdown());
        out.println("reports in " + reportDir.toAbsolutePath() + (dumpRecs == null ? "" : "; " + dumped + " lists in " + dumpRecs));
        out.flush();
        return 0;
    }

    private void write(EvaluationReport report) {
        try {
            Files.createDirectories(reportDir);
            Files.writeString(reportDir.resolve("report.md"), report.toMarkdown(), StandardCharsets.UTF_8);
            Files.writeString(reportDir.resolve("report.json"), report.toJson(), StandardCharsets.UTF_8);
            Files.writeString(reportDir.resolve("report.html"), report.toHtml(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the reports into " + reportDir + ": " + e.getMessage(), e);
        }
    }

    /** A directory opens as any layout; a file is a movies file whose name says its layout. */
    private DataSet catalogSource(Path path) {
        if (Files.isDirectory(path) || path.getFileName().toString().equals(JsonLinesDataSet.EVENTS_FILE)) {
            return DataSetOpener.open(path, format);
        }
        String name = path.getFileName().toString();
        if (name.equals(JsonLinesDataSet.MOVIES_FILE)) {
            return new JsonLinesDataSet(path.toAbsolutePath().getParent());
        }
        MovieLensFormat f = format.flatMap(MovieLensFormat::fromName).orElseGet(() -> {
            for (MovieLensFormat m : MovieLensFormat.values()) {
                if (m.moviesFile().equals(name)) {
                    return m;
                }
            }
            throw new IllegalArgumentException("--catalog " + path + ": not a directory and not a known movies file ("
                    + "u.item, movies.dat, movies.csv, " + JsonLinesDataSet.MOVIES_FILE + "); give --format");
        });
        // Only the movies are read from this data set; the ratings file merely has to exist.
        return f.open(path, path);
    }

    /** Events of a directory (any layout) or of a bare ratings file in --format (ml-100k by default). */
    private List<ViewingEvent> eventsOf(Path path, DataSet catalog) {
        DataSet ds;
        if (Files.isDirectory(path) || path.getFileName().toString().equals(JsonLinesDataSet.EVENTS_FILE)) {
            ds = DataSetOpener.open(path, format);
        } else {
            MovieLensFormat f = format.map(n -> MovieLensFormat.fromName(n).orElseThrow(
                    () -> new IllegalArgumentException("--format " + n + " is not a MovieLens layout; a bare ratings file needs one")))
                    .orElse(MovieLensFormat.ML_100K);
            ds = f.open(path, path);
        }
        List<ViewingEvent> events = new ArrayList<>();
        long rejected = MoeTrainer.readEvents(ds, events);
        warnRejected(ds, rejected);
        LOG.info("{}: {} events (catalog from {})", ds.description(), events.size(), catalog.description());
        return events;
    }

    private static void warnRejected(DataSet ds, long rejected) {
        if (rejected > 0) {
            LOG.warn("{}: {} rejected records skipped", ds.description(), rejected);
        }
    }
}
