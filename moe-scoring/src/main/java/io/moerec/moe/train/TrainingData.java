package io.moerec.moe.train;

import io.moerec.features.FeatureConfig;
import io.moerec.features.PreferenceFeatureLogic;
import io.moerec.ingest.domain.EventType;
import io.moerec.ingest.domain.Movie;
import io.moerec.ingest.domain.UserPreferenceFeatures;
import io.moerec.ingest.domain.ViewingEvent;
import io.moerec.moe.model.MovieTable;
import io.moerec.moe.model.UserVector;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Training interactions with point-in-time user features. Events are sorted by event time (ties by
 * user, movie, type, event id) and replayed through the one {@link PreferenceFeatureLogic}; each
 * interaction carries the user's features as they were just <em>before</em> its event — what serving
 * would have had when it recommended — so no example sees its own event or anything after it. An
 * interaction is the first non-skip event of a (user, movie) pair with a catalog movie; a user's very
 * first event yields none (there are no features yet to predict it from). The {@link MovieTable}'s
 * popularity and ratings are counted over the same events.
 */
public final class TrainingData {

    /** Sort order of the replay: event time, then user, movie, type and event id, so ties are deterministic. */
    public static final Comparator<ViewingEvent> REPLAY_ORDER = Comparator.comparingLong(ViewingEvent::eventTime)
            .thenComparing(ViewingEvent::userId).thenComparingLong(ViewingEvent::movieId)
            .thenComparing(ViewingEvent::type).thenComparing(ViewingEvent::eventId);

    /**
     * One observed interaction.
     *
     * @param userId    who
     * @param eventTime when
     * @param movie     dense index in {@link #table()}
     * @param user      the user's {@link UserVector} from the features before this event
     * @param featuresAsOf the {@code asOf} of those features (never after {@code eventTime})
     * @param recent    the recent-watch list of those features, as dense table indices (−1 if unknown)
     */
    public record Interaction(String userId, long eventTime, int movie, double[] user, long featuresAsOf, int[] recent) {
    }

    private final MovieTable table;
    private final List<Interaction> interactions;
    private final Map<String, double[]> latestUserVectors;
    private final Map<String, int[]> latestRecent;
    private final Map<String, int[]> userWatches;
    private final long events;
    private final long firstEventTime;
    private final long lastEventTime;

    private TrainingData(MovieTable table, List<Interaction> interactions, Map<String, double[]> latest,
                         Map<String, int[]> latestRecent, Map<String, int[]> userWatches, long events, long first, long last) {
        this.latestRecent = latestRecent;
        this.userWatches = userWatches;
        this.table = table;
        this.interactions = List.copyOf(interactions);
        this.latestUserVectors = latest;
        this.events = events;
        this.firstEventTime = first;
        this.lastEventTime = last;
    }

    /** Whether an event counts as a watch: every event type except a skip (ratings included). */
    public static boolean isWatch(ViewingEvent e) {
        return e.type() != EventType.SKIP;
    }

    /** Replays {@code events} (any order; sorted here) against {@code catalog}. */
    public static TrainingData prepare(Collection<Movie> catalog, Collection<ViewingEvent> events, FeatureConfig features) {
        List<ViewingEvent> sorted = new ArrayList<>(events);
        sorted.sort(REPLAY_ORDER);
        Map<Long, Movie> byId = new HashMap<>();
        for (Movie m : catalog) {
            byId.put(m.movieId(), m);
        }
        MovieTable.Builder tb = MovieTable.builder(catalog);
        for (ViewingEvent e : sorted) {
            int idx = tb.indexOf(e.movieId());
            if (idx < 0) {
                continue;
            }
            if (e.type() == EventType.RATE && e.rating() != null) {
                tb.rating(idx, e.rating());
            }
        }
        // Interactions are counted below, in the same pass that builds the examples.
        Set<String> seenPairs = new HashSet<>();
        List<int[]> watchIdx = new ArrayList<>();
        for (int i = 0; i < sorted.size(); i++) {
            ViewingEvent e = sorted.get(i);
            int idx = tb.indexOf(e.movieId());
            if (idx >= 0 && isWatch(e) && seenPairs.add(e.userId() + '\u0000' + e.movieId())) {
                tb.interaction(idx);
                watchIdx.add(new int[] {i, idx});
            }
        }
        MovieTable table = tb.build();

        PreferenceFeatureLogic logic = new PreferenceFeatureLogic(features);
        Map<String, UserPreferenceFeatures> latest = new HashMap<>();
        List<Interaction> out = new ArrayList<>(watchIdx.size());
        // The replay hands each event to the logic through this iterator; just before it does, the
        // user's latest features are those of the events strictly before this one.
        Iterator<int[]> watches = watchIdx.iterator();
        int[][] nextWatch = {watches.hasNext() ? watches.next() : null};
        Iterable<ViewingEvent> log = () -> new Iterator<>() {
            int i;

            @Override
            public boolean hasNext() {
                return i < sorted.size();
            }

            @Override
            public ViewingEvent next() {
                ViewingEvent e = sorted.get(i);
                if (nextWatch[0] != null && nextWatch[0][0] == i) {
                    UserPreferenceFeatures before = latest.get(e.userId());
                    if (before != null) {
                        out.add(new Interaction(e.userId(), e.eventTime(), nextWatch[0][1], UserVector.of(before), before.asOf(),
                                recentIndices(before.recentWatches(), table)));
                    }
                    nextWatch[0] = watches.hasNext() ? watches.next() : null;
                }
                i++;
                return e;
            }
        };
        logic.replay(log, byId::get, f -> latest.put(f.userId(), f));
        Map<String, double[]> latestVectors = new TreeMap<>();
        Map<String, int[]> latestRecent = new TreeMap<>();
        latest.forEach((u, f) -> {
            latestVectors.put(u, UserVector.of(f));
            latestRecent.put(u, recentIndices(f.recentWatches(), table));
        });
        Map<String, List<Integer>> watchesByUser = new TreeMap<>();
        for (int[] w : watchIdx) {
            watchesByUser.computeIfAbsent(sorted.get(w[0]).userId(), u -> new ArrayList<>()).add(w[1]);
        }
        Map<String, int[]> userWatches = new TreeMap<>();
        watchesByUser.forEach((u, l) -> userWatches.put(u, l.stream().mapToInt(Integer::intValue).sorted().toArray()));
        long first = sorted.isEmpty() ? 0 : sorted.get(0).eventTime();
        long last = sorted.isEmpty() ? 0 : sorted.get(sorted.size() - 1).eventTime();
        return new TrainingData(table, out, latestVectors, latestRecent, userWatches, sorted.size(), first, last);
    }

    private static int[] recentIndices(long[] ids, MovieTable table) {
        int[] out = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
            out[i] = table.indexOf(ids[i]);
        }
        return out;
    }

    public MovieTable table() {
        return table;
    }

    /** Interactions in replay order. */
    public List<Interaction> interactions() {
        return interactions;
    }

    /** Each user's vector after all of their training events, by user id (sorted). */
    public Map<String, double[]> latestUserVectors() {
        return latestUserVectors;
    }

    /** Each user's recent-watch list after all of their training events, as dense indices. */
    public Map<String, int[]> latestRecentWatches() {
        return latestRecent;
    }

    /** Each user's training watches (sorted dense indices, one per movie). */
    public Map<String, int[]> userWatches() {
        return userWatches;
    }

    public long events() {
        return events;
    }

    public long firstEventTime() {
        return firstEventTime;
    }

    public long lastEventTime() {
        return lastEventTime;
    }
}
