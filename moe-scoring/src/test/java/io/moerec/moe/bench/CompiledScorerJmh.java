package io.moerec.moe.bench;

import io.moerec.moe.MoeModel;
import io.moerec.moe.MoeScorer;
import io.moerec.moe.bundle.ModelBundle;
import io.moerec.moe.dev.DevRun;
import io.moerec.moe.model.UserVector;
import io.moerec.moe.routing.RouterKind;
import io.moerec.moe.train.MoeTrainer;
import io.moerec.moe.TrainingConfig;
import io.moerec.moe.train.TrainingData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.slf4j.bridge.SLF4JBridgeHandler;

/**
 * JMH: users scored per second on one thread, per router, by the compiled scorer versus Tribuo's
 * per-example predict ({@link NaiveScorer}), on a MovieLens catalog (ml-latest-small: 9,742 movies).
 * {@code -Dmoerec.bench.data=DIR} (required) is the data set whose users are scored; the model comes
 * from the bundle directory {@code -Dmoerec.bench.bundle} (default {@code moerec-bench-bundle} under
 * {@code java.io.tmpdir}), trained on the data set and saved there first if it holds none yet. On the
 * default two-stage model a user is the two-stage request (first-stage candidates, re-ranked). Each
 * iteration also prints the users scored per CPU-second of the benchmark thread. Run with
 * {@code java -Dmoerec.bench.data=DIR -cp <moe-scoring test classpath> io.moerec.moe.bench.CompiledScorerJmh}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g"})
@Threads(1)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 3, time = 4)
public class CompiledScorerJmh {

    static final String DATA = "moerec.bench.data";
    static final String BUNDLE = "moerec.bench.bundle";

    @Param({"softmax", "balanced", "eigen", "dense"})
    public String router;

    private MoeScorer compiled;
    private NaiveScorer naive;
    private List<double[]> users;
    private List<int[]> recents;
    private int next;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        // A benchmark fork is an entry point: route Tribuo's java.util.logging through SLF4J.
        if (!SLF4JBridgeHandler.isInstalled()) {
            SLF4JBridgeHandler.removeHandlersForRootLogger();
            SLF4JBridgeHandler.install();
        }
        Path data = dataDir();
        DevRun.Loaded ml = DevRun.Loaded.of(data);
        Path bundle = Path.of(System.getProperty(BUNDLE, Path.of(System.getProperty("java.io.tmpdir"), "moerec-bench-bundle").toString()));
        if (!Files.exists(bundle.resolve(ModelBundle.MANIFEST))) {
            ModelBundle.save(MoeTrainer.train(data.getFileName().toString(), ml.movies(), ml.events(), TrainingConfig.defaults()), bundle);
        }
        MoeModel model = ModelBundle.load(bundle);
        RouterKind kind = RouterKind.parse(router);
        compiled = model.scorer(kind);
        naive = new NaiveScorer(model, model.router(kind));
        // Realistic users: the latest vectors of the training users, replayed through the feature logic.
        TrainingData td = TrainingData.prepare(ml.movies(), ml.events(), model.config().features());
        users = new ArrayList<>(td.latestUserVectors().values());
        recents = new ArrayList<>(td.latestRecentWatches().values());
        if (users.get(0).length != UserVector.DIM) {
            throw new IllegalStateException("bad user vector");
        }
    }

    private int nextUser() {
        int u = next;
        next = (next + 1) % users.size();
        clock.count();
        return u;
    }

    private final ThreadCpuClock clock = new ThreadCpuClock();

    /**
     * Users per CPU-second of the benchmark thread, printed per iteration: on a shared machine the
     * thread waits for a core, so wall-clock throughput understates what one core does; this does not.
     */
    @Setup(Level.Iteration)
    public void startCpuClock() {
        clock.start();
    }

    @TearDown(Level.Iteration)
    public void stopCpuClock() {
        double cpuSeconds = clock.cpuNanos() / 1e9;
        System.out.printf(Locale.ROOT, "%n  [cpu] %d users in %.3f s of thread CPU time: %.0f users per CPU-second%n", clock.calls(),
                cpuSeconds, clock.calls() / cpuSeconds);
    }

    @Benchmark
    public long[] compiledPath() {
        int u = nextUser();
        return compiled.recommend(users.get(u), recents.get(u), id -> false, 10).stream().mapToLong(i -> i.movieId()).toArray();
    }

    @Benchmark
    public long[] tribuoPredictPath() {
        int u = nextUser();
        return naive.recommend(users.get(u), recents.get(u), id -> false, 10);
    }

    /** The data set directory of {@code -Dmoerec.bench.data}, which must be set and exist. */
    static Path dataDir() {
        String value = System.getProperty(DATA);
        if (value == null || value.isBlank()) {
            throw new IllegalStateException("set -D" + DATA + "=<data set directory> (a MovieLens release such as "
                    + "ml-latest-small, or a moerec JSON-lines data set): its users are the ones scored");
        }
        Path dir = Path.of(value);
        if (!Files.isDirectory(dir)) {
            throw new IllegalStateException("-D" + DATA + "=" + value + " is not a directory");
        }
        return dir;
    }

    public static void main(String[] args) throws Exception {
        dataDir(); // fail here, before JMH forks, when the data set is missing
        new Runner(new OptionsBuilder().include(CompiledScorerJmh.class.getSimpleName()).build()).run();
    }
}
