package io.moerec.moe.bench;

import io.moerec.features.FeatureConfig;
import io.moerec.features.PreferenceFeatureLogic;
import io.moerec.ingest.datasets.DataSets;
import io.moerec.ingest.domain.Movie;
import io.moerec.ingest.domain.UserPreferenceFeatures;
import io.moerec.ingest.domain.ViewingEvent;
import io.moerec.ingest.generate.GeneratorConfig;
import io.moerec.ingest.generate.SyntheticDataGenerator;
import io.moerec.ingest.json.InvalidRecordException;
import io.moerec.ingest.json.UserFeaturesCodec;
import io.moerec.moe.train.MoeTrainer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
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

/**
 * JMH: the {@code user-features} value codec ({@link UserFeaturesCodec}, the one both jobs use) on the
 * records the feature logic folds from a viewing log replayed in order, one record per applied event as
 * the features job publishes them. {@code data} is {@code movielens} (the directory of
 * {@code -Dmoerec.bench.data}, e.g. ml-latest-small) or {@code synthetic} (the project's generator at
 * its defaults). The set-up encodes every update once and prints the encoded bytes per record (mean,
 * p50, p99, max); the benchmarks then time encode, decode and both, in µs per record, cycling through an
 * evenly spaced sample of at most {@value #SAMPLE} updates (so heavy and light users weigh as in the log),
 * and print each iteration's µs of thread CPU time per record beside JMH's wall-clock figure.
 * Run with {@code java -Dmoerec.bench.data=DIR -cp <moe-scoring test classpath> io.moerec.moe.bench.UserFeaturesCodecJmh}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g"})
@Threads(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class UserFeaturesCodecJmh {

    static final int SAMPLE = 10_000;

    @Param({"movielens", "synthetic"})
    public String data;

    private final UserFeaturesCodec codec = new UserFeaturesCodec();
    private UserPreferenceFeatures[] sample;
    private byte[][] encoded;
    private int next;

    @Setup(Level.Trial)
    public void setUp() throws InvalidRecordException {
        List<Movie> movies = new ArrayList<>();
        List<ViewingEvent> events = new ArrayList<>();
        if (data.equals("movielens")) {
            MoeTrainer.readAll(DataSets.open(CompiledScorerJmh.dataDir()), movies, events);
        } else {
            new SyntheticDataGenerator(GeneratorConfig.defaults()).generate(movies::add, events::add);
        }
        Map<Long, Movie> byId = new HashMap<>();
        movies.forEach(m -> byId.put(m.movieId(), m));
        List<UserPreferenceFeatures> kept = new ArrayList<>();
        int[] sizes = new int[events.size()];
        long[] watchedTotal = {0};
        int[] n = {0};
        int stride = Math.max(1, events.size() / SAMPLE);
        new PreferenceFeatureLogic(FeatureConfig.defaults()).replay(events, byId::get, f -> {
            sizes[n[0]] = codec.encode(f).length;
            watchedTotal[0] += f.watched().length;
            if (n[0]++ % stride == 0) {
                kept.add(f);
            }
        });
        int[] s = Arrays.copyOf(sizes, n[0]);
        Arrays.sort(s);
        double mean = Arrays.stream(s).asLongStream().sum() / (double) s.length;
        System.out.printf(Locale.ROOT, "%n  [bytes] %s: %d records (%.1f watched ids each on average), encoded bytes per record:"
                        + " mean %.1f, p50 %d, p99 %d, max %d%n", data, s.length, watchedTotal[0] / (double) s.length, mean,
                s[s.length / 2], s[(int) Math.ceil(0.99 * s.length) - 1], s[s.length - 1]);
        sample = kept.toArray(UserPreferenceFeatures[]::new);
        encoded = new byte[sample.length][];
        for (int i = 0; i < sample.length; i++) {
            encoded[i] = codec.encode(sample[i]);
            if (!codec.decode(encoded[i]).equals(sample[i])) {
                throw new IllegalStateException("record " + i + " does not round-trip");
            }
        }
    }

    private int nextIndex() {
        int i = next;
        next = i + 1 == sample.length ? 0 : i + 1;
        clock.count();
        return i;
    }

    private final ThreadCpuClock clock = new ThreadCpuClock();

    /**
     * µs of the benchmark thread's CPU time per record, printed per iteration: on a shared machine the
     * thread waits for a core, so wall-clock time overstates what a record costs; this does not.
     */
    @Setup(Level.Iteration)
    public void startCpuClock() {
        clock.start();
    }

    @TearDown(Level.Iteration)
    public void stopCpuClock() {
        double cpuMicros = clock.cpuNanos() / 1e3;
        System.out.printf(Locale.ROOT, "%n  [cpu] %s: %d records, %.3f us of thread CPU time per record%n", data, clock.calls(),
                cpuMicros / clock.calls());
    }

    @Benchmark
    public byte[] encode() {
        return codec.encode(sample[nextIndex()]);
    }

    @Benchmark
    public UserPreferenceFeatures decode() throws InvalidRecordException {
        return codec.decode(encoded[nextIndex()]);
    }

    @Benchmark
    public UserPreferenceFeatures encodeDecode() throws InvalidRecordException {
        return codec.decode(codec.encode(sample[nextIndex()]));
    }

    public static void main(String[] args) throws Exception {
        CompiledScorerJmh.dataDir(); // fail here, before JMH forks, when the data set is missing
        new Runner(new OptionsBuilder().include(UserFeaturesCodecJmh.class.getSimpleName()).build()).run();
    }
}
