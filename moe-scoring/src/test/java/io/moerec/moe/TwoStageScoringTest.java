package io.moerec.moe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.moerec.ingest.domain.Genre;
import io.moerec.ingest.domain.GenreSet;
import io.moerec.ingest.domain.Movie;
import io.moerec.ingest.domain.RecommendationList.RecommendedItem;
import io.moerec.ingest.domain.ViewingEvent;
import io.moerec.moe.routing.RouterKind;
import io.moerec.moe.train.MoeTrainer;
import io.moerec.moe.train.TrainingData;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The two-stage path on a world with planted item-to-item taste: 20 series of 5 movies each (ids
 * 1–100, series s has genre s mod 18) and 10 blockbusters (ids 101–110). Every user follows one series,
 * watching its parts in order, and 6 of the blockbusters, interleaved at random. The last 100 users'
 * histories stop after their second part: for them the next parts of their series are far more likely
 * than any unwatched blockbuster, though a popularity ranking puts the blockbusters first.
 */
class TwoStageScoringTest {

    private static final int SERIES = 20;
    private static final int USERS = 400;
    private static final int CUT = 300;
    private static MoeModel model;
    private static TrainingData data;

    @BeforeAll
    static void train() {
        Fixtures.routeJulToSlf4j();
        Random rng = new Random(7);
        List<Movie> catalog = new ArrayList<>();
        for (int id = 1; id <= SERIES * 5; id++) {
            catalog.add(new Movie(id, "Series " + (id - 1) / 5 + " part " + (id - 1) % 5, 2000,
                    GenreSet.of(Genre.ofIndex((id - 1) / 5 % Genre.COUNT))));
        }
        for (int id = 101; id <= 110; id++) {
            catalog.add(new Movie(id, "Blockbuster " + id, 2010, GenreSet.of(Genre.ACTION).with(Genre.COMEDY)));
        }
        List<ViewingEvent> events = new ArrayList<>();
        long t = 1_600_000_000_000L;
        int eid = 0;
        for (int u = 0; u < USERS; u++) {
            int s = u % SERIES;
            List<Long> blockbusters = new ArrayList<>();
            for (long id = 101; id <= 110; id++) {
                blockbusters.add(id);
            }
            Collections.shuffle(blockbusters, rng);
            // Positions of the 5 parts among 11 events; the parts keep their order.
            List<Boolean> isPart = new ArrayList<>();
            for (int i = 0; i < 11; i++) {
                isPart.add(i < 5);
            }
            Collections.shuffle(isPart, rng);
            int part = 0;
            int bb = 0;
            for (boolean p : isPart) {
                if (u >= CUT && part == 2) {
                    break;
                }
                long movie = p ? (long) s * 5 + 1 + part++ : blockbusters.get(bb++);
                t += 3_600_000L;
                events.add(ViewingEvent.complete("e" + eid++, "u" + u, movie, t));
            }
        }
        TrainingConfig config = TrainingConfig.defaults().withFirstStage(new TrainingConfig.FirstStage(50, 100, 3, 20, 3));
        model = MoeTrainer.train("planted series", catalog, events, config);
        data = TrainingData.prepare(catalog, events, config.features());
    }

