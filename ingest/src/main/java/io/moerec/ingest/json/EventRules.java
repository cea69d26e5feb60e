package io.moerec.ingest.json;

import io.moerec.ingest.domain.EventType;
import io.moerec.ingest.domain.ViewingEvent;

/**
 * The semantic rules of the records, in one place: id syntax, timestamp plausibility, rating range
 * and which optional fields each event type takes. The JSON codecs and the file loaders both call
 * these, so a record is equally valid whether it arrived on Kafka or from a file.
 */
public final class EventRules {

    /** Longest user, event or model id accepted. */
    public static final int MAX_ID_LENGTH = 128;
    /** 1990-01-01T00:00:00Z: older timestamps are taken as mistakes. */
    public static final long MIN_EVENT_TIME_MS = 631_152_000_000L;
    /** 2100-01-01T00:00:00Z. */
    public static final long MAX_EVENT_TIME_MS = 4_102_444_800_000L;
    public static final double MIN_RATING = 0.5;
    public static final double MAX_RATING = 5.0;
    /** One week: longer watch times or durations are taken as mistakes. */
    public static final int MAX_SECONDS = 7 * 24 * 3600;

    private EventRules() {
    }

    /** Ids are 1 to 128 characters of {@code A-Z a-z 0-9 . _ : @ -}. */
    public static void checkId(String field, String id) throws InvalidRecordException {
        if (id.isEmpty()) {
            throw new InvalidRecordException(RejectReason.INVALID_ID, "field '" + field + "' is empty");
        }
        if (id.length() > MAX_ID_LENGTH) {
            throw new InvalidRecordException(RejectReason.INVALID_ID,
                    "field '" + field + "' has " + id.length() + " characters, at most " + MAX_ID_LENGTH + " are allowed");
        }
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '.' || c == '_' || c == ':' || c == '@' || c == '-';
            if (!ok) {
                throw new InvalidRecordException(RejectReason.INVALID_ID,
                        "field '" + field + "' has the character U+" + String.format("%04X", (int) c)
                                + " at position " + i + "; allowed are A-Z a-z 0-9 . _ : @ -");
            }
        }
    }

    public static void checkMovieId(String field, long movieId) throws InvalidRecordException {
        if (movieId < 1) {
            throw new InvalidRecordException(RejectReason.INVALID_ID,
                    "field '" + field + "' must be a positive integer, got " + movieId);
        }
    }

    public static void checkEventTime(String field, long t) throws InvalidRecordException {
        if (t < 0) {
            throw new InvalidRecordException(RejectReason.NEGATIVE_TIMESTAMP, "field '" + field + "' is negative: " + t);
        }
        if (t >= MIN_EVENT_TIME_MS / 1000 && t < MAX_EVENT_TIME_MS / 1000) {
            throw new InvalidRecordException(RejectReason.TIMESTAMP_IN_SECONDS,
                    "field '" + field + "' is " + t + ", which is a plausible time in epoch seconds; epoch milliseconds are expected");
        }
        if (t < MIN_EVENT_TIME_MS || t >= MAX_EVENT_TIME_MS) {
            throw new InvalidRecordException(RejectReason.TIMESTAMP_OUT_OF_RANGE,
                    "field '" + field + "' is " + t + " ms, outside [1990-01-01, 2100-01-01)");
        }
    }

    static void checkSeconds(String field, int s) throws InvalidRecordException {
        if (s < 0 || s > MAX_SECONDS) {
            throw new InvalidRecordException(RejectReason.VALUE_OUT_OF_RANGE,
                    "field '" + field + "' is " + s + ", allowed are 0 to " + MAX_SECONDS + " seconds");
        }
    }

    /** Every rule that applies to a whole event, for events built outside the JSON codec. */
    public static ViewingEvent check(ViewingEvent e) throws InvalidRecordException {
        checkId("eventId", e.eventId());
        checkId("userId", e.userId());
        checkMovieId("movieId", e.movieId());
        checkEventTime("eventTime", e.eventTime());
        if (e.watchedSeconds() != null) {
            checkSeconds("watchedSeconds", e.watchedSeconds());
        }
        if (e.durationSeconds() != null) {
            checkSeconds("durationSeconds", e.durationSeconds());
            if (e.durationSeconds() == 0) {
                throw new InvalidRecordException(RejectReason.VALUE_OUT_OF_RANGE, "field 'durationSeconds' must be positive");
            }
        }
        if (e.type() == EventType.PROGRESS && (e.watchedSeconds() == null || e.durationSeconds() == null)) {
            throw new InvalidRecordException(RejectReason.FIELD_REQUIRED_FOR_TYPE,
                    "PROGRESS events need 'watchedSeconds' and 'durationSeconds'");
        }
        if (e.type() == EventType.RATE) {
            if (e.rating() == null) {
                throw new InvalidRecordException(RejectReason.FIELD_REQUIRED_FOR_TYPE, "RATE events need 'rating'");
            }
            double r = e.rating();
            if (!Double.isFinite(r)) {
                throw new InvalidRecordException(RejectReason.NON_FINITE_NUMBER, "field 'rating' is not a finite number");
            }
            if (r < MIN_RATING || r > MAX_RATING) {
                throw new InvalidRecordException(RejectReason.RATING_OUT_OF_RANGE,
                        "field 'rating' is " + r + ", allowed are " + MIN_RATING + " to " + MAX_RATING);
            }
        } else if (e.rating() != null) {
            throw new InvalidRecordException(RejectReason.FIELD_NOT_ALLOWED_FOR_TYPE,
                    "field 'rating' is only valid on RATE events, this is " + e.type());
        }
        return e;
    }
}
