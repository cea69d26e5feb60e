package io.moerec.moe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.moerec.ingest.domain.Genre;
import io.moerec.ingest.domain.Movie;
import io.moerec.ingest.domain.RecommendationList.ExpertWeight;
import io.moerec.ingest.domain.RecommendationList.RecommendedItem;
import io.moerec.moe.model.CompiledExpert;
import io.moerec.moe.model.CompiledLinearExpert;
import io.moerec.moe.model.ExpertFeatures;
import io.moerec.moe.model.GenreClassifier;
import io.moerec.moe.model.MovieTable;
import io.moerec.moe.model.UserVector;
import io.moerec.moe.routing.DenseRouter;
import io.moerec.moe.routing.Router;
import io.moerec.moe.routing.SoftmaxRouter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.LongPredicate;
import org.junit.jupiter.api.Test;

/** The scorer against a brute-force evaluation of s(u, m) with hand-set expert weights. */
class MoeScorerTest {

    private final List<Movie> catalog = TestCatalogs.catalog(300, 8);
    private final MovieTable table = TestCatalogs.table(catalog, 9);
    private final CompiledExpert[] experts = new CompiledExpert[Genre.COUNT];
    private final GenreClassifier gate;

    MoeScorerTest() {
        SplittableRandom rng = new SplittableRandom(1);
        // Random per-movie and per-cross weights: every expert ranks the catalog differently.
        for (int g = 0; g < Genre.COUNT; g++) {
            if (g == 17) {
                continue; // one genre without an expert
            }
            double[] d = new double[ExpertFeatures.size(table.size())];
            for (int i = 0; i < d.length; i++) {
                d[i] = rng.nextGaussian();
            }
            experts[g] = CompiledLinearExpert.of(rng.nextGaussian(), d, table);
        }
        List<GenreClassifier.Row> rows = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            double[] u = TestCatalogs.randomUser(rng);
            rows.add(new GenreClassifier.Row(u, rng.nextInt(Genre.COUNT), 1f));
        }
        gate = GenreClassifier.train("gate", UserVector.featureNames(), rows, 1, 0.1, 2);
    }

    private List<long[]> bruteForce(double[] u, Router router, LongPredicate excluded, int n) {
        int[] e = new int[router.maxExperts()];
        double[] w = new double[router.maxExperts()];
        int c = router.route(u, e, w);
        List<double[]> scored = new ArrayList<>();
        for (int m = 0; m < table.size(); m++) {
            if (excluded.test(table.movieId(m))) {
                continue;
            }
            double s = 0;
            boolean candidate = false;
            for (int i = 0; i < c; i++) {
                if (experts[e[i]] != null && (table.genreBits(m) & (1 << e[i])) != 0) {
                    candidate = true;
                    s += w[i] * experts[e[i]].scoreOnce(u, m, 0.0);
                }
            }
            if (candidate) {
                scored.add(new double[] {s, table.movieId(m)});
            }
        }
        scored.sort(Comparator.<double[]>comparingDouble(x -> -x[0]).thenComparingDouble(x -> x[1]));
        List<long[]> out = new ArrayList<>();
        for (int i = 0; i < Math.min(n, scored.size()); i++) {
            out.add(new long[] {(long) scored.get(i)[1], Double.doubleToLongBits(scored.get(i)[0])});
        }
        return out;
    }

    @Test
    void matchesBruteForceForSparseAndDenseRouters() {
        SplittableRandom rng = new SplittableRandom(5);
        for (Router router : List.of(new SoftmaxRouter(gate, 2), new SoftmaxRouter(gate, 3), new DenseRouter(gate))) {
            MoeScorer scorer = new MoeScorer(table, experts, router);
            for (int t = 0; t < 50; t++) {
                double[] u = TestCatalogs.randomUser(rng);
                LongPredicate excluded = id -> id % 5 == 0;
                List<RecommendedItem> got = scorer.recommend(u, excluded, 10);
                List<long[]> want = bruteForce(u, router, excluded, 10);
                assertEquals(want.size(), got.size());
                for (int i = 0; i < got.size(); i++) {
                    assertEquals(want.get(i)[0], got.get(i).movieId(), router.name() + " rank " + i);
                    assertEquals(Double.longBitsToDouble(want.get(i)[1]), got.get(i).score(), 1e-12);
                    assertFalse(excluded.test(got.get(i).movieId()));
                }
            }
        }
    }

    @Test
    void itemsNameTheirContributingExperts() {
        Router router = new SoftmaxRouter(gate, 2);
        MoeScorer scorer = new MoeScorer(table, experts, router);
        double[] u = TestCatalogs.randomUser(new SplittableRandom(77));
        int[] e = new int[2];
        double[] w = new double[2];
        router.route(u, e, w);
        List<RecommendedItem> items = scorer.recommend(u, id -> false, 300);
        assertTrue(items.size() > 10);
        for (RecommendedItem it : items) {
            int bits = table.genreBits(table.indexOf(it.movieId()));
            assertFalse(it.experts().isEmpty());
            for (ExpertWeight ew : it.experts()) {
                assertTrue((bits & (1 << ew.genre().ordinal())) != 0, "expert " + ew.genre() + " not a genre of " + it.movieId());
                assertEquals(ew.genre().ordinal() == e[0] ? w[0] : w[1], ew.weight(), 0);
            }
        }
        for (int i = 1; i < items.size(); i++) {
            assertTrue(items.get(i - 1).score() >= items.get(i).score());
        }
    }

    @Test
    void concurrentRequestsGetTheSameListsAsSequentialOnes() throws Exception {
        MoeScorer scorer = new MoeScorer(table, experts, new SoftmaxRouter(gate, 2));
        SplittableRandom rng = new SplittableRandom(12);
        List<double[]> users = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            users.add(TestCatalogs.randomUser(rng));
        }
        List<List<RecommendedItem>> sequential = users.stream().map(u -> scorer.recommend(u, id -> false, 10)).toList();
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
        try {
            List<java.util.concurrent.Future<List<RecommendedItem>>> fs = new ArrayList<>();
            for (double[] u : users) {
                fs.add(pool.submit(() -> scorer.recommend(u, id -> false, 10)));
            }
            for (int i = 0; i < users.size(); i++) {
                assertEquals(sequential.get(i), fs.get(i).get());
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
