package io.moerec.features;

import io.moerec.ingest.domain.EventType;
import io.moerec.ingest.domain.Genre;
import io.moerec.ingest.domain.GenreSet;
import io.moerec.ingest.domain.Movie;
import io.moerec.ingest.domain.UserPreferenceFeatures;
import io.moerec.ingest.domain.ViewingEvent;
import java.io.Serializable;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.LongFunction;

/**
 * The one implementation of the user-preference feature logic: the Flink operator, the MoE trainer
 * (point-in-time training features) and the tests all call it. It is free of framework types,
 * immutable and thread-safe; the state it updates is not.
 *
 * <p><b>Semantics.</b> Each event has an engagement weight by type: COMPLETE, PROGRESS (PLAY weight
 * at 0% watched rising linearly to the progress-full weight at 100%), PLAY, SKIP (negative). It is
 * split equally over the movie's genres and decayed exponentially in <em>event time</em>:
 * {@code w · 2^-(asOf - t)/halfLife}. A RATE contributes {@code ratePerStar · (rating - μ)} where μ
 * is the user's <em>current</em> mean rating (shrunk towards a prior); this is computed at read time
 * from two per-genre sums (Σ rating·share·decay and Σ share·decay), so a later rating moves the
 * baseline of earlier ones. Activity is the decayed count of all applied events. The recent-watch
 * list holds the distinct movies of the latest PLAY/PROGRESS/COMPLETE/RATE events (SKIP is not a
 * watch), ordered by each movie's latest event time (ties: smaller movie id first), bounded; every
 * movie at the newest time stays beyond the bound (up to {@value #TIED_FACTOR} times it), so that a
 * burst of ratings in one second (common in MovieLens) still shows each movie in its own update.
 * An unknown movie ({@code null}) or one without genres changes everything but genre affinity.
 * The <b>watched set</b> holds every movie of any event (SKIP included), ascending, bounded by
 * {@link UserPreferenceFeatures#MAX_WATCHED} (beyond it the lowest ids are dropped); every feature
 * update carries it whole, so a consumer that excludes it never needs an earlier update.
 *
 * <p><b>Order.</b> Every per-genre value is kept decayed to one reference time, {@code asOf} = the
 * latest applied event time. A newer event first decays the whole state forward to its own time; an
 * older one (out of order, within the allowed lateness) is decayed from its own timestamp to
 * {@code asOf} before it is added. So the final state after a set of timely events is independent of
 * their arrival order <em>up to floating-point rounding</em> (sums in a different order) for
 * affinity, activity and the rating sums; and exactly independent for {@code asOf},
 * {@code firstEventTime}, the counts and the recent-watch list (a movie evicted from the bounded list
 * could never re-enter it, so the list is the top-N by latest time whatever the order). What does
 * depend on arrival order: which events are late (lateness is judged against the state's
 * {@code asOf} at arrival), the intermediate feature updates, and the trigger fields. The same
 * events in the same order give bit-identical features on every JVM: decay uses {@link StrictMath}.
 *
 * <p><b>Lateness and expiry.</b> {@link #isLate} is the policy; {@link #apply} never rejects, so a
 * caller decides where late events go ({@link #replay} skips them, the Flink job side-outputs
 * them); {@link #noteWatched} still adds a late event's movie to the watched set. An event at or
 * after {@code asOf + stateTtl} finds the state expired: it starts afresh ({@link #expire}) but for
 * the watched set and the recent-watch list, which an idle user keeps, as the Flink job's event-time
 * TTL timer does.
 */
public final class PreferenceFeatureLogic implements Serializable {

    private static final long serialVersionUID = 1L;

    /** Version of the semantics above, carried by every {@link UserPreferenceFeatures}. */
    public static final int FEATURE_VERSION = 3;

    /** How far beyond its bound the recent-watch list grows to keep every movie of the newest time. */
    public static final int TIED_FACTOR = 8;

    private final FeatureConfig config;
    /** ln 2 / half-life: decay factor over dt ms is exp(-lambda · dt). */
    private final double lambda;

    public PreferenceFeatureLogic(FeatureConfig config) {
        this.config = Objects.requireNonNull(config, "config");
        this.lambda = Math.log(2.0) / config.halfLifeMs();
    }

