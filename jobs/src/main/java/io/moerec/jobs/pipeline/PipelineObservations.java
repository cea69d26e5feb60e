package io.moerec.jobs.pipeline;

import io.moerec.features.flink.KafkaConnectors;
import io.moerec.ingest.domain.EventType;
import io.moerec.ingest.domain.RecommendationList;
import io.moerec.ingest.domain.UserPreferenceFeatures;
import io.moerec.ingest.domain.ViewingEvent;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.HdrHistogram.Histogram;

/**
 * What a running pipeline did, folded from the records on its topics: every replayed event, every
 * features update, late event and dead letter, and every recommendation list. Pure bookkeeping (no
 * Kafka); {@link PipelineMonitor} feeds it from a {@code read_committed} consumer. Thread-safe: one
 * feeder, any number of readers of {@link #snapshot}.
 *
 * <p>Measures:
 * <ul>
 *   <li><b>accounting</b>: every record on {@code viewing-events} ends as exactly one features update,
 *       one late event or one dead letter of the features job, and the records that are no valid event
 *       (published but invalid, {@link #invalidEventPublished}) are exactly the features job's dead
 *       letters, reason by reason ({@link #accounting});</li>
 *   <li><b>event-to-recommendation latency</b>: from the moment the replayer published an event (its
 *       Kafka timestamp) to the moment a list triggered by it became visible to a {@code read_committed}
 *       consumer (the caller's clock, the same machine); only events at or after {@code liveFrom};</li>
 *   <li><b>prequential HR@10</b> ({@link #prequential}): for each live event that starts a user's first
 *       interaction with a movie, whether the movie was in the user's latest list triggered by an
 *       earlier event of that user (in the user's event order), next to the same figure for a
 *       most-popular list (first interactions counted over everything seen before the event, the
 *       user's own movies excluded).</li>
 * </ul>
 */
public final class PipelineObservations {

    /** Length of the lists the prequential hit rate looks at. */
    public static final int HIT_LIST_SIZE = 10;

    /** Users whose lists the live view shows: the first with a live event and a list, kept once chosen. */
    public static final int FEATURED_USERS = 3;
    private static final int FEATURED_CANDIDATES = 100;

    private final long liveFrom;
    private final List<String> featuredUsers = new ArrayList<>();
    private final Set<String> featuredCandidates = new LinkedHashSet<>();
    private final Histogram latencyMs = new Histogram(3_600_000L, 3);
    private final RateMeter eventRate = new RateMeter();
    private final RateMeter listRate = new RateMeter();
    private final Map<String, UserTrace> users = new HashMap<>();
    private final Map<String, EventRef> eventsById = new HashMap<>();
    private final Map<Long, Integer> popularity = new HashMap<>();
    private final TreeSet<long[]> popularRanking = new TreeSet<>(
            Comparator.<long[]>comparingLong(a -> -a[1]).thenComparingLong(a -> a[0]));
    private final Set<String> updatedTriggers = new HashSet<>();
    private final Set<String> listTriggers = new HashSet<>();
    private long duplicateLists;
    private final Map<String, Long> deadLettersByReason = new LinkedHashMap<>();
    private final Map<String, Long> invalidByReason = new LinkedHashMap<>();
    private final Map<String, Long> invalidFeaturesByReason = new LinkedHashMap<>();
    private long eventsSeen;
    private long invalidEvents;
    private long liveEvents;
    private long featureUpdates;
    private long duplicateUpdates;
    private long lateEvents;
    private long deadLetters;
    private long lists;
    private long popularHits;
    private long prequentialEvents;

    /**
     * Hears each measured event-to-list latency as it is folded, on the feeding thread and under this
     * object's lock: keep it short and thread-safe (an HdrHistogram {@code Recorder}, say).
     */
    @FunctionalInterface
    public interface LatencyListener {
        /** A list triggered by an event published at {@code publishedAt} became visible at {@code seenAt} (wall-clock ms). */
        void measured(long publishedAt, long seenAt);

        LatencyListener NONE = (publishedAt, seenAt) -> { };
    }

    private final LatencyListener latencyListener;

    /** {@code liveFrom}: events with an event time at or after it are the measured part. */
    public PipelineObservations(long liveFrom) {
        this(liveFrom, LatencyListener.NONE);
    }

