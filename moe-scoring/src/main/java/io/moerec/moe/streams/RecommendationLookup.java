package io.moerec.moe.streams;

import io.moerec.ingest.domain.RecommendationList;
import java.util.Objects;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * Finds a user's last published list through Kafka Streams' interactive-query metadata: which
 * instance owns the user's partition, and, when it is this one, the list from the local
 * {@value ScoringTopology#LISTS_STORE} store; for a user without one (never scored, or deleted), the
 * {@link NonPersonalList}. Knows nothing of HTTP (the resource asks the owner); answers "unavailable"
 * while the app is not running, rebalancing or restoring.
 */
public final class RecommendationLookup implements UserListLookup {

    /** What a look-up found. */
    public sealed interface Result permits Found, NonPersonal, NotFound, Unavailable, Elsewhere {
    }

    /** The user's own last list. */
    public record Found(RecommendationList list) implements Result {
    }

    /**
     * The user has no list of their own (new, or deleted: the two look alike): the model's list for a
     * user with no events, {@link NonPersonalList}.
     */
    public record NonPersonal(RecommendationList list) implements Result {
    }

    /** No list of the user's own, and no non-personal one yet (no scoring task has ranked one). */
    public record NotFound() implements Result {
    }

    public record Unavailable(String why) implements Result {
    }

    /** Another instance owns the user. */
    public record Elsewhere(HostInfo owner) implements Result {
    }

    private final KafkaStreams streams;
    private final HostInfo self;
    private final NonPersonalList nonPersonal;

    public RecommendationLookup(KafkaStreams streams, HostInfo self, NonPersonalList nonPersonal) {
        this.streams = Objects.requireNonNull(streams, "streams");
        this.self = Objects.requireNonNull(self, "self");
        this.nonPersonal = Objects.requireNonNull(nonPersonal, "nonPersonal");
    }

    public HostInfo self() {
        return self;
    }

    @Override
    public Result find(String userId) {
        KafkaStreams.State state = streams.state();
        if (state != KafkaStreams.State.RUNNING) {
            return new Unavailable("the scoring app is " + state);
        }
        KeyQueryMetadata md;
        try {
            md = streams.queryMetadataForKey(ScoringTopology.LISTS_STORE, userId, Serdes.String().serializer());
        } catch (IllegalStateException e) {
            return new Unavailable("partition metadata is not available yet");
        }
        if (md == null || md.equals(KeyQueryMetadata.NOT_AVAILABLE) || md.activeHost() == null) {
            return new Unavailable("partition metadata is not available yet");
        }
        if (!md.activeHost().equals(self)) {
            return new Elsewhere(md.activeHost());
        }
        try {
            ReadOnlyKeyValueStore<String, RecommendationList> store = streams.store(StoreQueryParameters
                    .fromNameAndType(ScoringTopology.LISTS_STORE, QueryableStoreTypes.<String, RecommendationList>keyValueStore())
                    .withPartition(md.partition()));
            RecommendationList list = store.get(userId);
            if (list != null) {
                return new Found(list);
            }
            return nonPersonal.forUser(userId).<Result>map(NonPersonal::new).orElseGet(NotFound::new);
        } catch (InvalidStateStoreException e) {
            return new Unavailable("the store is restoring or moving");
        }
    }
}
