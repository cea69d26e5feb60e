package io.moerec.features.flink;

import io.moerec.features.PreferenceFeatureLogic;
import io.moerec.features.UserPreferenceState;
import io.moerec.ingest.domain.GenreSet;
import io.moerec.ingest.domain.UserPreferenceFeatures;
import io.moerec.ingest.domain.ViewingEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ReadOnlyBroadcastState;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.TimerService;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Keeps each user's {@link UserPreferenceState} (keyed by user id) by calling the one
 * {@link PreferenceFeatureLogic}, with the catalog as broadcast state (movie id → genre bits), and
 * emits {@link UserPreferenceFeatures} after every applied event.
 *
 * <ul>
 *   <li><b>Late events</b> (older than the user's latest applied event time minus the allowed
 *   lateness, {@link PreferenceFeatureLogic#isLate}) go to {@link #LATE}. Lateness is judged per
 *   user against the state, not against the watermark, so what is late is deterministic and the same
 *   as in the trainer's {@link PreferenceFeatureLogic#replay}; watermarks only drive the timers.</li>
 *   <li><b>Unknown movies</b>: an event whose movie is not (yet) in the catalog is buffered per user
 *   (at most {@code stream.unknown-movie.max-buffered}) and applied as soon as the movie is known:
 *   at the user's next event or at the event-time timer {@code eventTime + max-wait}. At that timer,
 *   or when the buffer is full, it is applied without genres (counts, activity and the recent list
 *   still change; affinity does not) and counted as {@code unknownMovieUnresolved}. Nothing is lost,
 *   and because the logic is order-independent a late-applied event gives the same state (up to
 *   rounding) as if its movie had been known on arrival. (Catalog updates do not scan the keyed
 *   state: on a 60k-movie catalog load that would iterate every buffering user per movie.)</li>
 *   <li><b>Watched set</b>: every event's movie joins the user's watched set (in the state, bounded
 *   by {@link UserPreferenceFeatures#MAX_WATCHED}) as it arrives, late and still-unknown ones
 *   included, and every update carries the whole set: the scoring app excludes exactly that. A user's
 *   state restored from feature version 2 (no watched set) starts it from its recent-watch list
 *   ({@link PreferenceFeatureLogic#upgraded}).</li>
 *   <li><b>TTL in event time</b>: a user idle for {@code features.state-ttl-ms} of event time loses
 *   the feature values, by an event-time timer at {@code asOf + ttl}, but keeps the watched set and
 *   the recent-watch list ({@link PreferenceFeatureLogic#expire}); nothing is emitted, and the
 *   returning user's next update carries the full watched set. Event time because Flink's
 *   {@code StateTtlConfig} (processing time only) would expire nothing during a fast replay of a
 *   year of history and expire differently on every run, while event time keeps the job
 *   deterministic and equal to the pure logic, which expires a state the same way. One timer per
 *   user: when it fires for a user who has been active since, it is re-registered at the new expiry
 *   instead of deleting and re-registering a timer on every event. Timers fired by the end-of-input
 *   watermark ({@code Long.MAX_VALUE}: a bounded source, or stop with drain) expire nobody: no event
 *   time has passed.</li>
 *   <li><b>Deletion on request</b>: a {@link UserInput#deletion deletion} (from {@code user-deletions})
 *   clears all the user's state (watched set included) and deletes the user's timers, and emits one
 *   {@link UserPreferenceFeatures#tombstone tombstone}, which the features sink writes as a
 *   {@code null} value: the compacted {@code user-features} topic and the scoring app forget the user
 *   too. A later event of the user starts from nothing.</li>
 *   <li><b>Rate limit</b> (optional, {@code stream.emit.min-interval-ms}): at most one update per user
 *   per interval of event time; a held-back update is emitted by a timer at the end of the interval,
 *   so the last update is never lost.</li>
 * </ul>
 * Metrics: {@code eventsIn}, {@code featuresOut}, {@code late}, {@code unknownMovie},
 * {@code unknownMovieUnresolved}, {@code usersExpired}, {@code usersDeleted}, {@code tombstonesOut}.
 */
public final class PreferenceFeaturesFunction
        extends KeyedBroadcastProcessFunction<String, UserInput, CatalogUpdate, UserPreferenceFeatures> {

    private static final long serialVersionUID = 1L;

    /** The catalog as the job keeps it: movie id → {@link GenreSet#bits()}. */
    public static final MapStateDescriptor<Long, Integer> CATALOG =
            new MapStateDescriptor<>("catalog", Types.LONG, Types.INT);

    /** Valid events beyond the allowed lateness, for {@code viewing-events-late}. */
    public static final OutputTag<ViewingEvent> LATE =
            new OutputTag<>("viewing-events-late", TypeInformation.of(ViewingEvent.class));

    private final FeaturesPipelineConfig config;

    private transient PreferenceFeatureLogic logic;
    private transient ValueState<UserPreferenceState> preference;
    private transient ListState<ViewingEvent> pending;
    private transient ValueState<EmissionState> emission;
    /** The event time of the user's one outstanding TTL timer, so that a deletion can delete it. */
    private transient ValueState<Long> ttlTimer;
    private transient Counter eventsIn;
    private transient Counter featuresOut;
    private transient Counter late;
    private transient Counter unknownMovie;
    private transient Counter unknownMovieUnresolved;
    private transient Counter usersExpired;
    private transient Counter tombstonesOut;
    private transient Counter usersDeleted;

    public PreferenceFeaturesFunction(FeaturesPipelineConfig config) {
        this.config = Objects.requireNonNull(config, "config");
    }

    @Override
    public void open(OpenContext openContext) {
        logic = new PreferenceFeatureLogic(config.features());
        preference = getRuntimeContext().getState(
                new ValueStateDescriptor<>("preference", TypeInformation.of(UserPreferenceState.class)));
        pending = getRuntimeContext().getListState(
                new ListStateDescriptor<>("unknown-movie-events", TypeInformation.of(ViewingEvent.class)));
        emission = getRuntimeContext().getState(
                new ValueStateDescriptor<>("emission", TypeInformation.of(EmissionState.class)));
        ttlTimer = getRuntimeContext().getState(new ValueStateDescriptor<>("ttl-timer", Types.LONG));
        MetricGroup metrics = getRuntimeContext().getMetricGroup();
        eventsIn = metrics.counter("eventsIn");
        featuresOut = metrics.counter("featuresOut");
        late = metrics.counter("late");
        unknownMovie = metrics.counter("unknownMovie");
        unknownMovieUnresolved = metrics.counter("unknownMovieUnresolved");
        usersExpired = metrics.counter("usersExpired");
        tombstonesOut = metrics.counter("tombstonesOut");
        usersDeleted = metrics.counter("usersDeleted");
    }

    @Override
    public void processElement(UserInput in, ReadOnlyContext ctx, Collector<UserPreferenceFeatures> out)
            throws Exception {
        if (in.isDeletion()) {
            delete(in.getDeletedUserId(), ctx.timestamp() == null ? 0L : ctx.timestamp(), ctx.timerService(), out);
        } else {
            processEvent(in.getEvent(), ctx, out);
        }
    }

    /** Forgets the user: every state and timer, and a tombstone downstream. */
    private void delete(String user, long time, TimerService timers, Collector<UserPreferenceFeatures> out)
            throws Exception {
        Long ttl = ttlTimer.value();
        if (ttl != null) {
            timers.deleteEventTimeTimer(ttl);
        }
        Iterable<ViewingEvent> waiting = pending.get();
        if (waiting != null) {
            for (ViewingEvent e : waiting) {
                timers.deleteEventTimeTimer(saturatedAdd(e.eventTime(), config.unknownMovieMaxWaitMs()));
            }
        }
        EmissionState es = emission.value();
        if (es != null && es.getHeldTriggerId() != null) {
            timers.deleteEventTimeTimer(saturatedAdd(es.getLastEmittedAt(), config.emitMinIntervalMs()));
        }
        preference.clear();
        pending.clear();
        emission.clear();
        ttlTimer.clear();
        usersDeleted.inc();
        // Downstream forgets the user too: a null value on the compacted user-features topic.
        out.collect(UserPreferenceFeatures.tombstone(user, time));
        tombstonesOut.inc();
    }

    private void processEvent(ViewingEvent event, ReadOnlyContext ctx, Collector<UserPreferenceFeatures> out)
            throws Exception {
        eventsIn.inc();
        // Buffered events whose movie has arrived since come first: lateness is judged against them too.
        ReadOnlyBroadcastState<Long, Integer> catalog = ctx.getBroadcastState(CATALOG);
        UserPreferenceState state = applyPending(PreferenceFeatureLogic.upgraded(preference.value()), catalog,
                Long.MIN_VALUE, ctx.timerService(), out);
        if (logic.isLate(state, event)) {
            late.inc();
            ctx.output(LATE, event);
            preference.update(logic.noteWatched(state, event.movieId())); // not applied, but watched
            return;
        }
        Integer bits = catalog.get(event.movieId());
        if (bits == null) {
            unknownMovie.inc();
            if (buffer(event, ctx.timerService())) {
                preference.update(logic.noteWatched(state, event.movieId())); // watched before it is applied
                return;
            }
            unknownMovieUnresolved.inc();
        }
        state = applyAndEmit(state, event, bits == null ? null : new GenreSet(bits), ctx.timerService(), out);
        preference.update(state);
    }

    /** Buffers an unknown-movie event if there is room; false when the buffer is full or disabled. */
    private boolean buffer(ViewingEvent event, TimerService timers) throws Exception {
        if (config.unknownMovieMaxBuffered() == 0) {
            return false;
        }
        int n = 0;
        for (ViewingEvent ignored : pending.get()) {
            n++;
        }
        if (n >= config.unknownMovieMaxBuffered()) {
            return false;
        }
        pending.add(event);
        timers.registerEventTimeTimer(saturatedAdd(event.eventTime(), config.unknownMovieMaxWaitMs()));
        return true;
    }

    /**
     * Applies buffered events whose movie is now known, and (when {@code now} has passed their wait)
     * those still unknown, without genres. Returns the possibly new state; persists the rest.
     */
    private UserPreferenceState applyPending(UserPreferenceState state, ReadOnlyBroadcastState<Long, Integer> catalog,
                                             long now, TimerService timers,
                                             Collector<UserPreferenceFeatures> out) throws Exception {
        Iterable<ViewingEvent> waiting = pending.get();
        if (waiting == null || !waiting.iterator().hasNext()) {
            return state;
        }
        List<ViewingEvent> keep = new ArrayList<>();
        boolean changed = false;
        for (ViewingEvent e : waiting) {
            Integer bits = catalog.get(e.movieId());
            if (bits != null) {
                state = applyAndEmit(state, e, new GenreSet(bits), timers, out);
                changed = true;
            } else if (saturatedAdd(e.eventTime(), config.unknownMovieMaxWaitMs()) <= now) {
                unknownMovieUnresolved.inc();
                state = applyAndEmit(state, e, null, timers, out);
                changed = true;
            } else {
                keep.add(e);
            }
        }
        if (changed) {
            pending.update(keep);
            preference.update(state);
        }
        return state;
    }

    private UserPreferenceState applyAndEmit(UserPreferenceState state, ViewingEvent e, GenreSet genres,
                                             TimerService timers, Collector<UserPreferenceFeatures> out)
            throws Exception {
        boolean fresh = state == null || state.isEmpty();
        UserPreferenceState next = logic.applyGenres(state, e, genres);
        if (fresh) {
            registerTtlTimer(logic.expiryTime(next), timers); // the user's one TTL timer, see the class comment
        }
        emit(next, e.userId(), e.eventId(), e.eventTime(), timers, out);
        return next;
    }

    private void emit(UserPreferenceState state, String user, String triggerId, long triggerTime,
                      TimerService timers, Collector<UserPreferenceFeatures> out) throws Exception {
        long interval = config.emitMinIntervalMs();
        if (interval == 0) {
            out.collect(logic.features(state, user, triggerId, triggerTime));
            featuresOut.inc();
            return;
        }
        EmissionState es = emission.value();
        if (es == null || state.getAsOf() >= saturatedAdd(es.getLastEmittedAt(), interval)) {
            es = es == null ? new EmissionState() : es;
            out.collect(logic.features(state, user, triggerId, triggerTime));
            featuresOut.inc();
            es.setLastEmittedAt(state.getAsOf());
            es.setHeldTriggerId(null);
        } else {
            es.setHeldTriggerId(triggerId);
            es.setHeldTriggerTime(triggerTime);
            timers.registerEventTimeTimer(saturatedAdd(es.getLastEmittedAt(), interval));
        }
        emission.update(es);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<UserPreferenceFeatures> out) throws Exception {
        // Timers of the three kinds share timestamps freely, so each firing checks every concern.
        String user = ctx.getCurrentKey();
        UserPreferenceState state = applyPending(PreferenceFeatureLogic.upgraded(preference.value()),
                ctx.getBroadcastState(CATALOG), timestamp, ctx.timerService(), out);
        if (state == null || state.isEmpty()) {
            return; // an expired user: no timer until the next applied event
        }
        EmissionState es = emission.value();
        if (es != null && es.getHeldTriggerId() != null
                && timestamp >= saturatedAdd(es.getLastEmittedAt(), config.emitMinIntervalMs())) {
            out.collect(logic.features(state, user, es.getHeldTriggerId(), es.getHeldTriggerTime()));
            featuresOut.inc();
            es.setLastEmittedAt(timestamp);
            es.setHeldTriggerId(null);
            emission.update(es);
        }
        if (ctx.timerService().currentWatermark() == Long.MAX_VALUE) {
            // End of input (a bounded source, stop --drain): no event time passed, nobody expires.
            return;
        }
        if (logic.isExpired(state, timestamp)) {
            // Idle is not gone: the feature values go, the watched set and recent list stay, nothing is emitted.
            usersExpired.inc();
            preference.update(logic.expire(state));
            pending.clear();
            emission.clear();
            ttlTimer.clear();
        } else if (timestamp >= currentTtlTimer()) {
            registerTtlTimer(logic.expiryTime(state), ctx.timerService());
        }
    }

    private long currentTtlTimer() throws Exception {
        Long t = ttlTimer.value();
        return t == null ? Long.MIN_VALUE : t;
    }

    private void registerTtlTimer(long time, TimerService timers) throws Exception {
        timers.registerEventTimeTimer(time);
        ttlTimer.update(time);
    }

    @Override
    public void processBroadcastElement(CatalogUpdate update, Context ctx, Collector<UserPreferenceFeatures> out)
            throws Exception {
        BroadcastState<Long, Integer> catalog = ctx.getBroadcastState(CATALOG);
        if (update.isDeleted()) {
            catalog.remove(update.getMovieId());
        } else {
            catalog.put(update.getMovieId(), update.getGenreBits());
        }
    }

    private static long saturatedAdd(long a, long b) {
        long r = a + b;
        return ((a ^ r) & (b ^ r)) < 0 ? Long.MAX_VALUE : r;
    }
}
