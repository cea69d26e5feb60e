package io.moerec.moe.streams;

import io.moerec.ingest.domain.RecommendationList;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The list of a user the app knows nothing of: what the serving model and router rank for a user with
 * no events (the scoring path of {@link ScoringProcessor} on empty features, so the catalog filter and
 * the movies new to the model apply as for everyone). Scoring tasks replace it whenever their model
 * or catalog changes; the HTTP look-up answers it, marked as not personal, for a user without a list
 * of their own: a new user, and a deleted one, who must be indistinguishable from a new one. One per
 * app instance; thread-safe.
 */
public final class NonPersonalList {

    /** The trigger fields of a list no event triggered. */
    static final String NO_TRIGGER = "none";

    private final AtomicReference<RecommendationList> list = new AtomicReference<>();

    void set(RecommendationList l) {
        list.set(l);
    }

    /** The list as answered for {@code userId}, or empty before a scoring task has made one. */
    public Optional<RecommendationList> forUser(String userId) {
        RecommendationList l = list.get();
        return l == null ? Optional.empty()
                : Optional.of(new RecommendationList(userId, l.generatedAt(), l.modelVersion(), l.router(), l.items(),
                        l.triggerEventId(), l.triggerEventTime()));
    }
}
