package io.moerec.moe.streams;

import io.moerec.features.PreferenceFeatureLogic;
import io.moerec.ingest.domain.EventType;
import io.moerec.ingest.domain.Genre;
import io.moerec.ingest.domain.Movie;
import io.moerec.ingest.domain.RecommendationList;
import io.moerec.ingest.domain.RecommendationList.RecommendedItem;
import io.moerec.ingest.domain.UserPreferenceFeatures;
import io.moerec.moe.ColdStartScorer;
import io.moerec.moe.Exclusion;
import io.moerec.moe.MoeModel;
import io.moerec.moe.MoeScorer;
import io.moerec.moe.model.ItemNeighbours;
import io.moerec.moe.model.MovieTable;
import io.moerec.moe.model.UserVector;
import io.moerec.moe.routing.BalancedRouter;
import io.moerec.moe.routing.ExpertCapacity;
import io.moerec.moe.routing.RouterKind;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.function.LongPredicate;
import java.util.function.LongSupplier;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scores one user per features update with the serving model and publishes the list unless it ranks
 * the same movies as the last published one. A features tombstone (a user deleted on request) deletes
 * the user's stores and, if a list was published for them, publishes a deletion (the user id with a
 * null value). The update's watched set (every movie the user has had an event with, complete in each
 * update, so no earlier update is needed) and movies missing from the catalog are never candidates.
 * With coalescing
 * on, a user's updates merge in event time: an update waits in a store until the user's next one
 * comes at least the interval later in event time ({@code asOf}), which scores it first, or until a
 * wall-clock punctuator, once per interval, scores what is waiting. Live, event time runs with the
 * wall clock and the punctuator does the work; in a replay every event-time gap of the interval or
 * more still yields a list. The balanced router's bias and load live in a store per model version,
 * so they survive restarts. With expert capacity on ({@link ScoringConfig#CAPACITY_FACTOR}) a real user
 * whose expert is full in the task's window goes to the next-best one ({@link ExpertCapacity}). Whenever the model or the catalog moves, the task also ranks a user with no
 * events for the {@link NonPersonalList}. One instance per task; the scoring itself is {@link MoeScorer}'s.
 */
final class ScoringProcessor implements Processor<String, UserPreferenceFeatures, String, RecommendationList> {

    private static final Logger LOG = LoggerFactory.getLogger(ScoringProcessor.class);

    /** Features of a user with no events: what the non-personal list is ranked for. */
    static final UserPreferenceFeatures NO_EVENTS = new UserPreferenceFeatures("", 0, PreferenceFeatureLogic.FEATURE_VERSION,
            new double[Genre.COUNT], 0.0, 0, new long[0], new long[0], new long[EventType.COUNT], NonPersonalList.NO_TRIGGER, 0);
    /** How often an idle task checks for a model or catalog change to rebuild the non-personal list. */
    static final Duration NON_PERSONAL_REFRESH = Duration.ofSeconds(1);

    private final ScoringConfig config;
    private final ModelHolder models;
    private final CatalogView catalogView;
    private final ScoringMetrics metrics;
    private final LongSupplier clock;
    private final NonPersonalList nonPersonal;

    private ProcessorContext<String, RecommendationList> context;
    private KeyValueStore<String, RecommendationList> listStore;
    private KeyValueStore<String, RouterState> routerStore;
    private KeyValueStore<String, UserPreferenceFeatures> pendingStore;
    private KeyValueStore<Long, Movie> catalogStore;

    // Per-task serving state, rebuilt when the model or the catalog changes.
    private MoeModel model;
    private MoeScorer scorer;
    private RouterState routerState;
    private long catalogGeneration = -1;
    /** Ids of the model's movies missing from the catalog, sorted; usually empty, so the check costs nothing. */
    private long[] notInCatalog = new long[0];
    /** Catalog movies the model's table lacks, scored by {@link ColdStartScorer}. */
    private List<ColdStartScorer.NewMovie> newMovies = List.of();
    private ColdStartScorer cold;
    /** Expert capacity over windows of this task's scored users, or null when off; in memory, restarts with the task. */
    private final ExpertCapacity capacity;

    ScoringProcessor(ScoringConfig config, ModelHolder models, CatalogView catalogView, ScoringMetrics metrics, LongSupplier clock,
                     NonPersonalList nonPersonal) {
        this.config = config;
        this.capacity = config.capacityFactor() > 0 ? new ExpertCapacity(config.capacityFactor(), config.capacityWindow()) : null;
        this.nonPersonal = nonPersonal;
        this.models = models;
        this.catalogView = catalogView;
        this.metrics = metrics;
        this.clock = clock;
    }

    @Override
    public void init(ProcessorContext<String, RecommendationList> context) {
        this.context = context;
        listStore = context.getStateStore(ScoringTopology.LISTS_STORE);
        routerStore = context.getStateStore(ScoringTopology.ROUTER_STORE);
        catalogStore = context.getStateStore(ScoringTopology.CATALOG_STORE);
        // The look-up's list for users without one of their own exists from the start (the stores are
        // restored by now), and follows a catalog or model change even while no update arrives.
        refreshAll();
        context.schedule(NON_PERSONAL_REFRESH, PunctuationType.WALL_CLOCK_TIME, t -> refreshAll());
        if (config.coalesceIntervalMs() > 0) {
            pendingStore = context.getStateStore(ScoringTopology.PENDING_STORE);
            context.schedule(Duration.ofMillis(config.coalesceIntervalMs()), PunctuationType.WALL_CLOCK_TIME, t -> scorePending());
        }
    }

    @Override
    public void process(Record<String, UserPreferenceFeatures> record) {
        String user = record.key();
        if (user == null) {
            return;
        }
        if (record.value() == null) {
            // A tombstone on the compacted features topic: the user is gone, and so is what we keep of them.
            RecommendationList last = listStore.delete(user);
            if (pendingStore != null) {
                pendingStore.delete(user);
            }
            if (last != null) {
                // Consumers of recommendations forget the user too (a null value: a tombstone if the topic
                // is compacted). Forwarded like a list, so it commits with the input under exactly-once.
                context.forward(new Record<String, RecommendationList>(user, null, record.timestamp()));
                metrics.listsDeleted.increment();
            }
            return;
        }
        if (pendingStore != null) {
            UserPreferenceFeatures waiting = pendingStore.get(user);
            if (waiting != null && record.value().asOf() - waiting.asOf() >= config.coalesceIntervalMs()) {
                // An event-time gap of the interval or more: the waiting update gets its own list first. Live,
                // the punctuator has scored it by then; in a replay, where event time runs far ahead of the
                // wall clock, this keeps one list per gap instead of one per user and wall-clock interval.
                score(user, waiting, waiting.asOf());
            }
            pendingStore.put(user, record.value()); // the latest update's watched set holds every earlier one's
            return;
        }
        score(user, record.value(), record.timestamp());
    }

    private void scorePending() {
        List<KeyValue<String, UserPreferenceFeatures>> due = new ArrayList<>();
        try (KeyValueIterator<String, UserPreferenceFeatures> it = pendingStore.all()) {
            it.forEachRemaining(due::add);
        }
        for (KeyValue<String, UserPreferenceFeatures> kv : due) {
            pendingStore.delete(kv.key);
            score(kv.key, kv.value, kv.value.asOf());
        }
    }

    private void score(String user, UserPreferenceFeatures f, long timestamp) {
        refreshAll();
        long start = System.nanoTime();
        RecommendationList list = rank(user, f, true);
        metrics.scored(System.nanoTime() - start);
        RecommendationList last = listStore.get(user);
        if (last != null && sameRanking(last, list)) {
            metrics.listsSuppressed.increment();
            return;
        }
        listStore.put(user, list);
        context.forward(new Record<>(user, list, timestamp));
        metrics.listsPublished.increment();
        metrics.published(list);
    }

    /** {@link #refresh()}, and a new {@link NonPersonalList} when the model or the catalog moved. */
    private void refreshAll() {
        if (refresh()) {
            nonPersonal.set(rank("", NO_EVENTS, false));
        }
    }

    /**
     * The list of {@code f} with the serving model and catalog, stamped now; {@code count}: a real user,
     * whose routed experts count towards the metrics and the balanced router's load.
     */
    private RecommendationList rank(String user, UserPreferenceFeatures f, boolean count) {
        double[] u = UserVector.of(f);
        MovieTable table = model.table();
        long[] missing = notInCatalog;
        LongPredicate seen = Exclusion.of(f);
        int k = scorer.router().maxExperts();
        int[] chosen = new int[k];
        double[] weights = new double[k];
        int c;
        if (count && capacity != null) {
            long before = capacity.overflowed();
            c = capacity.route(scorer.router(), u, chosen, weights);
            metrics.overflowed(capacity.overflowed() - before);
        } else {
            c = scorer.router().route(u, chosen, weights);
        }
        List<RecommendedItem> items = scorer.recommend(u, ItemNeighbours.indices(f.recentWatches(), table),
                id -> seen.test(id) || (missing.length > 0 && Arrays.binarySearch(missing, id) >= 0),
                config.topN(), chosen, weights, c);
        if (!newMovies.isEmpty()) {
            items = merge(items, cold.recommend(u, chosen, weights, c, newMovies, seen,
                    config.topN()), config.topN());
        }
        if (count) {
            countLoad(chosen, c);
        }
        return new RecommendationList(user, clock.getAsLong(), model.version(), scorer.router().name(),
                items, f.triggerEventId(), f.triggerEventTime());
    }

    /** Same model, router and movies in the same order: republishing would tell consumers nothing. */
    static boolean sameRanking(RecommendationList a, RecommendationList b) {
        if (!a.modelVersion().equals(b.modelVersion()) || !a.router().equals(b.router()) || a.items().size() != b.items().size()) {
            return false;
        }
        for (int i = 0; i < a.items().size(); i++) {
            if (a.items().get(i).movieId() != b.items().get(i).movieId()) {
                return false;
            }
        }
        return true;
    }

    /** Both lists best first; the best {@code n} of their union, ties to the lower movie id as the scorer ranks. */
    static List<RecommendedItem> merge(List<RecommendedItem> a, List<RecommendedItem> b, int n) {
        if (b.isEmpty()) {
            return a;
        }
        List<RecommendedItem> all = new ArrayList<>(a.size() + b.size());
        all.addAll(a);
        all.addAll(b);
        all.sort(java.util.Comparator.comparingDouble(RecommendedItem::score).reversed().thenComparingLong(RecommendedItem::movieId));
        return all.size() > n ? all.subList(0, n) : all;
    }

    /**
     * Counts the routed experts for the metrics and, for the balanced router, moves its bias per
     * batch.
     */
    private void countLoad(int[] experts, int c) {
        int k = experts.length;
        for (int i = 0; i < c; i++) {
            metrics.routed(experts[i]);
            routerState.batchLoad()[experts[i]]++;
            routerState.totalLoad()[experts[i]]++;
        }
        if (config.router() == RouterKind.BALANCED && routerState.batchSize() >= (long) config.balancedBatch() * k) {
            BalancedRouter next = ((BalancedRouter) scorer.router()).withLoad(routerState.batchLoad());
            routerState = new RouterState(next.bias(), new long[Genre.COUNT], routerState.totalLoad());
            scorer = model.scorer(next);
        }
        // The store caches, so this writes the changelog once per commit, not once per event.
        routerStore.put(model.version(), routerState);
    }

    /** Picks up a swapped model or a changed catalog before scoring; true when either moved. */
    private boolean refresh() {
        MoeModel current = models.current();
        boolean changed = false;
        if (current != model) {
            changed = true;
            MoeModel previous = model;
            model = current;
            RouterState stored = routerStore.get(current.version());
            if (config.router() == RouterKind.BALANCED) {
                BalancedRouter calibrated = (BalancedRouter) current.router(RouterKind.BALANCED);
                routerState = stored != null ? stored : RouterState.initial(calibrated.bias());
                scorer = current.scorer(new BalancedRouter(current.gate(), calibrated.maxExperts(), calibrated.rate(), routerState.bias()));
            } else {
                routerState = stored != null ? stored : RouterState.initial(new double[Genre.COUNT]);
                scorer = current.scorer(config.router());
            }
            if (previous != null && !previous.version().equals(current.version())) {
                routerStore.delete(previous.version());
                LOG.info("task {} now scores with model {} (was {})", context.taskId(), current.version(), previous.version());
            }
            cold = new ColdStartScorer(current);
            catalogGeneration = -1;
        }
        long generation = catalogView.generation();
        if (generation != catalogGeneration) {
            MovieTable table = model.table();
            BitSet set = new BitSet(table.size());
            List<ColdStartScorer.NewMovie> fresh = new ArrayList<>();
            try (KeyValueIterator<Long, Movie> it = catalogStore.all()) {
                while (it.hasNext()) {
                    KeyValue<Long, Movie> kv = it.next();
                    int i = table.indexOf(kv.key);
                    if (i >= 0 && kv.value != null) {
                        set.set(i);
                    } else if (kv.value != null) {
                        fresh.add(ColdStartScorer.NewMovie.of(kv.value));
                    }
                }
            }
            long[] missing = new long[table.size() - set.cardinality()];
            int k = 0;
            for (int i = set.nextClearBit(0); i < table.size(); i = set.nextClearBit(i + 1)) {
                missing[k++] = table.movieId(i); // ascending: the table is sorted by id
            }
            notInCatalog = missing;
            newMovies = List.copyOf(fresh);
            catalogGeneration = generation;
            changed = true;
        }
        return changed;
    }
}
