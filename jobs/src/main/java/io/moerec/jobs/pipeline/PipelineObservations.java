package io.moerec.jobs.pipeline;

import io.moerec.features.flink.KafkaConnectors;
import io.moerec.ingest.domain.RecommendationList;
import io.moerec.ingest.domain.UserPreferenceFeatures;
import io.moerec.ingest.domain.ViewingEvent;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * What a running pipeline did, folded from the records on its topics; pure bookkeeping (no Kafka),
 * fed by {@link PipelineMonitor}. One feeder thread, any number of readers. The measures:
 * <ul>
 *   <li><b>accounting</b> ({@link EventAccounting}): every record on {@code viewing-events} ends as
 *       exactly one features update, late event or dead letter of the features job, and the records
 *       that are no valid event are exactly its dead letters, reason by reason;</li>
 *   <li><b>event-to-recommendation latency</b> ({@link LatencyRecorder}): from an event's publication to
 *       a list it triggered becoming visible to a {@code read_committed} consumer, for live events only
 *       (event time at or after {@code liveFrom});</li>
 *   <li><b>prequential HR@10</b> ({@link PrequentialHitRate}): for each live event that starts a user's
 *       first interaction with a movie, whether the movie was in the user's latest list triggered by an
 *       earlier event of that user, or with no such list in the scoring app's non-personal list (what its
 *       look-up answers then), next to the same figure for a most-popular list;</li>
 *   <li><b>final lists</b> ({@link FinalLists}): each user's latest list and the live view's featured users.</li>
 * </ul>
 *
 * <p>Thread-safety: each concern synchronizes on itself; this facade holds no lock. A reader running
 * alongside the feeder may see a record folded into one concern and not yet into another, so the
 * accounting is folded last: whoever waits for the accounting to reach a count finds the other
 * concerns at least as far.
 */
public final class PipelineObservations {

    /** Length of the lists the prequential hit rate looks at. */
    public static final int HIT_LIST_SIZE = 10;

    /** Users whose lists the live view shows: the first with a live event and a list, kept once chosen. */
    public static final int FEATURED_USERS = 3;

    private final long liveFrom;
    private final EventAccounting accounting = new EventAccounting();
    private final LatencyRecorder latency;
    private final PrequentialHitRate prequential = new PrequentialHitRate();
    private final FinalLists finalLists = new FinalLists();
    private volatile String lastModelVersion;

    /**
     * Hears each measured event-to-list latency as it is folded, on the feeding thread and under the
     * latency recorder's lock: keep it short and thread-safe (an HdrHistogram {@code Recorder}, say).
     */
    @FunctionalInterface
    public interface LatencyListener {
        /** A list triggered by an event published at {@code publishedAt} became visible at {@code seenAt} (wall-clock ms). */
        void measured(long publishedAt, long seenAt);

        LatencyListener NONE = (publishedAt, seenAt) -> { };
    }

    /** {@code liveFrom}: events with an event time at or after it are the measured part. */
    public PipelineObservations(long liveFrom) {
        this(liveFrom, LatencyListener.NONE);
    }

    /** As {@link #PipelineObservations(long)}, also telling {@code latencyListener} each measured latency. */
    public PipelineObservations(long liveFrom, LatencyListener latencyListener) {
        this.liveFrom = liveFrom;
        this.latency = new LatencyRecorder(latencyListener);
    }

    /** An event as published to {@code viewing-events}, in each user's order, at wall-clock {@code publishedAt}. */
    public void eventPublished(ViewingEvent e, long publishedAt) {
        boolean live = e.eventTime() >= liveFrom;
        prequential.eventPublished(e, live);
        if (live) {
            latency.livePublished(e.eventId(), publishedAt);
            finalLists.liveEventPublished(e.userId());
        }
        accounting.eventPublished(live, publishedAt);
    }

    /**
     * A record on {@code viewing-events} that is no valid event for the features job (it does not decode,
     * is a tombstone, or its Kafka key differs from its user id): published, but it must end as a dead
     * letter of the features job with the same {@code reason} (a {@code RejectReason} name). It is no
     * part of any user's history.
     */
    public void invalidEventPublished(String reason) {
        accounting.invalidEventPublished(reason);
    }

    /**
     * A record on {@code user-features} that is no features update (not written by the features job, it
     * does not decode): the scoring app must dead-letter it; it counts as no update.
     */
    public void invalidFeaturesPublished(String reason) {
        accounting.invalidFeaturesPublished(reason);
    }

    /** A features update read from {@code user-features}. */
    public void featuresUpdated(UserPreferenceFeatures f) {
        accounting.featuresUpdated(f.triggerEventId());
    }

    /** An event the features job set aside as late: counted apart (its movie still joins the user's watched set). */
    public void lateEvent(ViewingEvent e) {
        accounting.lateEvent();
    }

