package io.moerec.jobs.cli;

import io.moerec.ingest.generate.GenerationResult;
import io.moerec.ingest.generate.GeneratorConfig;
import io.moerec.ingest.generate.SyntheticDataGenerator;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code moerec generate}: writes a seeded synthetic data set, see {@link SyntheticDataGenerator}. */
@Command(name = "generate", mixinStandardHelpOptions = true,
        description = "Writes a seeded synthetic catalog and event log with planted genre tastes (users in taste "
                + "clusters, Zipf-like popularity, sessions over event time, all five event types) as JSON lines, "
                + "streamed to disk. The same options give the same bytes.")
final class GenerateCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "DIR", description = "Output directory (created; files in it are replaced).")
    Path dir;

    @Option(names = "--seed", paramLabel = "N", description = "Random seed (default: ${DEFAULT-VALUE}).")
    long seed = GeneratorConfig.DEFAULT_SEED;

    @Option(names = "--users", paramLabel = "N", description = "Number of users (default: ${DEFAULT-VALUE}).")
    int users = GeneratorConfig.DEFAULT_USERS;

    @Option(names = "--movies", paramLabel = "N", description = "Catalog size (default: ${DEFAULT-VALUE}).")
    int movies = GeneratorConfig.DEFAULT_MOVIES;

    @Option(names = "--events", paramLabel = "N", description = "Number of events written (default: ${DEFAULT-VALUE}).")
    long events = GeneratorConfig.DEFAULT_TARGET_EVENTS;

    @Option(names = "--clusters", paramLabel = "N", description = "Number of taste clusters (default: ${DEFAULT-VALUE}).")
    int clusters = GeneratorConfig.DEFAULT_TASTE_CLUSTERS;

    @Option(names = "--start", paramLabel = "INSTANT", description = "Event time of the start, ISO-8601 (default: ${DEFAULT-VALUE}).")
    Instant start = GeneratorConfig.DEFAULT_START;

    @Option(names = "--span-days", paramLabel = "N", description = "Days of event time to spread the events over (default: ${DEFAULT-VALUE}).")
    int spanDays = GeneratorConfig.DEFAULT_SPAN_DAYS;

    /** The validated generator configuration; a bad value names its option. */
    GeneratorConfig config() {
        try {
            return GeneratorConfig.builder().seed(seed).users(users).movies(movies).targetEvents(events)
                    .tasteClusters(clusters).start(start).spanDays(spanDays).build();
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "Invalid generator option: " + e.getMessage());
        }
    }

    @Override
    public Integer call() {
        GenerationResult r = new SyntheticDataGenerator(config()).generate(dir);
        PrintWriter out = spec.commandLine().getOut();
        out.println(describe(r, dir));
        out.flush();
        return 0;
    }

    static String describe(GenerationResult r, Path dir) {
        return String.format(Locale.ROOT, "generated %,d events (%s) for %,d users in %d taste clusters over %,d movies into %s",
                r.events(), r.eventsByType(), r.config().users(), r.structure().clusters().size(), r.movies(), dir);
    }
}
