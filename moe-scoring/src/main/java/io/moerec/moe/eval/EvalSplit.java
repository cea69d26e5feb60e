package io.moerec.moe.eval;

import io.moerec.ingest.domain.ViewingEvent;
import io.moerec.moe.Exclusion;
import io.moerec.moe.train.TrainingData;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.LongPredicate;

/**
 * A train/test split of an event log for implicit-feedback evaluation (every non-skip event,
 * ratings included, is a watch). {@code test} maps each test user to held-out movies; test items
 * never watched in training by anyone, and items the user already had any event with in training (a
 * skip included: {@link Exclusion}, serving would never recommend them), are dropped, and users left
 * with no test item are not test users.
 *
 * @param kind           {@code user-time}, {@code global-time} or {@code given}
 * @param train          the training events (the MoE replays them for features)
 * @param test           test user → held-out movie ids
 * @param droppedItems   test items dropped by the two rules above
 */
public record EvalSplit(String kind, List<ViewingEvent> train, Map<String, Set<Long>> test, int droppedItems) {

    /** Per-user order: event time, then movie id, then the rest of the replay order. */
    static final Comparator<ViewingEvent> USER_ORDER = Comparator.comparingLong(ViewingEvent::eventTime)
            .thenComparingLong(ViewingEvent::movieId).thenComparing(TrainingData.REPLAY_ORDER);

    /**
     * {@code user-time}: for each user with at least {@code minEvents} (10) events, the last
     * max(1, round(0.2·n)) of that user's n events are the test; everything else trains.
     */
    public static EvalSplit userTime(List<ViewingEvent> events, int minEvents, double testShare) {
        Map<String, List<ViewingEvent>> byUser = new TreeMap<>();
        for (ViewingEvent e : events) {
            byUser.computeIfAbsent(e.userId(), u -> new ArrayList<>()).add(e);
        }
        List<ViewingEvent> train = new ArrayList<>();
        Map<String, List<ViewingEvent>> testEvents = new LinkedHashMap<>();
        for (Map.Entry<String, List<ViewingEvent>> u : byUser.entrySet()) {
            List<ViewingEvent> es = u.getValue();
            es.sort(USER_ORDER);
            int n = es.size();
            if (n < minEvents) {
                train.addAll(es);
                continue;
            }
            int t = Math.max(1, (int) Math.round(testShare * n));
            train.addAll(es.subList(0, n - t));
            testEvents.put(u.getKey(), es.subList(n - t, n));
        }
        return finish("user-time", train, testEvents);
    }

    /**
     * {@code global-time}: one cut at the {@code quantile} (0.8) of event time; events before it train,
     * watches at or after it are the test of users with at least {@code minTrainEvents} (5) training events.
     */
    public static EvalSplit globalTime(List<ViewingEvent> events, double quantile, int minTrainEvents) {
        long[] times = events.stream().mapToLong(ViewingEvent::eventTime).sorted().toArray();
        long cut = times[Math.min(times.length - 1, (int) Math.floor(quantile * times.length))];
        List<ViewingEvent> train = new ArrayList<>();
        Map<String, List<ViewingEvent>> after = new TreeMap<>();
        Map<String, Integer> trainCount = new HashMap<>();
        for (ViewingEvent e : events) {
            if (e.eventTime() < cut) {
                train.add(e);
                trainCount.merge(e.userId(), 1, Integer::sum);
            } else {
                after.computeIfAbsent(e.userId(), u -> new ArrayList<>()).add(e);
            }
        }
        Map<String, List<ViewingEvent>> test = new LinkedHashMap<>();
        after.forEach((u, es) -> {
            if (trainCount.getOrDefault(u, 0) >= minTrainEvents) {
                test.put(u, es);
            }
        });
        return finish("global-time", train, test);
    }

    /** An outside split: given train and test logs. */
    public static EvalSplit given(List<ViewingEvent> train, List<ViewingEvent> test) {
        Map<String, List<ViewingEvent>> byUser = new TreeMap<>();
        for (ViewingEvent e : test) {
            byUser.computeIfAbsent(e.userId(), u -> new ArrayList<>()).add(e);
        }
        return finish("given", new ArrayList<>(train), byUser);
    }

    private static EvalSplit finish(String kind, List<ViewingEvent> train, Map<String, List<ViewingEvent>> testEvents) {
        Set<Long> trainItems = new HashSet<>();
        for (ViewingEvent e : train) {
            if (TrainingData.isWatch(e)) {
                trainItems.add(e.movieId());
            }
        }
        Map<String, long[]> userTrain = Exclusion.watchedSets(train);
        Map<String, Set<Long>> test = new LinkedHashMap<>();
        int dropped = 0;
        for (Map.Entry<String, List<ViewingEvent>> u : testEvents.entrySet()) {
            LongPredicate mine = Exclusion.watched(userTrain.getOrDefault(u.getKey(), new long[0]));
            Set<Long> items = new java.util.TreeSet<>();
            for (ViewingEvent e : u.getValue()) {
                if (!TrainingData.isWatch(e)) {
                    continue;
                }
                if (!trainItems.contains(e.movieId()) || mine.test(e.movieId())) {
                    dropped++;
                } else {
                    items.add(e.movieId());
                }
            }
            if (!items.isEmpty()) {
                test.put(u.getKey(), Set.copyOf(items));
            }
        }
        return new EvalSplit(kind, List.copyOf(train), test, dropped);
    }
}
