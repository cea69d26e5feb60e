package io.moerec.ingest.config;

import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;

/**
 * Parses and validates one configuration value (already trimmed) into its type; a bad value throws
 * {@link IllegalArgumentException} whose message names the key. The factories below are the shared
 * validators of every key spec; each one delegates its check to {@link ConfigValues} and says what it
 * allows ({@link #allowed()}) for the reference table.
 *
 * @param <T> the value's type
 */
@FunctionalInterface
public interface ValueParser<T> {

    T parse(String key, String value);

    /** What the parser accepts, for the reference table ("1 to 1000", "`true`, `false`"); empty if it says nothing. */
    default String allowed() {
        return "";
    }

    /** {@code parser}, described for the reference table as {@code allowed}. */
    static <T> ValueParser<T> allowing(String allowed, ValueParser<T> parser) {
        return new Described<>(allowed, parser);
    }

    /** A parser with its {@link #allowed()} text. */
    record Described<T>(String allowed, ValueParser<T> parser) implements ValueParser<T> {
        @Override
        public T parse(String key, String value) {
            return parser.parse(key, value);
        }
    }

    /** The text as given (may be empty). */
    static ValueParser<String> text() {
        return (key, value) -> value;
    }

    /** Non-blank text: "{@code key} is required" otherwise. */
    static ValueParser<String> required() {
        return ConfigValues::requireNonBlank;
    }

    /** A host name or address to bind or connect to. */
    static ValueParser<String> host() {
        return required();
    }

    /** A TCP port, 0 for any free one. */
    static ValueParser<Integer> port() {
        return intIn(0, 65535);
    }

    /** A path that must be given. */
    static ValueParser<Path> requiredPath() {
        return (key, value) -> Path.of(ConfigValues.requireNonBlank(key, value));
    }

    /** A path, or null when blank (not set). */
    static ValueParser<Path> optionalPath() {
        return unsetWhenBlank((key, value) -> Path.of(value));
    }

    /** {@code parser}'s value, or null when blank (not set: a default that someone else decides); described as {@code parser} is. */
    static <T> ValueParser<T> unsetWhenBlank(ValueParser<T> parser) {
        return allowing(parser.allowed(), (key, value) -> value.isBlank() ? null : parser.parse(key, value));
    }

    static ValueParser<Boolean> bool() {
        return allowing("`true`, `false`", ConfigValues::parseBoolean);
    }

    static ValueParser<Integer> intIn(int min, int max) {
        return allowing(min + " to " + max,
                (key, value) -> (int) ConfigValues.requireInRange(key, ConfigValues.parseInt(key, value), min, max));
    }

    static ValueParser<Long> longIn(long min, long max) {
        return allowing(min + " to " + max,
                (key, value) -> ConfigValues.requireInRange(key, ConfigValues.parseLong(key, value), min, max));
    }

    /**
     * As {@link #longIn(long, long)}, with a note on what a special value means in the message, e.g.
     * "startup.kafka-check-timeout-ms (0 = no check) must be in [0, 600000], got -1".
     */
    static ValueParser<Long> longIn(long min, long max, String note) {
        return allowing(min + " to " + max + " (" + note + ")", (key, value) ->
                ConfigValues.requireInRange(key + " (" + note + ")", ConfigValues.parseLong(key, value), min, max));
    }

    /** 0 ({@code note} says what it means) or a value in [min, max]. */
    static ValueParser<Long> zeroOrLongIn(long min, long max, String note) {
        return allowing("0 (" + note + ") or " + min + " to " + max, (key, value) -> {
            long v = ConfigValues.parseLong(key, value);
            return v == 0 ? 0L : ConfigValues.requireInRange(key + " (0 = " + note + ")", v, min, max);
        });
    }

    /** A duration in milliseconds of at least {@code min}. */
    static ValueParser<Long> millisAtLeast(long min) {
        return allowing("at least " + min, (key, value) -> ConfigValues.requireAtLeast(key, ConfigValues.parseLong(key, value), min));
    }

    /** A duration in milliseconds, 0 or more. */
    static ValueParser<Long> nonNegativeMillis() {
        return allowing("0 or more", (key, value) -> ConfigValues.requireNonNegative(key, ConfigValues.parseLong(key, value)));
    }

    /** A duration in milliseconds, more than 0. */
    static ValueParser<Long> positiveMillis() {
        return allowing("more than 0", (key, value) -> ConfigValues.requirePositive(key, ConfigValues.parseLong(key, value)));
    }

    /** Any int. */
    static ValueParser<Integer> anyInt() {
        return ConfigValues::parseInt;
    }

    /** Any long. */
    static ValueParser<Long> anyLong() {
        return ConfigValues::parseLong;
    }

    /** Any finite number. */
    static ValueParser<Double> finite() {
        return allowing("a finite number", (key, value) -> ConfigValues.requireFinite(key, ConfigValues.parseDouble(key, value)));
    }

    /** A number, 0 or more. */
    static ValueParser<Double> nonNegativeNumber() {
        return allowing("0 or more", (key, value) -> ConfigValues.requireNonNegative(key, ConfigValues.parseDouble(key, value)));
    }

    static ValueParser<Double> doubleIn(double min, double max) {
        return allowing(min + " to " + max,
                (key, value) -> ConfigValues.requireInRange(key, ConfigValues.parseDouble(key, value), min, max));
    }

    /** One of {@code allowed}, exactly as written there. */
    static ValueParser<String> oneOf(String... allowed) {
        List<String> values = List.of(allowed);
        StringBuilder shown = new StringBuilder();
        values.forEach(v -> shown.append(shown.isEmpty() ? "" : ", ").append('`').append(v).append('`'));
        return allowing(shown.toString(), (key, value) -> {
            ConfigValues.require(values.contains(value), key, "must be one of " + values, "'" + value + "'");
            return value;
        });
    }

    /**
     * A value read by {@code parse} (an enum's own name parser, say), whose
     * {@link IllegalArgumentException} gets the key in front of its message.
     */
    static <T> ValueParser<T> named(Function<String, T> parse) {
        return (key, value) -> {
            try {
                return parse.apply(value);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(key + ": " + e.getMessage(), e);
            }
        };
    }
}