    @Test
    void theTwoStageModelRanksTheRecentWatchesNeighboursAbovePopularMovies() {
        MoeScorer scorer = model.scorer(RouterKind.SOFTMAX);
        assertTrue(scorer.twoStage());
        int above = 0;
        int becauseOfTheSeries = 0;
        for (int u = CUT; u < USERS; u++) {
            String user = "u" + u;
            long series = u % SERIES;
            Set<Long> watched = new HashSet<>();
            for (int m : data.userWatches().get(user)) {
                watched.add(model.table().movieId(m));
            }
            List<RecommendedItem> list = scorer.recommend(data.latestUserVectors().get(user),
                    data.latestRecentWatches().get(user), watched::contains, 10);
            int firstPart = Integer.MAX_VALUE;
            int firstBlockbuster = Integer.MAX_VALUE;
            for (int r = 0; r < list.size(); r++) {
                RecommendedItem it = list.get(r);
                assertTrue(!watched.contains(it.movieId()), "a watched movie was recommended");
                if (it.movieId() <= 100 && (it.movieId() - 1) / 5 == series && firstPart == Integer.MAX_VALUE) {
                    firstPart = r;
                    assertNotNull(it.because(), "an item-to-item candidate without its because");
                    if (it.because() <= 100 && (it.because() - 1) / 5 == series && watched.contains(it.because())) {
                        becauseOfTheSeries++;
                    }
                } else if (it.movieId() > 100) {
                    firstBlockbuster = Math.min(firstBlockbuster, r);
                }
            }
            if (firstPart < firstBlockbuster) {
                above++;
            }
        }
        int users = USERS - CUT;
        // A popularity ranking puts a blockbuster first for every one of them; the gate still routes many of these users
        // to the blockbusters' genres (most of their watches), which keeps this short of all.
        assertTrue(above > 0.75 * users, "a next part of the series ranked above every unwatched blockbuster for only " + above
                + " of " + users + " users");
        assertTrue(becauseOfTheSeries > 0.9 * users, "because named a watched part of the series for only " + becauseOfTheSeries);
    }

    @Test
    void aUserWithoutRecentWatchesGetsPopularMoviesWithoutBecause() {
        List<RecommendedItem> list = model.scorer(RouterKind.SOFTMAX).recommend(data.latestUserVectors().get("u0"), new int[0],
                id -> false, 5);
        assertTrue(!list.isEmpty());
        for (RecommendedItem it : list) {
            assertTrue(it.because() == null, "popular fill with a because");
        }
        assertTrue(list.stream().anyMatch(it -> it.movieId() > 100), "the blockbusters are the popular fill");
    }

    @Test
    void theFirstStageKeysRoundTripAndBadValuesNameTheirKey() {
        TrainingConfig c = TrainingConfig.fromMap(Map.of("train.itemToItem.lambda", "200", "train.itemToItem.neighbours", "50",
                "train.itemToItem.folds", "5", "train.candidates", "100", "train.hardNegatives", "2"));
        assertEquals(new TrainingConfig.FirstStage(200, 50, 5, 100, 2), c.firstStage());
        assertEquals(c, TrainingConfig.fromMap(c.toMap()));
        assertFalse(TrainingConfig.defaults().firstStage().contextSignals(), "off by default");
        TrainingConfig ctx = TrainingConfig.fromMap(Map.of("train.contextSignals", "true"));
        assertTrue(ctx.firstStage().contextSignals());
        assertEquals(ctx, TrainingConfig.fromMap(ctx.toMap()));
        assertFailsNaming(() -> TrainingConfig.fromMap(Map.of("train.contextSignals", "maybe")), "train.contextSignals");
        assertFalse(TrainingConfig.defaults().firstStage().knnSignal(), "off by default");
        TrainingConfig knn = TrainingConfig.fromMap(Map.of("train.knnSignal", "true"));
        assertTrue(knn.firstStage().knnSignal());
        assertEquals(knn, TrainingConfig.fromMap(knn.toMap()));
        assertFailsNaming(() -> TrainingConfig.fromMap(Map.of("train.knnSignal", "maybe")), "train.knnSignal");
        assertFalse(TrainingConfig.fromMap(Map.of("train.candidates", "0")).firstStage().enabled());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TrainingConfig.fromMap(Map.of("train.hardNegatives", "5")));
        assertTrue(e.getMessage().contains("train.hardNegatives"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> TrainingConfig.fromMap(Map.of("train.itemToItem.folds", "1")));
        assertTrue(e.getMessage().contains("train.itemToItem.folds"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> TrainingConfig.fromMap(Map.of("train.itemToItem.lambda", "0")));
        assertTrue(e.getMessage().contains("train.itemToItem.lambda"), e.getMessage());
    }

    private static void assertFailsNaming(org.junit.jupiter.api.function.Executable bad, String key) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, bad);
        assertTrue(e.getMessage().contains(key), e.getMessage());
    }
}
