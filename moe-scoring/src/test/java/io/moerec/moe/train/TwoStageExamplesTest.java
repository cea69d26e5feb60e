package io.moerec.moe.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.moerec.ingest.domain.Genre;
import io.moerec.moe.Fixtures;
import io.moerec.moe.TrainingConfig;
import io.moerec.moe.model.CandidateGenerator;
import io.moerec.moe.model.ExpertExample;
import io.moerec.moe.model.ItemNeighbours;
import io.moerec.moe.train.TrainingData.Interaction;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TwoStageExamplesTest {

    private static final int RANK = CandidateGenerator.SIGNALS; // index of the rank signal in a pair

    private static List<List<ExpertExample>> build(TrainingConfig config, TrainingData data) {
        List<List<Interaction>> byGenre = new ArrayList<>();
        for (int g = 0; g < Genre.COUNT; g++) {
            byGenre.add(new ArrayList<>());
        }
        for (Interaction it : data.interactions()) {
            int bits = data.table().genreBits(it.movie());
            for (int g = 0; g < Genre.COUNT; g++) {
                if (((bits >>> g) & 1) != 0) {
                    byGenre.get(g).add(it);
                }
            }
        }
        boolean[] wanted = new boolean[Genre.COUNT];
        Arrays.fill(wanted, true);
        ItemNeighbours nb = ItemNeighbours.build(data.userWatches().values(), data.table().size(), MoeTrainer.NEIGHBOURS);
        return TwoStageExamples.build(data, nb, byGenre, wanted, config, new LinkedHashMap<>());
    }

    @Test
    void hardNegativesAreCandidatesOfTheProfileAndNeverWatchedMovies() {
        TrainingConfig config = TrainingConfig.defaults().withFirstStage(new TrainingConfig.FirstStage(400, 100, 3, 30, 4));
        TrainingData data = TrainingData.prepare(Fixtures.world().catalog, Fixtures.world().events, config.features());
        Map<double[], Interaction> byUser = new IdentityHashMap<>();
        data.interactions().forEach(it -> byUser.put(it.user(), it));
        List<List<ExpertExample>> examples = build(config, data);
        List<ExpertExample> shared = examples.get(TwoStageExamples.SHARED);
        assertTrue(shared.size() > 500, "too few examples: " + shared.size());
        int negatives = 0;
        for (ExpertExample x : shared) {
            // Every example, positive or negative, is one of its profile's 30 candidates: rank signal below 1.
            assertTrue(x.pair()[RANK] < 1.0, "an example outside the candidates: rank signal " + x.pair()[RANK]);
            if (!x.positive()) {
                negatives++;
                int[] watched = data.userWatches().get(byUser.get(x.user()).userId());
                assertTrue(Arrays.binarySearch(watched, x.movie()) < 0, "a hard negative the user watched");
            }
        }
        assertEquals(4 * (shared.size() - negatives), negatives, "four negatives per positive");
        // A genre expert's positives are movies of its genre; its negatives are candidates of any genre, as the shared expert's.
        for (int g = 0; g < Genre.COUNT; g++) {
            for (ExpertExample x : examples.get(g)) {
                assertTrue(x.pair()[RANK] < 1.0, "a genre expert's example outside the candidates");
                if (x.positive()) {
                    assertTrue(((data.table().genreBits(x.movie()) >>> g) & 1) != 0, "expert " + g + " got another genre's positive");
                }
            }
        }
    }

    @Test
    void theKnnSignalIsInTheExamplesOnlyWhenTheModelReadsIt() {
        TrainingConfig with = TrainingConfig.defaults().withFirstStage(new TrainingConfig.FirstStage(400, 100, 3, 30, 3, false, true));
        TrainingConfig without = TrainingConfig.defaults().withFirstStage(new TrainingConfig.FirstStage(400, 100, 3, 30, 3, false, false));
        TrainingData data = TrainingData.prepare(Fixtures.world().catalog, Fixtures.world().events, with.features());
        List<ExpertExample> a = build(with, data).get(TwoStageExamples.SHARED);
        List<ExpertExample> b = build(without, data).get(TwoStageExamples.SHARED);
        assertTrue(a.stream().filter(x -> x.pair()[0] > 0).count() > a.size() / 2, "most examples have a knn signal");
        assertTrue(b.stream().allMatch(x -> x.pair()[0] == 0.0), "without it, knn is 0 in every example");
        // The same examples otherwise: knn draws nothing at random.
        assertEquals(a.size(), b.size());
        for (int i = 0; i < a.size(); i++) {
            assertEquals(a.get(i).movie(), b.get(i).movie());
            assertEquals(Arrays.toString(Arrays.copyOfRange(a.get(i).pair(), 1, a.get(i).pair().length)),
                    Arrays.toString(Arrays.copyOfRange(b.get(i).pair(), 1, b.get(i).pair().length)));
        }
    }

    @Test
    void withoutHardNegativesTheNegativesComeFromPopularitySampling() {
        TrainingConfig config = TrainingConfig.defaults().withFirstStage(new TrainingConfig.FirstStage(400, 100, 3, 30, 0));
        TrainingData data = TrainingData.prepare(Fixtures.world().catalog, Fixtures.world().events, config.features());
        List<ExpertExample> shared = build(config, data).get(TwoStageExamples.SHARED);
        long outside = shared.stream().filter(x -> !x.positive() && x.pair()[RANK] == 1.0).count();
        long negatives = shared.stream().filter(x -> !x.positive()).count();
        // Most of a catalog of hundreds of movies lies outside a profile's 30 candidates.
        assertTrue(outside > negatives / 2, outside + " of " + negatives + " sampled negatives outside the candidates");
    }
}