    public FeatureConfig config() {
        return config;
    }

    /** The decay factor over {@code dtMs} ≥ 0 milliseconds of event time. */
    public double decay(long dtMs) {
        return StrictMath.exp(-lambda * dtMs);
    }

    /** Whether the event is older than the state's latest applied time by more than the allowed lateness. */
    public boolean isLate(UserPreferenceState state, ViewingEvent event) {
        return state != null && !state.isEmpty()
                && event.eventTime() < state.asOf - config.allowedLatenessMs();
    }

    /** Whether a state that last saw an event at its {@code asOf} has expired by event time {@code time}. */
    public boolean isExpired(UserPreferenceState state, long time) {
        return state != null && !state.isEmpty() && time - state.asOf >= config.stateTtlMs();
    }

    /**
     * What an expired state becomes: empty (no feature values, counts or tenure) but for the watched set
     * and the recent-watch list, so that a returning user is never offered what they watched before
     * and history-based features have their history.
     */
    public UserPreferenceState expire(UserPreferenceState state) {
        UserPreferenceState s = new UserPreferenceState();
        s.watched = state.watched;
        s.recentMovieIds = state.recentMovieIds;
        s.recentTimes = state.recentTimes;
        return s;
    }

    /**
     * A state as feature version {@value #FEATURE_VERSION} keeps it: one restored from version 2,
     * which had no watched set, gets one from its recent-watch list (the only movies it still knows;
     * movies only skipped, or evicted from the bounded list, are not in it). Every other state is
     * returned as it is: from version 3 on, every movie of the recent list is also in the watched set,
     * so a non-empty recent list with an empty watched set marks an older state. {@code null} stays
     * {@code null}.
     */
    public static UserPreferenceState upgraded(UserPreferenceState state) {
        if (state == null || state.watched.length > 0 || state.recentMovieIds.length == 0) {
            return state;
        }
        long[] watched = state.recentMovieIds.clone();
        Arrays.sort(watched);
        state.watched = Arrays.stream(watched).distinct().toArray();
        return state;
    }

    /**
     * Adds a movie to the watched set without applying the event (a late one, or one waiting for its
     * catalog entry); returns {@code state}, or a new empty state holding only the movie if it was
     * {@code null}.
     */
    public UserPreferenceState noteWatched(UserPreferenceState state, long movieId) {
        UserPreferenceState s = state == null ? new UserPreferenceState() : state;
        s.watched = withWatched(s.watched, movieId);
        return s;
    }

    /**
     * The ascending set {@code watched} with {@code movieId} added: {@code watched} itself if it holds
     * the movie already, else a new array; beyond {@link UserPreferenceFeatures#MAX_WATCHED} the lowest
     * id is dropped.
     */
    public static long[] withWatched(long[] watched, long movieId) {
        int at = Arrays.binarySearch(watched, movieId);
        if (at >= 0) {
            return watched;
        }
        int insert = -at - 1;
        if (watched.length >= UserPreferenceFeatures.MAX_WATCHED) {
            if (insert == 0) {
                return watched; // lower than every kept id: it would be the one dropped
            }
            long[] out = new long[watched.length];
            System.arraycopy(watched, 1, out, 0, insert - 1);
            out[insert - 1] = movieId;
            System.arraycopy(watched, insert, out, insert, watched.length - insert);
            return out;
        }
        long[] out = new long[watched.length + 1];
        System.arraycopy(watched, 0, out, 0, insert);
        out[insert] = movieId;
        System.arraycopy(watched, insert, out, insert + 1, watched.length - insert);
        return out;
    }

    /** The event time at which the state expires (the Flink job's TTL timer). */
    public long expiryTime(UserPreferenceState state) {
        return state.asOf + config.stateTtlMs();
    }

    /**
     * The engagement weight of a non-RATE event before genre splitting and decay; RATE events have a
     * user-dependent weight (see the class comment) and give 0 here.
     */
    public double engagementWeight(ViewingEvent event) {
        return switch (event.type()) {
            case COMPLETE -> config.completeWeight();
            case PLAY -> config.playWeight();
            case SKIP -> config.skipWeight();
            case PROGRESS -> config.playWeight()
                    + watchedFraction(event) * (config.progressFullWeight() - config.playWeight());
            case RATE -> 0.0;
        };
    }

