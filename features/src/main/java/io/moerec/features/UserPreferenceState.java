package io.moerec.features;

import io.moerec.ingest.domain.EventType;
import io.moerec.ingest.domain.Genre;
import io.moerec.ingest.domain.UserPreferenceFeatures;
import java.util.Arrays;

/**
 * One user's preference state: primitives and primitive arrays only, so that Flink serializes it with
 * its POJO serializer (public no-argument constructor, getters and setters; no generic Kryo) and its
 * size is bounded by the configuration: three per-genre arrays, per-type counts, at most
 * {@link FeatureConfig#recentWatchesSize()} recent watches (more in a same-second burst) and at most
 * {@link UserPreferenceFeatures#MAX_WATCHED} watched movies. It is mutable on purpose:
 * {@link PreferenceFeatureLogic#apply} updates it in place, which keeps the per-event hot path free of
 * allocation. The user id is not stored (it is the Flink key, and the trigger event carries it).
 * Per-genre values are held decayed to {@link #getAsOf()}, the latest applied event time.
 * After an expiry ({@link PreferenceFeatureLogic#expire}) the state is {@link #isEmpty() empty} again
 * but keeps the watched set and the recent-watch list.
 * Only {@link PreferenceFeatureLogic} should change it; the setters exist for serializers.
 */
public final class UserPreferenceState {

    /** {@link #getAsOf()} of a state to which nothing has been applied. */
    public static final long NO_TIME = Long.MIN_VALUE;

    long asOf = NO_TIME;
    long firstEventTime = NO_TIME;
    /** Non-rating engagement per genre at {@code asOf}. */
    double[] engagement = new double[Genre.COUNT];
    /** Sum of (rating × genre share × decay) per genre at {@code asOf}. */
    double[] ratingSum = new double[Genre.COUNT];
    /** Sum of (genre share × decay) over ratings per genre at {@code asOf}; pairs with {@link #ratingSum}. */
    double[] ratingMass = new double[Genre.COUNT];
    double activity;
    double ratingTotal;
    long ratingCount;
    long[] eventCounts = new long[EventType.COUNT];
    /** Most recent first; parallel to {@link #recentTimes}; length = current size (no padding). */
    long[] recentMovieIds = new long[0];
    long[] recentTimes = new long[0];
    /**
     * Every movie the user has had an event with, ascending, bounded; replaced, never mutated, so
     * features may share it.
     */
    long[] watched = new long[0];

    /** An empty state, as for a user never seen. */
    public UserPreferenceState() {
    }

    /** Whether any event has been applied. */
    public boolean isEmpty() {
        return asOf == NO_TIME;
    }

    /** A deep copy (tests and point-in-time snapshots; the operator never needs one). */
    public UserPreferenceState copy() {
        UserPreferenceState c = new UserPreferenceState();
        c.asOf = asOf;
        c.firstEventTime = firstEventTime;
        c.engagement = engagement.clone();
        c.ratingSum = ratingSum.clone();
        c.ratingMass = ratingMass.clone();
        c.activity = activity;
        c.ratingTotal = ratingTotal;
        c.ratingCount = ratingCount;
        c.eventCounts = eventCounts.clone();
        c.recentMovieIds = recentMovieIds.clone();
        c.recentTimes = recentTimes.clone();
        c.watched = watched.clone();
        return c;
    }

    public long getAsOf() {
        return asOf;
    }

    public void setAsOf(long asOf) {
        this.asOf = asOf;
    }

    public long getFirstEventTime() {
        return firstEventTime;
    }

    public void setFirstEventTime(long firstEventTime) {
        this.firstEventTime = firstEventTime;
    }

    public double[] getEngagement() {
        return engagement;
    }

    public void setEngagement(double[] engagement) {
        this.engagement = engagement;
    }

    public double[] getRatingSum() {
        return ratingSum;
    }

    public void setRatingSum(double[] ratingSum) {
        this.ratingSum = ratingSum;
    }

    public double[] getRatingMass() {
        return ratingMass;
    }

    public void setRatingMass(double[] ratingMass) {
        this.ratingMass = ratingMass;
    }

    public double getActivity() {
        return activity;
    }

    public void setActivity(double activity) {
        this.activity = activity;
    }

    public double getRatingTotal() {
        return ratingTotal;
    }

    public void setRatingTotal(double ratingTotal) {
        this.ratingTotal = ratingTotal;
    }

    public long getRatingCount() {
        return ratingCount;
    }

    public void setRatingCount(long ratingCount) {
        this.ratingCount = ratingCount;
    }

    public long[] getEventCounts() {
        return eventCounts;
    }

    public void setEventCounts(long[] eventCounts) {
        this.eventCounts = eventCounts;
    }

    public long[] getRecentMovieIds() {
        return recentMovieIds;
    }

    public void setRecentMovieIds(long[] recentMovieIds) {
        this.recentMovieIds = recentMovieIds;
    }

    public long[] getRecentTimes() {
        return recentTimes;
    }

    public void setRecentTimes(long[] recentTimes) {
        this.recentTimes = recentTimes;
    }

    public long[] getWatched() {
        return watched;
    }

    public void setWatched(long[] watched) {
        this.watched = watched;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof UserPreferenceState s)) {
            return false;
        }
        return asOf == s.asOf && firstEventTime == s.firstEventTime
                && Double.compare(activity, s.activity) == 0
                && Double.compare(ratingTotal, s.ratingTotal) == 0 && ratingCount == s.ratingCount
                && Arrays.equals(engagement, s.engagement) && Arrays.equals(ratingSum, s.ratingSum)
                && Arrays.equals(ratingMass, s.ratingMass) && Arrays.equals(eventCounts, s.eventCounts)
                && Arrays.equals(recentMovieIds, s.recentMovieIds) && Arrays.equals(recentTimes, s.recentTimes)
                && Arrays.equals(watched, s.watched);
    }

    @Override
    public int hashCode() {
        int h = Long.hashCode(asOf) * 31 + Long.hashCode(firstEventTime);
        h = 31 * h + Double.hashCode(activity);
        h = 31 * h + Arrays.hashCode(engagement);
        h = 31 * h + Arrays.hashCode(ratingSum);
        h = 31 * h + Arrays.hashCode(eventCounts);
        h = 31 * h + Arrays.hashCode(watched);
        return 31 * h + Arrays.hashCode(recentMovieIds);
    }

    @Override
    public String toString() {
        return "UserPreferenceState[asOf=" + asOf + ", firstEventTime=" + firstEventTime
                + ", engagement=" + Arrays.toString(engagement) + ", ratingSum=" + Arrays.toString(ratingSum)
                + ", ratingMass=" + Arrays.toString(ratingMass) + ", activity=" + activity
                + ", ratingTotal=" + ratingTotal + ", ratingCount=" + ratingCount
                + ", eventCounts=" + Arrays.toString(eventCounts)
                + ", recentMovieIds=" + Arrays.toString(recentMovieIds) + ", watched=" + watched.length + " movies]";
    }
}
