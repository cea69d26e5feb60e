package io.moerec.ingest.config;

import java.util.Map;

/**
 * Typed reads of configuration values from a key-value map, shared by every configuration class of
 * the project, so that a bad value always fails the same way: an {@link IllegalArgumentException}
 * whose message starts with the key and quotes the value. Surrounding whitespace is ignored (values
 * from properties files and environment variables often carry some).
 */
public final class ConfigValues {

    private ConfigValues() {
    }

    public static int parseInt(Map<String, String> values, String key) {
        String s = values.get(key);
        try {
            return Integer.parseInt(s == null ? null : s.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " must be an integer, got '" + s + "'", e);
        }
    }

    public static long parseLong(Map<String, String> values, String key) {
        String s = values.get(key);
        try {
            return Long.parseLong(s == null ? null : s.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " must be an integer, got '" + s + "'", e);
        }
    }

    public static double parseDouble(Map<String, String> values, String key) {
        String s = values.get(key);
        try {
            if (s == null) {
                throw new NumberFormatException("null");
            }
            return Double.parseDouble(s.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " must be a number, got '" + s + "'", e);
        }
    }

    /** {@code true} or {@code false}, in any case. */
    public static boolean parseBoolean(Map<String, String> values, String key) {
        String s = values.get(key);
        String t = s == null ? "" : s.trim();
        if (!t.equalsIgnoreCase("true") && !t.equalsIgnoreCase("false")) {
            throw new IllegalArgumentException(key + " must be true or false, got '" + s + "'");
        }
        return t.equalsIgnoreCase("true");
    }
}