    private static double watchedFraction(ViewingEvent e) {
        if (e.watchedSeconds() == null || e.durationSeconds() == null || e.durationSeconds() <= 0) {
            return 0.0;
        }
        return Math.min(1.0, (double) e.watchedSeconds() / e.durationSeconds());
    }

    /**
     * Applies one event and returns the updated state: {@code state} itself, changed in place, or a
     * new state when {@code state} is {@code null} or expired. Never rejects: check {@link #isLate}
     * first.
     *
     * @param movieOrNull the event's catalog entry, or {@code null} when unknown (no affinity change)
     */
    public UserPreferenceState apply(UserPreferenceState state, ViewingEvent event, Movie movieOrNull) {
        return applyGenres(state, event, movieOrNull == null ? null : movieOrNull.genres());
    }

    /**
     * As {@link #apply(UserPreferenceState, ViewingEvent, Movie)}, given only the movie's genres
     * ({@code null} when the movie is unknown): what the Flink job keeps of the catalog.
     */
    public UserPreferenceState applyGenres(UserPreferenceState state, ViewingEvent event, GenreSet genresOrNull) {
        long t = event.eventTime();
        UserPreferenceState s = state == null ? new UserPreferenceState() : isExpired(state, t) ? expire(state) : state;
        double ageFactor; // decay of this event's contribution to the state's reference time
        if (s.isEmpty()) {
            s.asOf = t;
            s.firstEventTime = t;
            ageFactor = 1.0;
        } else if (t >= s.asOf) {
            if (t > s.asOf) {
                decayAll(s, decay(t - s.asOf));
                s.asOf = t;
            }
            ageFactor = 1.0;
        } else {
            ageFactor = decay(s.asOf - t);
        }
        if (t < s.firstEventTime) {
            s.firstEventTime = t;
        }
        s.activity += ageFactor;
        s.eventCounts[event.type().ordinal()]++;

        GenreSet genres = genresOrNull == null ? GenreSet.EMPTY : genresOrNull;
        int n = genres.size();
        if (event.type() == EventType.RATE) {
            double rating = event.rating() == null ? config.ratingPriorMean() : event.rating();
            s.ratingTotal += rating;
            s.ratingCount++;
            if (n > 0) {
                double share = ageFactor / n;
                for (int g = 0; g < Genre.COUNT; g++) {
                    if (genres.contains(g)) {
                        s.ratingSum[g] += rating * share;
                        s.ratingMass[g] += share;
                    }
                }
            }
        } else if (n > 0) {
            double share = engagementWeight(event) * ageFactor / n;
            for (int g = 0; g < Genre.COUNT; g++) {
                if (genres.contains(g)) {
                    s.engagement[g] += share;
                }
            }
        }
        if (event.type() != EventType.SKIP) {
            rememberWatch(s, event.movieId(), t);
        }
        s.watched = withWatched(s.watched, event.movieId());
        return s;
    }

    private static void decayAll(UserPreferenceState s, double f) {
        for (int g = 0; g < Genre.COUNT; g++) {
            s.engagement[g] *= f;
            s.ratingSum[g] *= f;
            s.ratingMass[g] *= f;
        }
        s.activity *= f;
    }

    /** Before {@code (t, id)} in the list order: later time first, then smaller id. */
    private static boolean before(long t, long id, long otherT, long otherId) {
        return t > otherT || (t == otherT && id < otherId);
    }