    /** As {@link #PipelineObservations(long)}, also telling {@code latencyListener} each measured latency. */
    public PipelineObservations(long liveFrom, LatencyListener latencyListener) {
        this.liveFrom = liveFrom;
        this.latencyListener = Objects.requireNonNull(latencyListener, "latencyListener");
    }

    /** An event as published to {@code viewing-events}, in each user's order, at wall-clock {@code publishedAt}. */
    public synchronized void eventPublished(ViewingEvent e, long publishedAt) {
        eventsSeen++;
        UserTrace user = users.computeIfAbsent(e.userId(), u -> new UserTrace());
        int index = user.events++;
        user.movies.add(e.movieId());
        if (e.type() == EventType.SKIP) {
            user.skips.set(index);
        }
        boolean live = e.eventTime() >= liveFrom;
        eventsById.put(e.eventId(), new EventRef(index, live ? publishedAt : Long.MIN_VALUE));
        boolean firstInteraction = !user.touched.contains(e.movieId());
        if (live) {
            liveEvents++;
            user.liveEvents++;
            if (featuredCandidates.size() < FEATURED_CANDIDATES) {
                featuredCandidates.add(e.userId());
            }
            eventRate.add(publishedAt);
            if (firstInteraction) {
                prequentialEvents++;
                if (popularFor(user).contains(e.movieId())) {
                    popularHits++;
                }
                user.pending.add(new long[] {index, e.movieId()});
            }
        }
        if (firstInteraction) {
            user.touched.add(e.movieId());
            count(e.movieId());
        }
    }

    /**
     * A record on {@code viewing-events} that is no valid event for the features job (it does not decode,
     * is a tombstone, or its Kafka key differs from its user id): published, but it must end as a dead
     * letter of the features job with the same {@code reason} (a {@code RejectReason} name). It is no
     * part of any user's history.
     */
    public synchronized void invalidEventPublished(String reason) {
        invalidEvents++;
        invalidByReason.merge(reason, 1L, Long::sum);
    }

    /**
     * A record on {@code user-features} that is no features update (not written by the features job, it
     * does not decode): the scoring app must dead-letter it; it counts as no update.
     */
    public synchronized void invalidFeaturesPublished(String reason) {
        invalidFeaturesByReason.merge(reason, 1L, Long::sum);
    }

    /** A features update read from {@code user-features}. */
    public synchronized void featuresUpdated(UserPreferenceFeatures f) {
        featureUpdates++;
        if (!updatedTriggers.add(f.triggerEventId())) {
            duplicateUpdates++;
        }
    }

    /** An event the features job set aside as late: it never became part of the user's features. */
    public synchronized void lateEvent(ViewingEvent e) {
        lateEvents++;
        EventRef ref = eventsById.get(e.eventId());
        UserTrace user = users.get(e.userId());
        if (ref != null && user != null) {
            user.late.set(ref.index);
        }
    }

    /**
     * A dead letter, with its {@code moerec.stage} and {@code moerec.reason} headers. Only the features
     * job's count in the accounting of published events: the replayer's and catalog loader's rejects
     * never reached {@code viewing-events}.
     */
    public synchronized void deadLetter(String stage, String reason) {
        if (KafkaConnectors.DLQ_STAGE.equals(stage)) {
            deadLetters++;
        }
        deadLettersByReason.merge(stage + ":" + reason, 1L, Long::sum);
    }

    /** A list, visible to a {@code read_committed} consumer at wall-clock {@code seenAt}. */
    public synchronized void listPublished(RecommendationList list, long seenAt) {
        lists++;
        if (!listTriggers.add(list.userId() + '\u0000' + list.triggerEventId())) {
            duplicateLists++;
        }
        listRate.add(seenAt);
        UserTrace user = users.computeIfAbsent(list.userId(), u -> new UserTrace());
        long[] items = list.items().stream().limit(HIT_LIST_SIZE).mapToLong(RecommendationList.RecommendedItem::movieId).toArray();
        user.lists.add(new TriggeredList(list.triggerEventId(), items));
        user.latest = list;
        EventRef trigger = eventsById.get(list.triggerEventId());
        if (trigger != null && trigger.publishedAt != Long.MIN_VALUE) {
            latencyMs.recordValue(Math.max(0, Math.min(seenAt - trigger.publishedAt, latencyMs.getHighestTrackableValue())));
            latencyListener.measured(trigger.publishedAt, seenAt);
        }
    }

