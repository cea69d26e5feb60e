package io.moerec.ingest.topic;

import io.moerec.ingest.domain.ModelAnnouncement;
import io.moerec.ingest.domain.Movie;
import io.moerec.ingest.domain.RecommendationList;
import io.moerec.ingest.domain.UserPreferenceFeatures;
import io.moerec.ingest.domain.ViewingEvent;
import io.moerec.ingest.json.ModelAnnouncementCodec;
import io.moerec.ingest.json.MovieCodec;
import io.moerec.ingest.json.RecommendationListCodec;
import io.moerec.ingest.json.UserFeaturesCodec;
import io.moerec.ingest.json.ViewingEventCodec;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/**
 * The project's topics, defined once. Names here are defaults; deployments rename a topic with
 * {@link Topic#withName(String)} from configuration, never by editing a string elsewhere.
 */
public final class Topics {

    private static final Map<String, String> COMPACTED = Map.of("cleanup.policy", "compact");
    private static final Map<String, String> DELETE = Map.of("cleanup.policy", "delete");

    /** Raw viewing events, keyed by user id. */
    public static final Topic<String, ViewingEvent> VIEWING_EVENTS = new Topic<>("viewing-events",
            Serdes.String(), new JsonSerde<>(new ViewingEventCodec()), 4, DELETE);

    /**
     * Records that could not be accepted, with their original key and value bytes untouched and the
     * reason in headers (see {@link DeadLetters}); it takes records up to
     * {@link DeadLetters#MAX_DEAD_LETTER_BYTES}, so that the largest bad input still fits with its headers.
     */
    public static final Topic<byte[], byte[]> VIEWING_EVENTS_DLQ = new Topic<>("viewing-events-dlq",
            Serdes.ByteArray(), Serdes.ByteArray(), 1, Map.of("cleanup.policy", "delete",
                    "max.message.bytes", Integer.toString(DeadLetters.MAX_DEAD_LETTER_BYTES)));

    /** Valid events that arrived later than the features job's allowed lateness, keyed by user. */
    public static final Topic<String, ViewingEvent> VIEWING_EVENTS_LATE = new Topic<>("viewing-events-late",
            Serdes.String(), new JsonSerde<>(new ViewingEventCodec()), 1, DELETE);

    /** The catalog, compacted, keyed by movie id. */
    public static final Topic<Long, Movie> MOVIES = new Topic<>("movies",
            new MovieIdSerde(), new JsonSerde<>(new MovieCodec()), 1, COMPACTED);

    /** Each user's latest preference features, compacted, keyed by user id. */
    public static final Topic<String, UserPreferenceFeatures> USER_FEATURES = new Topic<>("user-features",
            Serdes.String(), new JsonSerde<>(new UserFeaturesCodec()), 4, COMPACTED);

    /**
     * Requests to forget a user, keyed by user id (the value is not read): the features job clears all
     * it keeps of the user and writes a tombstone to {@code user-features}, on which the scoring app
     * deletes its stores and publishes the user's deletion on {@code recommendations}.
     */
    public static final Topic<String, String> USER_DELETIONS = new Topic<>("user-deletions",
            Serdes.String(), Serdes.String(), 1, DELETE);

    /** Ranked suggestions, keyed by user id. */
    public static final Topic<String, RecommendationList> RECOMMENDATIONS = new Topic<>("recommendations",
            Serdes.String(), new JsonSerde<>(new RecommendationListCodec()), 4, DELETE);

    /**
     * Model bundles announced by the training job (a reference and a checksum, not the bytes),
     * compacted, keyed by model version; every scoring instance reads all of it.
     */
    public static final Topic<String, ModelAnnouncement> MODELS = new Topic<>("models",
            Serdes.String(), new JsonSerde<>(new ModelAnnouncementCodec()), 1, COMPACTED);

    private Topics() {
    }

    /** Every topic moerec creates, in the order a setup tool should create them. */
    public static List<Topic<?, ?>> all() {
        return List.of(VIEWING_EVENTS, VIEWING_EVENTS_DLQ, VIEWING_EVENTS_LATE, MOVIES, USER_FEATURES, USER_DELETIONS, RECOMMENDATIONS,
                MODELS);
    }

    /** Shorthand for the serde of a topic's values. */
    public static <V> Serde<V> values(Topic<?, V> topic) {
        return topic.valueSerde();
    }
}
