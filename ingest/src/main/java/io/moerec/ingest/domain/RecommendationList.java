package io.moerec.ingest.domain;

import java.util.List;
import java.util.Objects;

/**
 * A ranked list of suggestions for one user, published to {@code recommendations} (keyed by user).
 *
 * @param userId           for whom
 * @param generatedAt      wall-clock time of publication, epoch ms
 * @param modelVersion     the model bundle that scored it
 * @param router           the router that chose the experts ({@code softmax}, {@code balanced}, {@code eigen}, {@code dense})
 * @param items            best first
 * @param triggerEventId   the viewing event that led to this list
 * @param triggerEventTime that event's time, epoch ms (latency = generatedAt - triggerEventTime)
 */
public record RecommendationList(
        String userId,
        long generatedAt,
        String modelVersion,
        String router,
        List<RecommendedItem> items,
        String triggerEventId,
        long triggerEventTime) {

    public RecommendationList {
        Objects.requireNonNull(userId, "userId");
        Objects.requireNonNull(modelVersion, "modelVersion");
        Objects.requireNonNull(router, "router");
        Objects.requireNonNull(triggerEventId, "triggerEventId");
        items = List.copyOf(items);
    }

    /**
     * One suggestion with the experts that scored it and, when it came from the user's recent watches,
     * the recent watch that contributed most to it ({@code because}: a movie id; null for a movie
     * suggested for another reason, e.g. popular fill or a new movie).
     */
    public record RecommendedItem(long movieId, double score, List<ExpertWeight> experts, Long because) {
        public RecommendedItem {
            experts = List.copyOf(experts);
        }

        /** Without a "because you watched" movie. */
        public RecommendedItem(long movieId, double score, List<ExpertWeight> experts) {
            this(movieId, score, experts, null);
        }
    }

    /** A contributing genre expert and its renormalised gate weight. */
    public record ExpertWeight(Genre genre, double weight) {
        public ExpertWeight {
            Objects.requireNonNull(genre, "genre");
        }
    }
}
