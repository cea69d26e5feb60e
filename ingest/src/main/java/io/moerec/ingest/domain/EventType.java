package io.moerec.ingest.domain;

/** What a viewer did. The order is part of the wire contract of per-type counts; append only. */
public enum EventType {
    /** Playback started. */
    PLAY,
    /** A playback position report; carries watched and total seconds. */
    PROGRESS,
    /** Playback reached the end (or the credits). */
    COMPLETE,
    /** An explicit rating, 0.5 to 5 stars. */
    RATE,
    /** The viewer skipped the title (a negative signal). */
    SKIP;

    public static final int COUNT = values().length;
}
