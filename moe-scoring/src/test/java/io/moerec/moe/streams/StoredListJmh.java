package io.moerec.moe.streams;

import io.moerec.ingest.domain.Genre;
import io.moerec.ingest.domain.RecommendationList;
import io.moerec.ingest.domain.RecommendationList.ExpertWeight;
import io.moerec.ingest.domain.RecommendationList.RecommendedItem;
import io.moerec.ingest.json.InvalidRecordException;
import io.moerec.ingest.json.JsonCodec;
import io.moerec.ingest.json.RecommendationListCodec;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * JMH: what the {@value ScoringTopology#LISTS_STORE} store's value form costs per scored update, that is
 * one get of the user's last list (decode) and one put of the new one (encode), in JSON (the topic's
 * codec, what the store used before) and in {@link StoredListCodec}'s binary form. The lists are shaped as
 * published: 10 items with arbitrary double scores, {@code experts} gate weights each, a "because" movie
 * on most. Run with {@code java -cp <moe-scoring test classpath> org.openjdk.jmh.Main StoredListJmh}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 2, jvmArgsAppend = {"-Xmx1g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class StoredListJmh {

    @Param({"2", "4"})
    public int experts;

    private final JsonCodec<RecommendationList> json = new RecommendationListCodec();
    private final JsonCodec<RecommendationList> binary = new StoredListCodec();
    private final RecommendationList[] lists = new RecommendationList[256];
    private byte[][] asJson;
    private byte[][] asBinary;
    private int next;

    @Setup
    public void setUp() {
        SplittableRandom random = new SplittableRandom(42);
        asJson = new byte[lists.length][];
        asBinary = new byte[lists.length][];
        for (int l = 0; l < lists.length; l++) {
            List<RecommendedItem> items = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                List<ExpertWeight> weights = new ArrayList<>();
                for (int e = 0; e < experts; e++) {
                    weights.add(new ExpertWeight(Genre.ofIndex(random.nextInt(Genre.COUNT)), random.nextDouble()));
                }
                items.add(new RecommendedItem(1 + random.nextInt(200_000), random.nextDouble(-3, 3), weights,
                        random.nextInt(4) == 0 ? null : (long) (1 + random.nextInt(200_000))));
            }
            lists[l] = new RecommendationList("user-" + random.nextInt(1_000_000), 1_764_000_000_000L + l, "moe-5eac4a2e446831e1",
                    "softmax", items, "evt-" + random.nextLong(), 1_763_000_000_000L + l);
            asJson[l] = json.encode(lists[l]);
            asBinary[l] = binary.encode(lists[l]);
        }
    }

    @Benchmark
    public RecommendationList jsonGetAndPut(Blackhole put) throws InvalidRecordException {
        int i = next++ & (lists.length - 1);
        put.consume(json.encode(lists[i]));
        return json.decode(asJson[i]);
    }

    @Benchmark
    public RecommendationList binaryGetAndPut(Blackhole put) throws InvalidRecordException {
        int i = next++ & (lists.length - 1);
        put.consume(binary.encode(lists[i]));
        return binary.decode(asBinary[i]);
    }

    @Benchmark
    public byte[] topicEncode() {
        return json.encode(lists[next++ & (lists.length - 1)]);
    }
}