    /**
     * A dead letter, with its {@code moerec.stage} and {@code moerec.reason} headers. Only the features
     * job's count in the accounting of published events: the replayer's and catalog loader's rejects
     * never reached {@code viewing-events}.
     */
    public void deadLetter(String stage, String reason) {
        accounting.deadLetter(stage, reason);
    }

    /** The scoring app's non-personal list (its look-up's answer for a user without a list), best first. */
    public void nonPersonalList(long[] items) {
        prequential.nonPersonalList(items);
    }

    /** A list, visible to a {@code read_committed} consumer at wall-clock {@code seenAt}. */
    public void listPublished(RecommendationList list, long seenAt) {
        lastModelVersion = list.modelVersion();
        prequential.listPublished(list);
        finalLists.listPublished(list);
        latency.listPublished(list.triggerEventId(), seenAt);
        accounting.listPublished(list.userId(), list.triggerEventId(), seenAt);
    }

    /** The model version of the list seen last, or null before the first list. */
    public String lastModelVersion() {
        return lastModelVersion;
    }

    /** The latest list of {@code userId}, if it has one. */
    public Optional<RecommendationList> latestList(String userId) {
        return finalLists.latestList(userId);
    }

    /** The triggering event ids of every features update seen so far (each once; see {@link Accounting#duplicateUpdates}). */
    public Set<String> featuresTriggers() {
        return accounting.featuresTriggers();
    }

    /** Lists seen so far. */
    public long lists() {
        return accounting.lists();
    }

    /** Lists seen a second (or further) time for the same (user, triggering event): must be none. */
    public long duplicateLists() {
        return accounting.duplicateLists();
    }

    /** Valid events published so far (all phases); records that are no valid event are not counted. */
    public long eventsSeen() {
        return accounting.eventsSeen();
    }

    /** The accounting of every event published so far. */
    public Accounting accounting() {
        return accounting.accounting();
    }

    /** Records on {@code user-features} that did not decode, by reason (none unless someone else wrote there). */
    public Map<String, Long> invalidFeaturesByReason() {
        return accounting.invalidFeaturesByReason();
    }

    /** Prequential HR@10 of the pipeline's lists and of a most-popular list over the live events so far. */
    public Prequential prequential() {
        return prequential.prequential();
    }

    /**
     * Lists that hold a movie the user had watched (any applied event but a SKIP, the feature logic's
     * definition) at or before the list's trigger event: must be none.
     */
    public List<String> listsWithWatchedMovies() {
        return prequential.listsWithWatchedMovies();
    }

    /** Every user's latest list, as movie ids in rank order. */
    public Map<String, List<Long>> finalLists() {
        return finalLists.finalLists();
    }

    /** Users with at least one live event, and of them those with a list. */
    public long[] activeUsersWithLists() {
        return finalLists.activeUsersWithLists();
    }

    /** The live view's figures at wall-clock {@code now}; {@code routingLoad} is the scoring app's, per expert. */
    public LiveSnapshot snapshot(long now, Map<String, Double> routingLoad) {
        LatencyRecorder.Summary l = latency.summary();
        return new LiveSnapshot(now, accounting.eventsSeen(), accounting.liveEvents(), accounting.eventsPerSecond(now),
                accounting.lists(), accounting.listsPerSecond(now), l.p50Ms(), l.p99Ms(), l.maxMs(), l.samples(),
                accounting(), Map.copyOf(routingLoad), finalLists.featured());
    }

    /** Latency quantile in ms over every measured event so far (0 when none). */
    public long latencyAtPercentile(double percentile) {
        return latency.atPercentile(percentile);
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
            Map<String, Long> out = new TreeMap<>();
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
            return new TreeMap<>(invalidByReason).equals(featuresJobDeadLettersByReason());
        }

        /**
         * Every record ended in exactly one place, nothing twice, and the dead letters are exactly the
         * invalid records.
         */
        public boolean balanced() {
            return duplicateUpdates == 0 && events == featureUpdates + late + deadLetters && invalidAreTheDeadLetters();
        }
    }

    /**
     * Prequential hits over {@code events} first interactions. {@code eventsWithList} had a list of the
     * user's own before them, {@code hitsWithList} of the {@code modelHits} came from such a list; the
     * others were measured against the scoring app's non-personal list when {@code nonPersonalMeasured}
     * (what its look-up answers a user without a list), else they count as misses.
     */
    public record Prequential(long events, long modelHits, long popularHits, long eventsWithList, long hitsWithList,
                              boolean nonPersonalMeasured) {
        /** Over every measured event. */
        public double modelHitRate() {
            return events == 0 ? 0 : (double) modelHits / events;
        }

        /** Over the events with a list of the user's own before them. */
        public double personalHitRate() {
            return eventsWithList == 0 ? 0 : (double) hitsWithList / eventsWithList;
        }

        public double popularHitRate() {
            return events == 0 ? 0 : (double) popularHits / events;
        }
    }

}
