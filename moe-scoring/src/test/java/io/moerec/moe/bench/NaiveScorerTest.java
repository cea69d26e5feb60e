package io.moerec.moe.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import io.moerec.moe.Fixtures;
import io.moerec.moe.MoeModel;
import io.moerec.moe.TestCatalogs;
import io.moerec.moe.routing.RouterKind;
import io.moerec.moe.TrainingConfig;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The benchmark's two paths rank identically: compiled scoring is Tribuo's scoring, end to end. */
class NaiveScorerTest {

    @Test
    void compiledAndTribuoPathsGiveTheSameTopTen() {
        for (TrainingConfig config : List.of(TrainingConfig.defaults(), Fixtures.PLAIN, Fixtures.PLAIN.withShared(1.0, false),
                Fixtures.PLAIN.withSoftExperts(2))) {
            MoeModel trained = Fixtures.model(config);
            assertSameTopTen(trained);
            assertSameTopTen(trained.withMixture(trained.config().withShared(trained.config().sharedWeight(), true)));
        }
    }

    private static void assertSameTopTen(MoeModel model) {
        SplittableRandom rng = new SplittableRandom(8);
        for (RouterKind kind : RouterKind.values()) {
            NaiveScorer naive = new NaiveScorer(model, model.router(kind));
            for (int i = 0; i < 20; i++) {
                double[] u = TestCatalogs.randomUser(rng);
                int[] recent = {rng.nextInt(model.table().size()), rng.nextInt(model.table().size()), -1};
                long[] a = model.scorer(kind).recommend(u, recent, id -> id % 3 == 0, 10).stream().mapToLong(x -> x.movieId()).toArray();
                assertArrayEquals(naive.recommend(u, recent, id -> id % 3 == 0, 10), a, kind.configName() + " " + model.config());
            }
        }
    }
}
