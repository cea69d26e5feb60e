package io.moerec.features;

import static io.moerec.ingest.config.ConfigValues.parseDouble;
import static io.moerec.ingest.config.ConfigValues.parseInt;
import static io.moerec.ingest.config.ConfigValues.parseLong;

import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The parameters of the preference feature logic, immutable and validated when built: a bad value
 * fails at start-up with the configuration key's name in the message. Defaults live in
 * {@link #defaults()} and nowhere else; {@link #fromMap(Map)} reads the {@code features.*} keys
 * listed in {@link #toMap()} and rejects unknown ones so that a typo is not silently ignored.
 * Serializable because the Flink operator carries it to the task managers.
 *
 * @param halfLifeMs          half-life of the exponential decay of affinity and activity, in event-time ms
 * @param recentWatchesSize   bound of the recent-watch list
 * @param allowedLatenessMs   an event older than the user's latest applied event time minus this is late
 * @param stateTtlMs          a user idle for this long (event time) starts again from an empty state
 * @param completeWeight      engagement of a COMPLETE
 * @param progressFullWeight  engagement of a PROGRESS at 100% watched (PLAY weight at 0%, linear between)
 * @param playWeight          engagement of a PLAY
 * @param skipWeight          engagement of a SKIP (negative)
 * @param ratePerStarWeight   engagement per star of a rating above (or below) the user's mean rating
 * @param ratingPriorMean     the mean rating assumed before a user has rated anything
 * @param ratingPriorWeight   how many pseudo-ratings at the prior mean shrink a user's mean
 */
public record FeatureConfig(
        long halfLifeMs,
        int recentWatchesSize,
        long allowedLatenessMs,
        long stateTtlMs,
        double completeWeight,
        double progressFullWeight,
        double playWeight,
        double skipWeight,
        double ratePerStarWeight,
        double ratingPriorMean,
        double ratingPriorWeight) implements Serializable {

    private static final long serialVersionUID = 1L;

    public static final String HALF_LIFE_MS = "features.half-life-ms";
    public static final String RECENT_WATCHES_SIZE = "features.recent-watches-size";
    public static final String ALLOWED_LATENESS_MS = "features.allowed-lateness-ms";
    public static final String STATE_TTL_MS = "features.state-ttl-ms";
    public static final String WEIGHT_COMPLETE = "features.weight.complete";
    public static final String WEIGHT_PROGRESS_FULL = "features.weight.progress-full";
    public static final String WEIGHT_PLAY = "features.weight.play";
    public static final String WEIGHT_SKIP = "features.weight.skip";
    public static final String WEIGHT_RATE_PER_STAR = "features.weight.rate-per-star";
    public static final String RATING_PRIOR_MEAN = "features.rating.prior-mean";
    public static final String RATING_PRIOR_WEIGHT = "features.rating.prior-weight";

    private static final long DAY_MS = 24L * 3600 * 1000;
    /** Recent-watch lists longer than this would make state per user unbounded in practice. */
    public static final int MAX_RECENT_WATCHES_SIZE = 10_000;

    public FeatureConfig {
        positive(HALF_LIFE_MS, halfLifeMs);
        if (recentWatchesSize < 1 || recentWatchesSize > MAX_RECENT_WATCHES_SIZE) {
            throw new IllegalArgumentException(RECENT_WATCHES_SIZE + " must be in [1, " + MAX_RECENT_WATCHES_SIZE
                    + "], got " + recentWatchesSize);
        }
        if (allowedLatenessMs < 0) {
            throw new IllegalArgumentException(ALLOWED_LATENESS_MS + " must not be negative, got " + allowedLatenessMs);
        }
        positive(STATE_TTL_MS, stateTtlMs);
        finite(WEIGHT_COMPLETE, completeWeight);
        finite(WEIGHT_PROGRESS_FULL, progressFullWeight);
        finite(WEIGHT_PLAY, playWeight);
        finite(WEIGHT_SKIP, skipWeight);
        finite(WEIGHT_RATE_PER_STAR, ratePerStarWeight);
        finite(RATING_PRIOR_MEAN, ratingPriorMean);
        finite(RATING_PRIOR_WEIGHT, ratingPriorWeight);
        // The ordering is the meaning of the weights: a looser order would silently invert signals.
        if (!(completeWeight >= progressFullWeight)) {
            throw new IllegalArgumentException(WEIGHT_COMPLETE + " (" + completeWeight + ") must be >= "
                    + WEIGHT_PROGRESS_FULL + " (" + progressFullWeight + ")");
        }
        if (!(progressFullWeight >= playWeight)) {
            throw new IllegalArgumentException(WEIGHT_PROGRESS_FULL + " (" + progressFullWeight + ") must be >= "
                    + WEIGHT_PLAY + " (" + playWeight + ")");
        }
        if (!(playWeight > 0)) {
            throw new IllegalArgumentException(WEIGHT_PLAY + " must be positive, got " + playWeight);
        }
        if (!(skipWeight < 0)) {
            throw new IllegalArgumentException(WEIGHT_SKIP + " must be negative, got " + skipWeight);
        }
        if (!(ratePerStarWeight >= 0)) {
            throw new IllegalArgumentException(WEIGHT_RATE_PER_STAR + " must not be negative, got " + ratePerStarWeight);
        }
        if (ratingPriorMean < 0.5 || ratingPriorMean > 5.0) {
            throw new IllegalArgumentException(RATING_PRIOR_MEAN + " must be in [0.5, 5], got " + ratingPriorMean);
        }
        if (ratingPriorWeight < 0) {
            throw new IllegalArgumentException(RATING_PRIOR_WEIGHT + " must not be negative, got " + ratingPriorWeight);
        }
    }

    /** The documented defaults: 30-day half-life, 50 recent watches, 1 h lateness, 180-day TTL. */
    public static FeatureConfig defaults() {
        return new FeatureConfig(30 * DAY_MS, 50, 3_600_000L, 180 * DAY_MS,
                1.0, 0.8, 0.2, -0.5, 0.5, 3.0, 1.0);
    }

    /**
     * Reads {@code features.*} keys over the defaults. Keys outside the {@code features.} prefix are
     * ignored (they belong to other components); unknown keys inside it are rejected.
     */
    public static FeatureConfig fromMap(Map<String, String> settings) {
        Map<String, String> values = defaults().toMap();
        for (Map.Entry<String, String> e : settings.entrySet()) {
            if (!e.getKey().startsWith("features.")) {
                continue;
            }
            if (!values.containsKey(e.getKey())) {
                throw new IllegalArgumentException("unknown configuration key " + e.getKey() + "; known are " + values.keySet());
            }
            values.put(e.getKey(), Objects.requireNonNull(e.getValue(), e.getKey()).trim());
        }
        return new FeatureConfig(
                parseLong(values, HALF_LIFE_MS),
                parseInt(values, RECENT_WATCHES_SIZE),
                parseLong(values, ALLOWED_LATENESS_MS),
                parseLong(values, STATE_TTL_MS),
                parseDouble(values, WEIGHT_COMPLETE),
                parseDouble(values, WEIGHT_PROGRESS_FULL),
                parseDouble(values, WEIGHT_PLAY),
                parseDouble(values, WEIGHT_SKIP),
                parseDouble(values, WEIGHT_RATE_PER_STAR),
                parseDouble(values, RATING_PRIOR_MEAN),
                parseDouble(values, RATING_PRIOR_WEIGHT));
    }

    /** Every key with its value, in a stable order; {@code fromMap(c.toMap()).equals(c)}. */
    public Map<String, String> toMap() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(HALF_LIFE_MS, Long.toString(halfLifeMs));
        m.put(RECENT_WATCHES_SIZE, Integer.toString(recentWatchesSize));
        m.put(ALLOWED_LATENESS_MS, Long.toString(allowedLatenessMs));
        m.put(STATE_TTL_MS, Long.toString(stateTtlMs));
        m.put(WEIGHT_COMPLETE, Double.toString(completeWeight));
        m.put(WEIGHT_PROGRESS_FULL, Double.toString(progressFullWeight));
        m.put(WEIGHT_PLAY, Double.toString(playWeight));
        m.put(WEIGHT_SKIP, Double.toString(skipWeight));
        m.put(WEIGHT_RATE_PER_STAR, Double.toString(ratePerStarWeight));
        m.put(RATING_PRIOR_MEAN, Double.toString(ratingPriorMean));
        m.put(RATING_PRIOR_WEIGHT, Double.toString(ratingPriorWeight));
        return m;
    }

    public FeatureConfig withHalfLifeMs(long v) {
        return new FeatureConfig(v, recentWatchesSize, allowedLatenessMs, stateTtlMs, completeWeight,
                progressFullWeight, playWeight, skipWeight, ratePerStarWeight, ratingPriorMean, ratingPriorWeight);
    }

    public FeatureConfig withRecentWatchesSize(int v) {
        return new FeatureConfig(halfLifeMs, v, allowedLatenessMs, stateTtlMs, completeWeight,
                progressFullWeight, playWeight, skipWeight, ratePerStarWeight, ratingPriorMean, ratingPriorWeight);
    }

    public FeatureConfig withAllowedLatenessMs(long v) {
        return new FeatureConfig(halfLifeMs, recentWatchesSize, v, stateTtlMs, completeWeight,
                progressFullWeight, playWeight, skipWeight, ratePerStarWeight, ratingPriorMean, ratingPriorWeight);
    }

    public FeatureConfig withStateTtlMs(long v) {
        return new FeatureConfig(halfLifeMs, recentWatchesSize, allowedLatenessMs, v, completeWeight,
                progressFullWeight, playWeight, skipWeight, ratePerStarWeight, ratingPriorMean, ratingPriorWeight);
    }

    private static void positive(String key, long v) {
        if (v <= 0) {
            throw new IllegalArgumentException(key + " must be positive, got " + v);
        }
    }

    private static void finite(String key, double v) {
        if (!Double.isFinite(v)) {
            throw new IllegalArgumentException(key + " must be a finite number, got " + v);
        }
    }
}
