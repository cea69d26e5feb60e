package io.moerec.moe.streams;

import io.moerec.ingest.domain.Movie;
import io.moerec.ingest.domain.ViewingEvent;
import io.moerec.ingest.generate.GeneratorConfig;
import io.moerec.ingest.generate.SyntheticDataGenerator;
import io.moerec.moe.MoeModel;
import io.moerec.moe.bundle.ModelBundle;
import io.moerec.moe.train.MoeTrainer;
import io.moerec.moe.TrainingConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * Makes sure a deployment has a start-up bundle: when {@code BUNDLE_DIR} holds none, trains one on
 * generated data (the generator's defaults, fixed seed) and moves it into place in one rename, so the
 * scoring app never sees half a bundle; when it holds one already, leaves it alone. Runs from the
 * scoring app's jar ({@code java -cp <jar> io.moerec.moe.streams.StarterBundle DIR}); the compose file's
 * one-shot {@code model-init} service runs it before the scoring app starts.
 */
@Command(name = "starter-bundle", mixinStandardHelpOptions = true, versionProvider = ScoringApp.Version.class,
        description = "Trains a start-up model bundle on generated data into BUNDLE_DIR unless a bundle is there already.")
public final class StarterBundle implements Callable<Integer> {

    private static final Logger LOG = LoggerFactory.getLogger(StarterBundle.class);

    @Parameters(index = "0", paramLabel = "BUNDLE_DIR", description = "Where the scoring app's model.path points.")
    Path dir;

    /** Whether {@code dir} holds a bundle (its manifest); an invalid one fails later, in the app, with its reason. */
    static boolean hasBundle(Path dir) {
        return Files.isRegularFile(dir.resolve(ModelBundle.MANIFEST));
    }

    /** Trains and saves a bundle at {@code dir} unless one is there; returns whether it trained. */
    static boolean ensure(Path dir, GeneratorConfig data, TrainingConfig training) {
        if (hasBundle(dir)) {
            LOG.info("{} holds a model bundle already; nothing to do", dir);
            return false;
        }
        if (Files.exists(dir)) {
            throw new IllegalArgumentException(dir + " exists but holds no model bundle (no " + ModelBundle.MANIFEST
                    + "); remove it or put a bundle there");
        }
        LOG.info("no model bundle at {}: training a starter bundle on generated data ({} users, {} movies)", dir,
                data.users(), data.movies());
        List<Movie> movies = new ArrayList<>();
        List<ViewingEvent> events = new ArrayList<>();
        new SyntheticDataGenerator(data).generate(movies::add, events::add);
        MoeModel model = MoeTrainer.train("generated data (seed " + data.seed() + ")", movies, events, training);
        Path tmp = dir.resolveSibling("." + dir.getFileName() + ".partial");
        String version;
        try {
            deleteRecursively(tmp);
            version = ModelBundle.save(model, tmp);
            Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("could not move the bundle to " + dir, e);
        }
        LOG.info("starter bundle {} written to {}", version, dir);
        return true;
    }

    private static void deleteRecursively(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (var paths = Files.walk(p)) {
            for (Path q : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(q);
            }
        }
    }

    @Override
    public Integer call() {
        if (!SLF4JBridgeHandler.isInstalled()) {
            SLF4JBridgeHandler.removeHandlersForRootLogger();
            SLF4JBridgeHandler.install(); // Tribuo logs through java.util.logging
        }
        ensure(dir, GeneratorConfig.defaults(), TrainingConfig.defaults());
        return 0;
    }

    public static void main(String[] args) {
        CommandLine cmd = new CommandLine(new StarterBundle());
        cmd.setExecutionExceptionHandler((e, c, parsed) -> {
            c.getErr().println("starter-bundle: " + e.getMessage());
            return 1;
        });
        System.exit(cmd.execute(args));
    }
}
