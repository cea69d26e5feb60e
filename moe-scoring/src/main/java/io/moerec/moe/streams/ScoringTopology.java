package io.moerec.moe.streams;

import io.moerec.ingest.domain.Movie;
import io.moerec.ingest.domain.RecommendationList;
import io.moerec.ingest.domain.UserPreferenceFeatures;
import io.moerec.ingest.json.StrictJson;
import io.moerec.ingest.json.UserFeaturesCodec;
import io.moerec.ingest.topic.JsonSerde;
import io.moerec.ingest.topic.Topic;
import io.moerec.ingest.topic.Topics;
import java.util.function.LongSupplier;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * The scoring topology: {@code user-features} → {@link ScoringProcessor} → {@code recommendations},
 * with the catalog from {@code movies} in a global store, and per user, in persistent changelogged
 * RocksDB stores, the last published list
 * ({@value #LISTS_STORE}, also what the HTTP look-up reads; kept in {@link StoredListCodec}'s binary form) and the balanced router's state per model
 * version ({@value #ROUTER_STORE}); with coalescing on, the updates waiting to be scored are in a
 * changelogged in-memory store ({@value #PENDING_STORE}). Serdes are explicit at every boundary and come from {@link Topics}; the
 * features are decoded with the configured record limit ({@value ScoringConfig#MAX_RECORD_BYTES}).
 */
public final class ScoringTopology {

    public static final String LISTS_STORE = "last-lists";
    public static final String ROUTER_STORE = "router-state";
    public static final String PENDING_STORE = "pending-features";
    public static final String CATALOG_STORE = "catalog";

    private ScoringTopology() {
    }

    /** The topology with the wall clock stamping lists. */
    public static Topology buildTopology(ScoringConfig config, ModelHolder models, ScoringMetrics metrics) {
        return buildTopology(config, models, metrics, new CatalogView(), System::currentTimeMillis, new NonPersonalList());
    }

    /** As below, with a {@link NonPersonalList} of its own. */
    public static Topology buildTopology(ScoringConfig config, ModelHolder models, ScoringMetrics metrics,
                                         CatalogView catalogView, LongSupplier clock) {
        return buildTopology(config, models, metrics, catalogView, clock, new NonPersonalList());
    }

    /**
     * The topology as {@code config} names its topics; {@code clock} gives each list's
     * {@code generatedAt} (tests pass a fixed one); the scoring tasks keep {@code nonPersonal} current
     * for the look-up.
     */
    public static Topology buildTopology(ScoringConfig config, ModelHolder models, ScoringMetrics metrics,
                                         CatalogView catalogView, LongSupplier clock, NonPersonalList nonPersonal) {
        Topic<String, UserPreferenceFeatures> features = Topics.USER_FEATURES.withName(config.featuresTopic())
                .withValueSerde(new JsonSerde<>(new UserFeaturesCodec(config.maxRecordBytes())));
        Topic<Long, Movie> movies = Topics.MOVIES.withName(config.moviesTopic());
        Topic<String, RecommendationList> recommendations = Topics.RECOMMENDATIONS.withName(config.recommendationsTopic());

        StreamsBuilder builder = new StreamsBuilder();
        // Global stores keep no changelog: the compacted movies topic is their changelog.
        StoreBuilder<KeyValueStore<Long, Movie>> catalog = Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(CATALOG_STORE), movies.keySerde(), movies.valueSerde()).withLoggingDisabled();
        builder.addGlobalStore(catalog, movies.name(), Consumed.with(movies.keySerde(), movies.valueSerde()),
                () -> new CatalogProcessor(catalogView));

        builder.addStateStore(persistent(LISTS_STORE, new JsonSerde<>(new StoredListCodec())));
        builder.addStateStore(persistent(ROUTER_STORE, new RouterState.StateSerde()));
        boolean coalesce = config.coalesceIntervalMs() > 0;
        if (coalesce) {
            // Its values passed the input limit when written; read back they must not fail a later, lower one.
            // In memory (still changelogged, restored after a crash): it holds only the users with an update of the
            // last interval, and the punctuator iterates all of it each interval, which in RocksDB means seeking
            // past the tombstones of every user scored since the last compaction.
            builder.addStateStore(cached(Stores.inMemoryKeyValueStore(PENDING_STORE),
                    new JsonSerde<>(new UserFeaturesCodec(StrictJson.MAX_RECORD_LIMIT))));
        }
        String[] stores = coalesce
                ? new String[] {LISTS_STORE, ROUTER_STORE, PENDING_STORE}
                : new String[] {LISTS_STORE, ROUTER_STORE};

        builder.stream(features.name(), Consumed.with(features.keySerde(), features.valueSerde()).withName("user-features-source"))
                .process(() -> new ScoringProcessor(config, models, catalogView, metrics, clock, nonPersonal),
                        Named.as("moe-scoring"), stores)
                .to(recommendations.name(), Produced.with(recommendations.keySerde(), recommendations.valueSerde())
                        .withName("recommendations-sink"));
        return builder.build();
    }

    private static <V> StoreBuilder<KeyValueStore<String, V>> persistent(String name, Serde<V> serde) {
        return cached(Stores.persistentKeyValueStore(name), serde);
    }

    private static <V> StoreBuilder<KeyValueStore<String, V>> cached(KeyValueBytesStoreSupplier store, Serde<V> serde) {
        // Caching folds repeated writes of one key within a commit into one changelog record.
        return Stores.keyValueStoreBuilder(store, Serdes.String(), serde).withCachingEnabled();
    }

    /** Applies catalog records to the global store and tells scoring tasks that the catalog moved. */
    static final class CatalogProcessor implements Processor<Long, Movie, Void, Void> {
        private final CatalogView view;
        private KeyValueStore<Long, Movie> store;

        CatalogProcessor(CatalogView view) {
            this.view = view;
        }

        @Override
        public void init(ProcessorContext<Void, Void> context) {
            store = context.getStateStore(CATALOG_STORE);
        }

        @Override
        public void process(Record<Long, Movie> record) {
            if (record.key() == null) {
                return;
            }
            if (record.value() == null) {
                store.delete(record.key());
            } else {
                store.put(record.key(), record.value());
            }
            view.changed();
        }
    }
}
