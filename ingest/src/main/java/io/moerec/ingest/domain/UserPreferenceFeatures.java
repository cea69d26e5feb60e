package io.moerec.ingest.domain;

import java.util.Arrays;
import java.util.Objects;

/**
 * A user's preference features as of an event time, produced by the feature logic and published to
 * {@code user-features} (keyed by user). Arrays are indexed by {@link Genre#ordinal()} and
 * {@link EventType#ordinal()}; callers must not mutate them (they are shared, not copied, to keep the
 * hot path free of allocation). Equality is by content.
 *
 * @param userId           whose features
 * @param asOf             the latest event time applied (decay reference point), epoch ms
 * @param featureVersion   version of the feature logic that computed this
 * @param genreAffinity    raw time-decayed engagement per genre, decayed to {@code asOf}
 * @param activity         time-decayed event count at {@code asOf}
 * @param firstEventTime   event time of the user's first applied event (tenure)
 * @param recentWatches    recently watched movie ids, most recent first, bounded
 * @param watched          every movie the user has had an event with (any type, skips and late events
 *                         included), ascending, at most {@link #MAX_WATCHED} (beyond it the lowest ids
 *                         are dropped): what the scoring app must never recommend. Shared, not copied:
 *                         the feature state replaces its array on every change and never mutates it
 * @param eventCounts      lifetime event counts per {@link EventType}
 * @param triggerEventId   the event whose application produced this update
 * @param triggerEventTime that event's time, for event-to-recommendation latency
 *
 * <p>A <b>tombstone</b> ({@link #tombstone}, {@link #isTombstone()}, {@code featureVersion} =
 * {@link #TOMBSTONE_VERSION}) stands, inside the features job only, for "this user was deleted on request": its
 * Kafka serializer writes it as a record with a {@code null} value, which the compacted topic and the
 * scoring app treat as deletion. It never has an encoded form ({@code UserFeaturesCodec} refuses it).
 */
public record UserPreferenceFeatures(
        String userId,
        long asOf,
        int featureVersion,
        double[] genreAffinity,
        double activity,
        long firstEventTime,
        long[] recentWatches,
        long[] watched,
        long[] eventCounts,
        String triggerEventId,
        long triggerEventTime) {

    /** The {@code featureVersion} of a tombstone; real features are always at version 1 or later. */
    public static final int TOMBSTONE_VERSION = 0;

    /**
     * The bound of {@link #watched()}: far above any real history, and small enough that a record at the
     * bound (19-digit ids included) stays within the scoring app's default 256 KiB record limit.
     */
    public static final int MAX_WATCHED = 10_000;

    public UserPreferenceFeatures {
        Objects.requireNonNull(userId, "userId");
        Objects.requireNonNull(triggerEventId, "triggerEventId");
        if (genreAffinity.length != Genre.COUNT) {
            throw new IllegalArgumentException("genreAffinity needs " + Genre.COUNT + " entries, got " + genreAffinity.length);
        }
        if (eventCounts.length != EventType.COUNT) {
            throw new IllegalArgumentException("eventCounts needs " + EventType.COUNT + " entries, got " + eventCounts.length);
        }
        Objects.requireNonNull(recentWatches, "recentWatches");
        Objects.requireNonNull(watched, "watched");
        if (watched.length > MAX_WATCHED) {
            throw new IllegalArgumentException("watched holds " + watched.length + " movies, at most " + MAX_WATCHED + " allowed");
        }
        for (int i = 1; i < watched.length; i++) {
            if (watched[i - 1] >= watched[i]) {
                throw new IllegalArgumentException("watched must be strictly ascending");
            }
        }
    }

    /**
     * The in-job marker of a deleted user ({@code asOf} = {@code triggerEventTime} = the deletion time,
     * {@code triggerEventId} empty, all values zero); written to Kafka as a {@code null} value.
     */
    public static UserPreferenceFeatures tombstone(String userId, long deletedAt) {
        return new UserPreferenceFeatures(userId, deletedAt, TOMBSTONE_VERSION, new double[Genre.COUNT], 0.0, deletedAt,
                new long[0], new long[0], new long[EventType.COUNT], "", deletedAt);
    }

    /** Whether this is {@link #tombstone a tombstone}. */
    public boolean isTombstone() {
        return featureVersion == TOMBSTONE_VERSION;
    }

    /**
     * Affinities normalised to a distribution: negative affinities (net skips) count as zero, the rest
     * are divided by their sum; all zeros when the user has no positive affinity yet.
     */
    public double[] genreAffinityNormalised() {
        double[] out = new double[genreAffinity.length];
        double sum = 0;
        for (double a : genreAffinity) {
            if (a > 0) {
                sum += a;
            }
        }
        if (sum > 0) {
            for (int i = 0; i < out.length; i++) {
                out[i] = genreAffinity[i] > 0 ? genreAffinity[i] / sum : 0.0;
            }
        }
        return out;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof UserPreferenceFeatures f)) {
            return false;
        }
        return asOf == f.asOf && featureVersion == f.featureVersion
                && Double.compare(activity, f.activity) == 0
                && firstEventTime == f.firstEventTime && triggerEventTime == f.triggerEventTime
                && userId.equals(f.userId) && triggerEventId.equals(f.triggerEventId)
                && Arrays.equals(genreAffinity, f.genreAffinity)
                && Arrays.equals(recentWatches, f.recentWatches)
                && Arrays.equals(watched, f.watched)
                && Arrays.equals(eventCounts, f.eventCounts);
    }

    @Override
    public int hashCode() {
        int h = Objects.hash(userId, asOf, featureVersion, activity, firstEventTime, triggerEventId, triggerEventTime);
        h = 31 * h + Arrays.hashCode(genreAffinity);
        h = 31 * h + Arrays.hashCode(recentWatches);
        h = 31 * h + Arrays.hashCode(watched);
        return 31 * h + Arrays.hashCode(eventCounts);
    }

    @Override
    public String toString() {
        return "UserPreferenceFeatures[userId=" + userId + ", asOf=" + asOf + ", featureVersion=" + featureVersion
                + ", genreAffinity=" + Arrays.toString(genreAffinity) + ", activity=" + activity
                + ", firstEventTime=" + firstEventTime + ", recentWatches=" + Arrays.toString(recentWatches)
                + ", watched=" + Arrays.toString(watched)
                + ", eventCounts=" + Arrays.toString(eventCounts) + ", triggerEventId=" + triggerEventId
                + ", triggerEventTime=" + triggerEventTime + "]";
    }
}
