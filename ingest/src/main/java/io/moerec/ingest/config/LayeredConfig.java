package io.moerec.ingest.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;

/**
 * The configuration layers shared by the entry points (the features job, {@code MOEREC_FEATURES_*};
 * the scoring app, {@code MOEREC_SCORING_*}), in rising precedence: a properties file, environment
 * variables named after the keys, explicit {@code -s key=value} settings. Defaults and validation
 * stay with each entry point's configuration class. No Flink and no Kafka here: both shaded jars take
 * this class.
 */
public final class LayeredConfig {

    private LayeredConfig() {
    }

    /**
     * The settings from, in rising precedence: a properties file (may be null), the environment
     * variables of {@code prefix} ({@link #fromEnvironment}) and {@code overrides}.
     */
    public static Map<String, String> load(Path propertiesFile, Map<String, String> environment, String prefix,
                                           Set<String> knownKeys, Map<String, String> overrides) throws IOException {
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
        m.putAll(fromEnvironment(environment, prefix, knownKeys));
        m.putAll(overrides);
        return m;
    }

    /**
     * The environment variable for a key: {@code prefix} and the key upper-cased with {@code .} and
     * {@code -} as {@code _}, e.g. {@code bootstrap.servers} with {@code MOEREC_FEATURES_} is
     * {@code MOEREC_FEATURES_BOOTSTRAP_SERVERS}.
     */
    public static String environmentVariable(String prefix, String key) {
        return prefix + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    /**
     * The settings given by the variables of {@code prefix} named as {@link #environmentVariable}. A
     * variable with the prefix that names none of {@code knownKeys} fails, naming the variable, so that
     * a typo does not silently leave a default in place; variables without the prefix are ignored.
     */
    public static Map<String, String> fromEnvironment(Map<String, String> environment, String prefix, Set<String> knownKeys) {
        Map<String, String> keyOfVariable = new LinkedHashMap<>();
        for (String key : knownKeys) {
            keyOfVariable.put(environmentVariable(prefix, key), key);
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
}
