package io.moerec.moe.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.moerec.features.FeatureConfig;
import io.moerec.ingest.domain.ViewingEvent;
import io.moerec.moe.PlantedTastes;
import io.moerec.moe.model.UserVector;
import io.moerec.moe.train.TrainingData.Interaction;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TrainingDataTest {

    private final PlantedTastes world = new PlantedTastes(60, 10, 10, 30, 0.8, false, 17);

    @Test
    void noExampleSeesItsOwnEventOrTheFuture() {
        TrainingData all = TrainingData.prepare(world.catalog, world.events, FeatureConfig.defaults());
        List<ViewingEvent> sorted = new ArrayList<>(world.events);
        sorted.sort(TrainingData.REPLAY_ORDER);
        long cut = sorted.get(sorted.size() / 2).eventTime();

        // Rewrite history after the cut: every later event goes to another movie and becomes a rating.
        List<ViewingEvent> altered = new ArrayList<>();
        for (ViewingEvent e : world.events) {
            altered.add(e.eventTime() <= cut ? e
                    : ViewingEvent.rate(e.eventId(), e.userId(), 1 + (e.movieId() * 7) % world.catalog.size(), e.eventTime(), 0.5));
        }
        TrainingData changed = TrainingData.prepare(world.catalog, altered, FeatureConfig.defaults());

        List<Interaction> before = all.interactions().stream().filter(i -> i.eventTime() <= cut).toList();
        List<Interaction> before2 = changed.interactions().stream().filter(i -> i.eventTime() <= cut).toList();
        assertTrue(before.size() > 100, "fixture too small: " + before.size());
        assertEquals(before.size(), before2.size());
        for (int i = 0; i < before.size(); i++) {
            assertEquals(before.get(i).userId(), before2.get(i).userId());
            assertEquals(before.get(i).movie(), before2.get(i).movie());
            assertArrayEquals(before.get(i).user(), before2.get(i).user(), 0.0, "example " + i + " saw the future");
        }
        // The features never postdate the event, and exclude it: the event count is that of earlier events.
        Map<String, Integer> seen = new HashMap<>();
        for (ViewingEvent e : sorted) {
            seen.merge(e.userId(), 1, Integer::sum);
        }
        for (Interaction it : all.interactions()) {
            assertTrue(it.featuresAsOf() <= it.eventTime());
            long earlier = sorted.stream().filter(e -> e.userId().equals(it.userId())
                    && TrainingData.REPLAY_ORDER.compare(e, find(sorted, it)) < 0).count();
            assertEquals(Math.log1p(earlier), it.user()[UserVector.EVENTS], 1e-12);
        }
    }

    private static ViewingEvent find(List<ViewingEvent> sorted, Interaction it) {
        for (ViewingEvent e : sorted) {
            if (e.userId().equals(it.userId()) && e.eventTime() == it.eventTime()) {
                return e;
            }
        }
        throw new AssertionError("no event for " + it);
    }

    @Test
    void oneInteractionPerUserMoviePairExceptFirstEvents() {
        TrainingData d = TrainingData.prepare(world.catalog, world.events, FeatureConfig.defaults());
        // The generator never repeats a (user, movie) pair and every event is a watch, so there is one
        // interaction per event minus each user's first event.
        assertEquals(world.events.size() - world.taste.length, d.interactions().size());
        assertEquals(world.taste.length, d.latestUserVectors().size());
        long total = 0;
        for (int m = 0; m < d.table().size(); m++) {
            total += d.table().interactions(m);
        }
        assertEquals(world.events.size(), total);
    }
}