    /** The latest list of {@code userId}, if it has one. */
    public synchronized Optional<RecommendationList> latestList(String userId) {
        UserTrace u = users.get(userId);
        return Optional.ofNullable(u == null ? null : u.latest);
    }

    /** The triggering event ids of every features update seen so far (each once; see {@link Accounting#duplicateUpdates}). */
    public synchronized Set<String> featuresTriggers() {
        return Set.copyOf(updatedTriggers);
    }

    /** Lists seen so far. */
    public synchronized long lists() {
        return lists;
    }

    /** Lists seen a second (or further) time for the same (user, triggering event): must be none. */
    public synchronized long duplicateLists() {
        return duplicateLists;
    }

    /** Valid events published so far (all phases); records that are no valid event are not counted. */
    public synchronized long eventsSeen() {
        return eventsSeen;
    }

    /** The accounting of every event published so far. */
    public synchronized Accounting accounting() {
        return new Accounting(eventsSeen + invalidEvents, featureUpdates, duplicateUpdates, lateEvents, deadLetters,
                Map.copyOf(deadLettersByReason), invalidEvents, Map.copyOf(invalidByReason));
    }

    /** Records on {@code user-features} that did not decode, by reason (none unless someone else wrote there). */
    public synchronized Map<String, Long> invalidFeaturesByReason() {
        return Map.copyOf(invalidFeaturesByReason);
    }

