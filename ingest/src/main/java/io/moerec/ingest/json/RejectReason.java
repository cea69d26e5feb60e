package io.moerec.ingest.json;

/**
 * Why a record was rejected. The code travels in the dead-letter header {@code moerec.reason}, so the
 * names are part of the wire contract: add, never rename.
 */
public enum RejectReason {
    EMPTY("the record is empty"),
    OVERSIZE("the record exceeds the size limit"),
    INVALID_UTF8("the bytes are not valid UTF-8"),
    MALFORMED_JSON("the bytes are not one well-formed JSON document"),
    NOT_AN_OBJECT("the JSON document is not an object"),
    DUPLICATE_FIELD("a field appears twice"),
    MISSING_FIELD("a required field is missing or null"),
    WRONG_TYPE("a field has the wrong JSON type"),
    UNKNOWN_FIELD("a field is not part of the schema"),
    UNSUPPORTED_SCHEMA_VERSION("the schemaVersion is not one this reader knows"),
    INVALID_ID("an id is empty, too long or has characters outside the allowed set"),
    UNKNOWN_EVENT_TYPE("the event type is not one of PLAY, PROGRESS, COMPLETE, RATE, SKIP"),
    UNKNOWN_GENRE("a genre is not in the vocabulary"),
    NON_FINITE_NUMBER("a number is NaN or infinite"),
    RATING_OUT_OF_RANGE("the rating is outside [0.5, 5]"),
    FIELD_NOT_ALLOWED_FOR_TYPE("a field is not valid on this event type"),
    FIELD_REQUIRED_FOR_TYPE("a field that this event type needs is missing"),
    NEGATIVE_TIMESTAMP("the timestamp is negative"),
    TIMESTAMP_IN_SECONDS("the timestamp looks like epoch seconds, epoch milliseconds are expected"),
    TIMESTAMP_OUT_OF_RANGE("the timestamp is before 1990 or after 2100"),
    VALUE_OUT_OF_RANGE("a number is outside its allowed range"),
    NULL_KEY("the Kafka record has no key"),
    KEY_MISMATCH("the Kafka key differs from the record's own id"),
    UNPARSEABLE_LINE("a line of an input file cannot be parsed"),
    LATE("the event is later than the allowed lateness"),
    MALFORMED_BINARY("the bytes are not one well-formed record of a binary format");

    private final String description;

    RejectReason(String description) {
        this.description = description;
    }

    public String description() {
        return description;
    }
}
