package io.moerec.ingest.config;

import java.util.Objects;

/**
 * One configuration key, declared once: its name, its default (as text, parsed like any given
 * value), a one-line description for the reference table, the parser that validates a value, and
 * whether the value is secret (then masked wherever the configuration is printed and never shown
 * as a default).
 *
 * @param name         the key, e.g. {@code top-n}
 * @param defaultValue the default as text; empty for a required key whose parser refuses blank
 * @param shownDefault the default as the reference table shows it (differs from {@code defaultValue}
 *                     when that depends on the machine, e.g. the temporary directory)
 * @param doc          one line: what the key sets
 * @param parser       parses and validates a value, naming the key when it fails
 * @param secret       whether the value is masked when printed
 * @param <T>          the value's type
 */
public record ConfigKey<T>(String name, String defaultValue, String shownDefault, String doc, ValueParser<T> parser,
                           boolean secret) {

    public ConfigKey {
        ConfigValues.requireNonBlank("a key's name", name);
        Objects.requireNonNull(defaultValue, name);
        Objects.requireNonNull(shownDefault, name);
        Objects.requireNonNull(parser, name);
        if (doc == null || doc.isBlank() || doc.contains("\n") || doc.contains("|")) {
            throw new IllegalArgumentException(name + ": the documentation must be one line without '|'");
        }
    }

    public static <T> ConfigKey<T> of(String name, String defaultValue, ValueParser<T> parser, String doc) {
        return new ConfigKey<>(name, defaultValue, defaultValue, doc, parser, false);
    }

    /** The same key whose default the reference table shows as {@code shown}. */
    public ConfigKey<T> showingDefault(String shown) {
        return new ConfigKey<>(name, defaultValue, shown, doc, parser, secret);
    }

    /** The same key with a secret value. */
    public ConfigKey<T> asSecret() {
        return new ConfigKey<>(name, defaultValue, shownDefault, doc, parser, true);
    }

    /** Parses and validates {@code value} (trimmed). */
    public T parse(String value) {
        return parser.parse(name, value == null ? "" : value.trim());
    }
}