    private void rememberWatch(UserPreferenceState s, long movieId, long t) {
        long[] ids = s.recentMovieIds;
        long[] times = s.recentTimes;
        int size = ids.length;
        long[] newIds = new long[size + 1];
        long[] newTimes = new long[size + 1];
        int n = 0;
        boolean inserted = false;
        for (int i = 0; i < size; i++) {
            if (ids[i] == movieId) {
                if (times[i] >= t) {
                    return; // an older watch of a movie already listed later changes nothing
                }
                continue; // listed earlier: re-inserted below with the newer time
            }
            if (!inserted && before(t, movieId, times[i], ids[i])) {
                newIds[n] = movieId;
                newTimes[n++] = t;
                inserted = true;
            }
            newIds[n] = ids[i];
            newTimes[n++] = times[i];
        }
        if (!inserted) {
            newIds[n] = movieId;
            newTimes[n++] = t;
        }
        // Bounded to the newest recentWatchesSize, but every movie at the newest time stays (up to
        // TIED_FACTOR times the bound): a user who rates many titles in one second still has each of them
        // in the list of its own update, so that the scoring app learns every watch.
        int tied = 1;
        while (tied < n && newTimes[tied] == newTimes[0]) {
            tied++;
        }
        int keep = Math.min(n, Math.max(config.recentWatchesSize(), Math.min(tied, TIED_FACTOR * config.recentWatchesSize())));
        if (keep == size && Arrays.equals(ids, 0, size, newIds, 0, size) && Arrays.equals(times, 0, size, newTimes, 0, size)) {
            return; // the new watch fell off the end at once
        }
        s.recentMovieIds = Arrays.copyOf(newIds, keep);
        s.recentTimes = Arrays.copyOf(newTimes, keep);
    }

    /** The user's current mean rating, shrunk towards the configured prior. */
    public double meanRating(UserPreferenceState s) {
        double w = config.ratingPriorWeight() + s.ratingCount;
        return w == 0 ? config.ratingPriorMean()
                : (config.ratingPriorMean() * config.ratingPriorWeight() + s.ratingTotal) / w;
    }

    /**
     * The features of a state after {@code trigger} was applied. Arrays are fresh copies, or (the
     * watched set, which the state replaces instead of changing) shared, so later updates of the state
     * do not change features already handed out.
     */
    public UserPreferenceFeatures features(UserPreferenceState s, ViewingEvent trigger) {
        return features(s, trigger.userId(), trigger.eventId(), trigger.eventTime());
    }

    /** As {@link #features(UserPreferenceState, ViewingEvent)}, given the trigger's identity only. */
    public UserPreferenceFeatures features(UserPreferenceState s, String userId, String triggerEventId,
                                           long triggerEventTime) {
        if (s.isEmpty()) {
            throw new IllegalArgumentException("no event has been applied to this state");
        }
        double mean = meanRating(s);
        double[] affinity = new double[Genre.COUNT];
        for (int g = 0; g < Genre.COUNT; g++) {
            affinity[g] = s.engagement[g] + config.ratePerStarWeight() * (s.ratingSum[g] - mean * s.ratingMass[g]);
        }
        return new UserPreferenceFeatures(userId, s.asOf, FEATURE_VERSION, affinity, s.activity,
                s.firstEventTime, s.recentMovieIds.clone(), s.watched, s.eventCounts.clone(), triggerEventId,
                triggerEventTime);
    }

    /**
     * Each user's features after a {@link #replay} of {@code events} (any mix of users, in arrival
     * order): what the Flink job's latest update of each user holds for the same events in the same
     * order with a complete catalog, by user id. Its trigger is the user's last applied event; late
     * events after it join the watched set of the state, not of this update, as in the job.
     */
    public Map<String, UserPreferenceFeatures> latest(Iterable<ViewingEvent> events, LongFunction<Movie> catalog) {
        Map<String, UserPreferenceFeatures> out = new HashMap<>();
        replay(events, catalog, f -> out.put(f.userId(), f));
        return out;
    }

    /**
     * Replays a log (any mix of users, in arrival order) the way the Flink job applies it with a
     * complete catalog: late events are skipped (their movies join the watched set), every applied
     * event yields one feature update.
     * The trainer uses this for point-in-time features; tests use it as the reference.
     *
     * @param catalog  movie by id, or {@code null} when unknown
     * @param onUpdate receives the features after each applied event, in order
     * @return each user's final state
     */
    public Map<String, UserPreferenceState> replay(Iterable<ViewingEvent> events, LongFunction<Movie> catalog,
                                                    Consumer<UserPreferenceFeatures> onUpdate) {
        Map<String, UserPreferenceState> states = new HashMap<>();
        for (ViewingEvent e : events) {
            UserPreferenceState s = states.get(e.userId());
            if (isLate(s, e)) {
                noteWatched(s, e.movieId());
                continue;
            }
            s = apply(s, e, catalog.apply(e.movieId()));
            states.put(e.userId(), s);
            onUpdate.accept(features(s, e));
        }
        return states;
    }
}
