package io.moerec.jobs.pipeline;

import io.moerec.ingest.domain.RecommendationList;
import io.moerec.ingest.domain.ViewingEvent;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Each user's events and lists in the user's event order, and what is measured against that order:
 * the prequential HR@{@value PipelineObservations#HIT_LIST_SIZE} of the pipeline's lists (the
 * look-up's non-personal list for a user without one) and of a most-popular list, and lists that hold a movie the user had already watched. Thread-safe: every
 * method synchronizes on this object.
 */
final class PrequentialHitRate {

    private final Map<String, UserTrace> users = new HashMap<>();
    /** Each valid event's position in its user's order. */
    private final Map<String, Integer> indexByEvent = new HashMap<>();
    private final Map<Long, Integer> popularity = new HashMap<>();
    /** {movieId, first interactions}, most popular first, ties by movie id. */
    private final TreeSet<long[]> popularRanking = new TreeSet<>(
            Comparator.<long[]>comparingLong(a -> -a[1]).thenComparingLong(a -> a[0]));
    private long popularHits;
    private long prequentialEvents;
    /** The scoring app's answer for a user without a list of their own; null when not known. */
    private long[] nonPersonal;

    /**
     * An event in its user's order. A live event that starts the user's first interaction with its
     * movie is measured: against the most-popular list now, against the pipeline's lists when asked.
     */
    synchronized void eventPublished(ViewingEvent e, boolean live) {
        UserTrace user = users.computeIfAbsent(e.userId(), u -> new UserTrace());
        int index = user.events++;
        user.movies.add(e.movieId());
        indexByEvent.put(e.eventId(), index);
        boolean firstInteraction = !user.touched.contains(e.movieId());
        if (live && firstInteraction) {
            prequentialEvents++;
            if (popularFor(user).contains(e.movieId())) {
                popularHits++;
            }
            user.pending.add(new long[] {index, e.movieId()});
        }
        if (firstInteraction) {
            user.touched.add(e.movieId());
            count(e.movieId());
        }
    }

    /**
     * The non-personal list the scoring app's look-up answers for a user without a list of their own:
     * a measured event with no list of the user's before it is measured against it.
     */
    synchronized void nonPersonalList(long[] items) {
        nonPersonal = items.clone();
    }

    synchronized void listPublished(RecommendationList list) {
        UserTrace user = users.computeIfAbsent(list.userId(), u -> new UserTrace());
        long[] items = list.items().stream().limit(PipelineObservations.HIT_LIST_SIZE)
                .mapToLong(RecommendationList.RecommendedItem::movieId).toArray();
        user.lists.add(new TriggeredList(list.triggerEventId(), items));
    }

    /**
     * For each measured event, a hit when its movie is in the user's latest list triggered by an earlier
     * event, or, with no such list, in the non-personal list (a miss when that is not known).
     */
    synchronized PipelineObservations.Prequential prequential() {
        long hits = 0;
        long withList = 0;
        long hitsWithList = 0;
        for (UserTrace user : users.values()) {
            if (user.pending.isEmpty()) {
                continue;
            }
            // Lists in the user's trigger order; a list whose trigger was not seen (another run) is ignored.
            List<long[]> byTrigger = new ArrayList<>();
            List<long[]> itemsByTrigger = new ArrayList<>();
            for (TriggeredList l : user.lists) {
                Integer index = indexByEvent.get(l.triggerEventId);
                if (index != null) {
                    byTrigger.add(new long[] {index, itemsByTrigger.size()});
                    itemsByTrigger.add(l.items);
                }
            }
            byTrigger.sort(Comparator.<long[]>comparingLong(a -> a[0]).thenComparingLong(a -> a[1]));
            int next = 0;
            long[] current = null;
            List<long[]> pending = new ArrayList<>(user.pending);
            pending.sort(Comparator.comparingLong(a -> a[0]));
            for (long[] event : pending) {
                while (next < byTrigger.size() && byTrigger.get(next)[0] < event[0]) {
                    current = itemsByTrigger.get((int) byTrigger.get(next)[1]);
                    next++;
                }
                if (current != null) {
                    withList++;
                    if (contains(current, event[1])) {
                        hits++;
                        hitsWithList++;
                    }
                } else if (nonPersonal != null && contains(nonPersonal, event[1])) {
                    hits++;
                }
            }
        }
        return new PipelineObservations.Prequential(prequentialEvents, hits, popularHits, withList, hitsWithList,
                nonPersonal != null);
    }

    /**
     * Lists holding a movie of any event (skips and late ones included) the user published at or before
     * the list's trigger: the features job reads a user's events in publication order and puts every
     * one's movie into the watched set that the trigger's record carries.
     */
    synchronized List<String> listsWithWatchedMovies() {
        List<String> bad = new ArrayList<>();
        for (Map.Entry<String, UserTrace> u : users.entrySet()) {
            UserTrace user = u.getValue();
            for (TriggeredList l : user.lists) {
                Integer index = indexByEvent.get(l.triggerEventId);
                if (index == null) {
                    continue;
                }
                Set<Long> watched = new HashSet<>();
                for (int i = 0; i <= index; i++) {
                    watched.add(user.movies.get(i));
                }
                for (long item : l.items) {
                    if (watched.contains(item)) {
                        bad.add("user " + u.getKey() + ", list after " + l.triggerEventId + ": movie " + item);
                    }
                }
            }
        }
        return bad;
    }

    /** The most popular movies by first interactions so far that the user has not touched. */
    private Set<Long> popularFor(UserTrace user) {
        Set<Long> top = new HashSet<>();
        for (long[] entry : popularRanking) {
            if (top.size() == PipelineObservations.HIT_LIST_SIZE) {
                break;
            }
            if (!user.touched.contains(entry[0])) {
                top.add(entry[0]);
            }
        }
        return top;
    }

    private void count(long movieId) {
        int before = popularity.getOrDefault(movieId, 0);
        if (before > 0) {
            popularRanking.remove(new long[] {movieId, before});
        }
        popularity.put(movieId, before + 1);
        popularRanking.add(new long[] {movieId, before + 1});
    }

    private static boolean contains(long[] items, long movieId) {
        for (long item : items) {
            if (item == movieId) {
                return true;
            }
        }
        return false;
    }

    private record TriggeredList(String triggerEventId, long[] items) {
    }

    private static final class UserTrace {
        int events;
        final Set<Long> touched = new HashSet<>();
        final List<Long> movies = new ArrayList<>();
        /** {index, movieId} of each measured event. */
        final List<long[]> pending = new ArrayList<>();
        final List<TriggeredList> lists = new ArrayList<>();
    }
}
