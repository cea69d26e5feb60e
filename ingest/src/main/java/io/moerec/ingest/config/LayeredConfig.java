package io.moerec.ingest.config;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;
import java.util.TreeMap;

/**
 * An app's validated configuration, built by its {@link ConfigSpec} from four layers in rising
 * precedence: the defaults, a properties file, environment variables named after the keys
 * ({@link #environmentVariable}), explicit {@code -s key=value} settings. Holds each declared key's
 * parsed value ({@link #get}) and the pass-through keys of each family as text ({@link #family}).
 * Immutable; {@link #toString()} masks secret values, so it is safe to log.
 */
public final class LayeredConfig {

    /** What a secret value is printed as. */
    public static final String MASK = "[hidden]";

    private final ConfigSpec spec;
    private final Map<String, String> text;
    private final Map<String, Object> values;
    private final Map<String, Map<String, String>> families;

    LayeredConfig(ConfigSpec spec, Map<String, String> text, Map<String, Object> values,
                  Map<String, Map<String, String>> families) {
        this.spec = spec;
        this.text = Collections.unmodifiableMap(new LinkedHashMap<>(text));
        this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values)); // may hold null: an unset optional key
        Map<String, Map<String, String>> f = new LinkedHashMap<>();
        families.forEach((prefix, m) -> f.put(prefix, Collections.unmodifiableMap(new TreeMap<>(m))));
        this.families = Collections.unmodifiableMap(f);
    }

    /**
     * The environment variable for a key: {@code prefix} and the key upper-cased with {@code .} and
     * {@code -} as {@code _}, e.g. {@code bootstrap.servers} with {@code MOEREC_FEATURES_} is
     * {@code MOEREC_FEATURES_BOOTSTRAP_SERVERS}.
     */
    public static String environmentVariable(String prefix, String key) {
        return prefix + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    public ConfigSpec spec() {
        return spec;
    }

    /** The parsed value of a declared key (null for an optional key left unset). */
    public <T> T get(String key, Class<T> type) {
        if (!values.containsKey(key)) {
            throw new IllegalArgumentException("not a declared key: " + key);
        }
        return type.cast(values.get(key));
    }

    /** A declared key's value as text (trimmed; the default when not given). */
    public String text(String key) {
        String v = text.get(key);
        if (v == null) {
            throw new IllegalArgumentException("not a declared key: " + key);
        }
        return v;
    }

    /** The keys given under a family's prefix, without the prefix, in name order. */
    public Map<String, String> family(String prefix) {
        Map<String, String> m = families.get(prefix);
        if (m == null) {
            throw new IllegalArgumentException("not a declared prefix: " + prefix);
        }
        return m;
    }

    /** Every key with its value as text, the family keys with their prefix: unmasked, not for logs. */
    public Map<String, String> toMap() {
        Map<String, String> m = new LinkedHashMap<>(text);
        families.forEach((prefix, f) -> f.forEach((k, v) -> m.put(prefix + k, v)));
        return m;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LayeredConfig c && c.spec == spec && c.toMap().equals(toMap());
    }

    @Override
    public int hashCode() {
        return toMap().hashCode();
    }

    /** {@code {key=value, ...}} with secret values as {@value #MASK}. */
    @Override
    public String toString() {
        StringJoiner j = new StringJoiner(", ", "[", "]");
        toMap().forEach((k, v) -> j.add(k + "=" + (spec.isSecret(k) ? MASK : v)));
        return j.toString();
    }
}
