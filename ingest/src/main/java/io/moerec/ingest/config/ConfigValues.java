package io.moerec.ingest.config;

import java.util.Map;

/**
 * The one implementation of each small configuration check, shared by every configuration class of
 * the project (key specs through {@link ValueParser}, records' constructors directly), so that a bad
 * value always fails the same way: an {@link IllegalArgumentException} whose message starts with the
 * key and shows the value. Surrounding whitespace is ignored (values from properties files and
 * environment variables often carry some).
 */
public final class ConfigValues {

    private ConfigValues() {
    }

    public static int parseInt(String key, String value) {
        try {
            return Integer.parseInt(value == null ? null : value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " must be an integer, got '" + value + "'", e);
        }
    }

    public static long parseLong(String key, String value) {
        try {
            return Long.parseLong(value == null ? null : value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " must be an integer, got '" + value + "'", e);
        }
    }

    public static double parseDouble(String key, String value) {
        try {
            if (value == null) {
                throw new NumberFormatException("null");
            }
            return Double.parseDouble(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " must be a number, got '" + value + "'", e);
        }
    }

    /** {@code true} or {@code false}, in any case. */
    public static boolean parseBoolean(String key, String value) {
        String t = value == null ? "" : value.trim();
        if (!t.equalsIgnoreCase("true") && !t.equalsIgnoreCase("false")) {
            throw new IllegalArgumentException(key + " must be true or false, got '" + value + "'");
        }
        return t.equalsIgnoreCase("true");
    }

    public static int parseInt(Map<String, String> values, String key) {
        return parseInt(key, values.get(key));
    }

    public static long parseLong(Map<String, String> values, String key) {
        return parseLong(key, values.get(key));
    }

    public static double parseDouble(Map<String, String> values, String key) {
        return parseDouble(key, values.get(key));
    }

    public static boolean parseBoolean(Map<String, String> values, String key) {
        return parseBoolean(key, values.get(key));
    }

    /** The value if it is not blank; otherwise fails with "{@code key} is required". */
    public static String requireNonBlank(String key, String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(key + " is required");
        }
        return value;
    }

    /** The value if it is in [min, max]; otherwise fails with "{@code key} must be in [min, max], got v". */
    public static long requireInRange(String key, long value, long min, long max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(key + " must be in [" + min + ", " + max + "], got " + value);
        }
        return value;
    }

    /** As {@link #requireInRange(String, long, long, long)}; NaN is out of every range. */
    public static double requireInRange(String key, double value, double min, double max) {
        if (!(value >= min && value <= max)) {
            throw new IllegalArgumentException(key + " must be in [" + min + ", " + max + "], got " + value);
        }
        return value;
    }

    public static long requirePositive(String key, long value) {
        if (value <= 0) {
            throw new IllegalArgumentException(key + " must be positive, got " + value);
        }
        return value;
    }

    public static long requireNonNegative(String key, long value) {
        if (value < 0) {
            throw new IllegalArgumentException(key + " must not be negative, got " + value);
        }
        return value;
    }

    /** As {@link #requireNonNegative(String, long)}; NaN fails too. */
    public static double requireNonNegative(String key, double value) {
        if (!(value >= 0)) {
            throw new IllegalArgumentException(key + " must not be negative, got " + value);
        }
        return value;
    }

    public static long requireAtLeast(String key, long value, long min) {
        if (value < min) {
            throw new IllegalArgumentException(key + " must be at least " + min + ", got " + value);
        }
        return value;
    }

    public static double requireFinite(String key, double value) {
        if (!Double.isFinite(value)) {
            throw new IllegalArgumentException(key + " must be a finite number, got " + value);
        }
        return value;
    }

    /** Fails with "{@code key} {@code rule}, got v" unless {@code ok}: for a rule the checks above do not cover. */
    public static void require(boolean ok, String key, String rule, Object value) {
        if (!ok) {
            throw new IllegalArgumentException(key + " " + rule + ", got " + value);
        }
    }
}
