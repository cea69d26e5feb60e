package io.moerec.ingest.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * The key spec of one app: every key it reads, each declared once ({@link ConfigKey}: name, default,
 * one-line description, parser, secret flag), and the families of pass-through keys under a prefix
 * ({@code streams.*}, {@code kafka.*}) that the app hands to a library which validates them. From it
 * come the defaults, the environment variables, the validated configuration ({@link #parse},
 * {@link #load}: defaults &lt; properties file &lt; environment &lt; {@code -s key=value}) and the
 * reference table ({@link #markdown}). Immutable. No Kafka and no Flink here: both shaded jars take
 * this class.
 */
public final class ConfigSpec {

    /**
     * Keys under {@code prefix} passed through to a library, which validates them.
     *
     * @param prefix  e.g. {@code streams.}
     * @param doc     one line for the reference table
     * @param names   the names after the prefix that an environment variable may set (the library's
     *                known names); other names can still come from the file or {@code -s}
     * @param secret  whether a name (without the prefix) holds a secret value
     */
    public record Family(String prefix, String doc, Set<String> names, Predicate<String> secret) {
        public Family {
            ConfigValues.requireNonBlank("a family's prefix", prefix);
            Objects.requireNonNull(doc, prefix);
            names = Set.copyOf(names);
            Objects.requireNonNull(secret, prefix);
        }
    }

    private final String environmentPrefix;
    private final Map<String, ConfigKey<?>> keys;
    private final List<Family> families;

    private ConfigSpec(String environmentPrefix, Map<String, ConfigKey<?>> keys, List<Family> families) {
        this.environmentPrefix = environmentPrefix;
        this.keys = Collections.unmodifiableMap(new LinkedHashMap<>(keys));
        this.families = List.copyOf(families);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Builds a spec; a key or prefix declared twice fails. */
    public static final class Builder {
        private String environmentPrefix;
        private final Map<String, ConfigKey<?>> keys = new LinkedHashMap<>();
        private final List<Family> families = new ArrayList<>();

        private Builder() {
        }

        /** The prefix of the app's environment variables, e.g. {@code MOEREC_SCORING_}; none by default. */
        public Builder environmentPrefix(String prefix) {
            this.environmentPrefix = ConfigValues.requireNonBlank("the environment prefix", prefix);
            return this;
        }

        public Builder key(ConfigKey<?> key) {
            if (keys.putIfAbsent(key.name(), key) != null) {
                throw new IllegalArgumentException("key " + key.name() + " declared twice");
            }
            return this;
        }

        public <T> Builder key(String name, String defaultValue, ValueParser<T> parser, String doc) {
            return key(ConfigKey.of(name, defaultValue, parser, doc));
        }

        /** A key without a default: a value must be given ({@code parser} refuses blank). */
        public <T> Builder required(String name, ValueParser<T> parser, String doc) {
            return key(ConfigKey.of(name, "", parser, doc).showingDefault("(required)"));
        }

        public Builder family(String prefix, String doc, Set<String> names, Predicate<String> secret) {
            Family f = new Family(prefix, doc, names, secret);
            if (families.stream().anyMatch(g -> g.prefix().equals(prefix))) {
                throw new IllegalArgumentException("prefix " + prefix + " declared twice");
            }
            families.add(f);
            return this;
        }

        /** Every key and family of {@code other} (the spec of a component the app configures). */
        public Builder include(ConfigSpec other) {
            other.keys.values().forEach(this::key);
            other.families.forEach(f -> family(f.prefix(), f.doc(), f.names(), f.secret()));
            return this;
        }

        public ConfigSpec build() {
            return new ConfigSpec(environmentPrefix, keys, families);
        }
    }

    /** The declared keys, in declaration order. */
    public Map<String, ConfigKey<?>> keys() {
        return keys;
    }

    public List<Family> families() {
        return families;
    }

    /** The environment prefix, or null when the spec has none. */
    public String environmentPrefix() {
        return environmentPrefix;
    }

    /** Every declared key with its default, in declaration order. */
    public Map<String, String> defaults() {
        Map<String, String> m = new LinkedHashMap<>();
        keys.values().forEach(k -> m.put(k.name(), k.defaultValue()));
        return m;
    }

    /**
     * The keys an environment variable can set: the declared ones and, for each family, its prefix
     * and each of its names.
     */
    public Set<String> environmentKeys() {
        Set<String> out = new TreeSet<>(keys.keySet());
        for (Family f : families) {
            f.names().forEach(n -> out.add(f.prefix() + n));
        }
        return out;
    }

    /** The environment variable for a key ({@link LayeredConfig#environmentVariable}). */
    public String environmentVariable(String key) {
        return LayeredConfig.environmentVariable(requireEnvironmentPrefix(), key);
    }

    /**
     * The settings given by the variables of the environment prefix. A variable with the prefix that
     * names none of {@link #environmentKeys()} fails, naming the variable, so that a typo does not
     * silently leave a default in place; variables without the prefix are ignored.
     */
    public Map<String, String> fromEnvironment(Map<String, String> environment) {
        String prefix = requireEnvironmentPrefix();
        Map<String, String> keyOfVariable = new LinkedHashMap<>();
        for (String key : environmentKeys()) {
            keyOfVariable.put(LayeredConfig.environmentVariable(prefix, key), key);
        }
        Map<String, String> m = new TreeMap<>();
        for (Map.Entry<String, String> e : environment.entrySet()) {
            if (!e.getKey().startsWith(prefix)) {
                continue;
            }
            String key = keyOfVariable.get(e.getKey());
            if (key == null) {
                throw new IllegalArgumentException("unknown environment variable " + e.getKey() + "; known are "
                        + keyOfVariable.keySet());
            }
            m.put(key, e.getValue());
        }
        return m;
    }

    /**
     * The settings from, in rising precedence: a properties file (may be null), the environment
     * ({@link #fromEnvironment}) and {@code overrides} ({@code -s key=value}). Not yet validated.
     */
    public Map<String, String> layers(Path propertiesFile, Map<String, String> environment, Map<String, String> overrides)
            throws IOException {
        Map<String, String> m = new LinkedHashMap<>();
        if (propertiesFile != null) {
            Properties p = new Properties();
            try (Reader r = Files.newBufferedReader(propertiesFile, StandardCharsets.UTF_8)) {
                p.load(r);
            }
            for (String k : p.stringPropertyNames()) {
                m.put(k, p.getProperty(k));
            }
        }
        m.putAll(fromEnvironment(environment));
        m.putAll(overrides);
        return m;
    }

    /** {@link #parse} of {@link #layers}: the validated configuration from all four layers. */
    public LayeredConfig load(Path propertiesFile, Map<String, String> environment, Map<String, String> overrides)
            throws IOException {
        return parse(layers(propertiesFile, environment, overrides));
    }

    /**
     * The validated configuration: {@code settings} over the defaults, each declared key parsed by
     * its parser (in declaration order; the first bad value fails naming its key), family keys kept
     * as text. A key that is neither declared nor under a family's prefix fails naming it.
     */
    public LayeredConfig parse(Map<String, String> settings) {
        Map<String, String> text = defaults();
        Map<String, Map<String, String>> passed = new LinkedHashMap<>();
        families.forEach(f -> passed.put(f.prefix(), new TreeMap<>()));
        for (Map.Entry<String, String> e : settings.entrySet()) {
            String k = e.getKey();
            String v = e.getValue() == null ? "" : e.getValue().trim();
            if (keys.containsKey(k)) {
                text.put(k, v);
                continue;
            }
            Family f = familyOf(k);
            if (f == null) {
                throw new IllegalArgumentException("unknown configuration key " + k + "; known are " + keys.keySet()
                        + (families.isEmpty() ? "" : " and " + familyPatterns(families)));
            }
            passed.get(f.prefix()).put(k.substring(f.prefix().length()), v);
        }
        Map<String, Object> values = new LinkedHashMap<>();
        for (ConfigKey<?> key : keys.values()) {
            values.put(key.name(), key.parse(text.get(key.name())));
        }
        return new LayeredConfig(this, text, values, passed);
    }

    /** Whether a key's value (declared, or under a family's prefix) is secret. */
    public boolean isSecret(String key) {
        ConfigKey<?> k = keys.get(key);
        if (k != null) {
            return k.secret();
        }
        Family f = familyOf(key);
        return f != null && f.secret().test(key.substring(f.prefix().length()));
    }

    private Family familyOf(String key) {
        for (Family f : families) {
            if (key.startsWith(f.prefix())) {
                return f;
            }
        }
        return null;
    }

    private static String familyPatterns(Collection<Family> families) {
        List<String> out = new ArrayList<>();
        families.forEach(f -> out.add(f.prefix() + "*"));
        return String.join(", ", out) + " keys";
    }

    private String requireEnvironmentPrefix() {
        if (environmentPrefix == null) {
            throw new IllegalStateException("this key spec has no environment prefix");
        }
        return environmentPrefix;
    }

    /**
     * The reference page: {@code title}, a line on how keys are given (file, environment variable
     * rule, {@code -s}), then one table row per key (name, default, what its parser allows,
     * description; a secret's default is never shown) and per family.
     */
    public String markdown(String title) {
        StringBuilder sb = new StringBuilder("# ").append(title).append("\n\n");
        sb.append("Keys are read, each layer over the one before: the defaults below, a properties file (`--config`), ");
        if (environmentPrefix != null) {
            sb.append("environment variables `").append(environmentPrefix)
                    .append("<KEY>` (the key upper-cased, `.` and `-` as `_`), ");
        }
        sb.append("then `-s key=value`. A bad value or an unknown key stops start-up with a message naming it.\n\n");
        sb.append("| key | default | allowed | description |\n|---|---|---|---|\n");
        for (ConfigKey<?> k : keys.values()) {
            String shown = k.secret() ? "(secret)" : k.shownDefault().isEmpty() ? "(none)"
                    : k.shownDefault().startsWith("(") ? k.shownDefault() : "`" + k.shownDefault() + "`";
            sb.append("| `").append(k.name()).append("` | ").append(shown).append(" | ").append(k.parser().allowed())
                    .append(" | ").append(k.doc()).append(" |\n");
        }
        for (Family f : families) {
            sb.append("| `").append(f.prefix()).append("<name>` | (none) | | ").append(f.doc()).append(" |\n");
        }
        return sb.toString();
    }
}
