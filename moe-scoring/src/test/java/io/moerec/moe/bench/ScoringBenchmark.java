package io.moerec.moe.bench;

import io.moerec.moe.MoeModel;
import io.moerec.moe.MoeScorer;
import io.moerec.moe.bundle.ModelBundle;
import io.moerec.moe.dev.DevRun;
import io.moerec.moe.model.UserVector;
import io.moerec.moe.routing.RouterKind;
import io.moerec.moe.train.MoeTrainer;
import io.moerec.moe.train.TrainingConfig;
import io.moerec.moe.train.TrainingData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.slf4j.bridge.SLF4JBridgeHandler;

/**
 * Users scored per second on one thread, per router, compiled path versus Tribuo's per-example
 * predict, on the ml-latest-small catalog (9,742 movies). The model comes from a bundle directory
 * ({@code -Dmoerec.bench.bundle}); if it does not exist yet it is trained on
 * {@code -Dmoerec.bench.data} (ml-latest-small) and saved there first. Run with
 * {@code java -cp <test classpath> io.moerec.moe.bench.ScoringBenchmark}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g"})
@Threads(1)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 3, time = 4)
public class ScoringBenchmark {

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
        Path bundle = Path.of(System.getProperty("moerec.bench.bundle", "/tmp/moerec-bench-bundle"));
        if (!Files.exists(bundle.resolve(ModelBundle.MANIFEST))) {
            DevRun.Loaded ml = DevRun.Loaded.of(Path.of(System.getProperty("moerec.bench.data",
                    "/work/shared/data/ml-latest-small")));
            ModelBundle.save(MoeTrainer.train("ml-latest-small", ml.movies(), ml.events(), TrainingConfig.defaults()), bundle);
        }
        MoeModel model = ModelBundle.load(bundle);
        RouterKind kind = RouterKind.parse(router);
        compiled = model.scorer(kind);
        naive = new NaiveScorer(model, model.router(kind));
        // Realistic users: the latest vectors of the training users, replayed through the feature logic.
        DevRun.Loaded ml = DevRun.Loaded.of(Path.of(System.getProperty("moerec.bench.data", "/work/shared/data/ml-latest-small")));
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
        return u;
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

    public static void main(String[] args) throws Exception {
        new Runner(new OptionsBuilder().include(ScoringBenchmark.class.getSimpleName()).build()).run();
    }
}