    /** Prequential HR@10 of the pipeline's lists and of a most-popular list over the live events so far. */
    public synchronized Prequential prequential() {
        long hits = 0;
        long withList = 0;
        for (UserTrace user : users.values()) {
            if (user.pending.isEmpty()) {
                continue;
            }
            // Lists in the user's trigger order; a list whose trigger was not seen (another run) is ignored.
            List<long[]> byTrigger = new ArrayList<>();
            List<long[]> itemsByTrigger = new ArrayList<>();
            for (TriggeredList l : user.lists) {
                EventRef ref = eventsById.get(l.triggerEventId);
                if (ref != null) {
                    byTrigger.add(new long[] {ref.index, itemsByTrigger.size()});
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
                    }
                }
            }
        }
        return new Prequential(prequentialEvents, hits, popularHits, withList);
    }

    /**
     * Lists that hold a movie the user had watched (any applied event but a SKIP, the feature logic's
     * definition) at or before the list's trigger event: must be none.
     */
    public synchronized List<String> listsWithWatchedMovies() {
        List<String> bad = new ArrayList<>();
        for (Map.Entry<String, UserTrace> u : users.entrySet()) {
            UserTrace user = u.getValue();
            for (TriggeredList l : user.lists) {
                EventRef ref = eventsById.get(l.triggerEventId);
                if (ref == null) {
                    continue;
                }
                Set<Long> watched = new HashSet<>();
                for (int i = 0; i <= ref.index; i++) {
                    if (!user.skips.get(i) && !user.late.get(i)) {
                        watched.add(user.movies.get(i));
                    }
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

    /** Every user's latest list, as movie ids in rank order. */
    public synchronized Map<String, List<Long>> finalLists() {
        Map<String, List<Long>> out = new java.util.TreeMap<>();
        users.forEach((id, u) -> {
            if (u.latest != null) {
                out.put(id, u.latest.items().stream().map(RecommendationList.RecommendedItem::movieId).toList());
            }
        });
        return out;
    }

    /** Users with at least one live event, and of them those with a list. */
    public synchronized long[] activeUsersWithLists() {
        long active = 0;
        long withList = 0;
        for (UserTrace u : users.values()) {
            if (u.liveEvents > 0) {
                active++;
                if (u.latest != null) {
                    withList++;
                }
            }
        }
        return new long[] {active, withList};
    }

    /** The live view's figures at wall-clock {@code now}; {@code routingLoad} is the scoring app's, per expert. */
    public synchronized LiveSnapshot snapshot(long now, Map<String, Double> routingLoad) {
        return new LiveSnapshot(now, eventsSeen, liveEvents, eventRate.perSecond(now), lists, listRate.perSecond(now),
                latencyMs.getTotalCount() == 0 ? 0 : latencyMs.getValueAtPercentile(50),
                latencyMs.getTotalCount() == 0 ? 0 : latencyMs.getValueAtPercentile(99),
                latencyMs.getTotalCount() == 0 ? 0 : latencyMs.getMaxValue(), latencyMs.getTotalCount(),
                accounting(), Map.copyOf(routingLoad), featuredLists());
    }

    /** Latency quantile in ms over every measured event so far (0 when none). */
    public synchronized long latencyAtPercentile(double percentile) {
        return latencyMs.getTotalCount() == 0 ? 0 : latencyMs.getValueAtPercentile(percentile);
    }

    private List<RecommendationList> featuredLists() {
        for (String u : featuredCandidates) {
            if (featuredUsers.size() == FEATURED_USERS) {
                break;
            }
            if (!featuredUsers.contains(u) && users.get(u).latest != null) {
                featuredUsers.add(u);
            }
        }
        List<RecommendationList> out = new ArrayList<>();
        for (String u : featuredUsers) {
            RecommendationList l = users.get(u).latest;
            if (l != null) {
                out.add(l);
            }
        }
        return out;
    }

    private Set<Long> popularFor(UserTrace user) {
        Set<Long> top = new HashSet<>();
        for (long[] entry : popularRanking) {
            if (top.size() == HIT_LIST_SIZE) {
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

    /**
     * Accounting of the records published to {@code viewing-events} ({@code events}, valid or not): each
     * must end as one update, one late event or one dead letter of the features job;
     * {@code deadLettersByReason} counts every dead letter by {@code stage:reason}; {@code invalid} of the
     * records were no valid event, {@code invalidByReason} by reason.
     */
    public record Accounting(long events, long featureUpdates, long duplicateUpdates, long late, long deadLetters,
                             Map<String, Long> deadLettersByReason, long invalid, Map<String, Long> invalidByReason) {

        /** Accounting of valid events only. */
        public Accounting(long events, long featureUpdates, long duplicateUpdates, long late, long deadLetters,
                          Map<String, Long> deadLettersByReason) {
            this(events, featureUpdates, duplicateUpdates, late, deadLetters, deadLettersByReason, 0, Map.of());
        }

        /** The features job's dead letters by reason (stage prefix dropped). */
        public Map<String, Long> featuresJobDeadLettersByReason() {
            Map<String, Long> out = new java.util.TreeMap<>();
            String prefix = KafkaConnectors.DLQ_STAGE + ":";
            deadLettersByReason.forEach((k, v) -> {
                if (k.startsWith(prefix)) {
                    out.put(k.substring(prefix.length()), v);
                }
            });
            return out;
        }

        /** The invalid records are exactly the features job's dead letters, reason by reason. */
        public boolean invalidAreTheDeadLetters() {
            return new java.util.TreeMap<>(invalidByReason).equals(featuresJobDeadLettersByReason());
        }

        /**
         * Every record ended in exactly one place, nothing twice, and the dead letters are exactly the
         * invalid records.
         */
        public boolean balanced() {
            return duplicateUpdates == 0 && events == featureUpdates + late + deadLetters && invalidAreTheDeadLetters();
        }
    }

    /** Prequential hits over {@code events} first interactions; {@code eventsWithList} had a list before them. */
    public record Prequential(long events, long modelHits, long popularHits, long eventsWithList) {
        public double modelHitRate() {
            return events == 0 ? 0 : (double) modelHits / events;
        }

        public double popularHitRate() {
            return events == 0 ? 0 : (double) popularHits / events;
        }
    }

    private record EventRef(int index, long publishedAt) {
    }

    private record TriggeredList(String triggerEventId, long[] items) {
    }

    private static final class UserTrace {
        int events;
        int liveEvents;
        final Set<Long> touched = new HashSet<>();
        final List<Long> movies = new ArrayList<>();
        final BitSet skips = new BitSet();
        final BitSet late = new BitSet();
        final List<long[]> pending = new ArrayList<>();
        final List<TriggeredList> lists = new ArrayList<>();
        RecommendationList latest;
    }
}
