package io.moerec.features.flink;

import io.moerec.ingest.domain.ViewingEvent;
import java.util.Objects;

/**
 * What the keyed features operator receives per user: a viewing event, or a request to forget the
 * user (from {@code user-deletions}). A Flink POJO; exactly one of {@link #getEvent()} and
 * {@link #getDeletedUserId()} is set.
 */
public final class UserInput {

    private ViewingEvent event;
    private String deletedUserId;

    public UserInput() {
    }

    public static UserInput of(ViewingEvent event) {
        UserInput in = new UserInput();
        in.event = Objects.requireNonNull(event, "event");
        return in;
    }

    public static UserInput deletion(String userId) {
        UserInput in = new UserInput();
        in.deletedUserId = Objects.requireNonNull(userId, "userId");
        return in;
    }

    /** The key: the event's user or the user to forget. */
    public String userId() {
        return event != null ? event.userId() : deletedUserId;
    }

    public boolean isDeletion() {
        return event == null;
    }

    public ViewingEvent getEvent() {
        return event;
    }

    public void setEvent(ViewingEvent event) {
        this.event = event;
    }

    public String getDeletedUserId() {
        return deletedUserId;
    }

    public void setDeletedUserId(String deletedUserId) {
        this.deletedUserId = deletedUserId;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof UserInput u && Objects.equals(event, u.event) && Objects.equals(deletedUserId, u.deletedUserId);
    }

    @Override
    public int hashCode() {
        return Objects.hash(event, deletedUserId);
    }

    @Override
    public String toString() {
        return event != null ? "UserInput[" + event + "]" : "UserInput[delete " + deletedUserId + "]";
    }
}
