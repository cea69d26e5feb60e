package io.moerec.features;

import static io.moerec.ingest.config.ConfigValues.requireFinite;
import static io.moerec.ingest.config.ConfigValues.requireInRange;
import static io.moerec.ingest.config.ConfigValues.requireNonNegative;
import static io.moerec.ingest.config.ConfigValues.requirePositive;
import static io.moerec.ingest.config.ValueParser.doubleIn;
import static io.moerec.ingest.config.ValueParser.finite;
import static io.moerec.ingest.config.ValueParser.intIn;
import static io.moerec.ingest.config.ValueParser.nonNegativeMillis;
import static io.moerec.ingest.config.ValueParser.nonNegativeNumber;
import static io.moerec.ingest.config.ValueParser.positiveMillis;

import io.moerec.ingest.config.ConfigSpec;
import io.moerec.ingest.config.LayeredConfig;
import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The parameters of the preference feature logic, immutable and validated when built: a bad value
 * fails at start-up with the configuration key's name in the message. Keys, defaults and their
 * descriptions live in {@link #SPEC} and nowhere else (the constructor checks the same ranges with
 * the same shared checks, for records built in code, and the order of the weights);
 * {@link #fromMap(Map)} reads the {@code features.*} keys and
 * rejects unknown ones so that a typo is not silently ignored.
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

    /** Every {@code features.*} key, declared once: name, default, description, type. */
    public static final ConfigSpec SPEC = ConfigSpec.builder()
            .key(HALF_LIFE_MS, Long.toString(30 * DAY_MS), positiveMillis(),
                    "half-life of the decay of affinity and activity, event-time ms (default 30 d)")
            .key(RECENT_WATCHES_SIZE, "50", intIn(1, MAX_RECENT_WATCHES_SIZE), "bound of the recent-watch list")
            .key(ALLOWED_LATENESS_MS, "3600000", nonNegativeMillis(),
                    "an event older than the user's latest applied event time minus this is late (default 1 h)")
            .key(STATE_TTL_MS, Long.toString(180 * DAY_MS), positiveMillis(),
                    "a user idle for this long (event time) starts again from an empty state (default 180 d)")
            .key(WEIGHT_COMPLETE, "1.0", finite(), "engagement of a COMPLETE; at least the progress-full weight")
            .key(WEIGHT_PROGRESS_FULL, "0.8", finite(),
                    "engagement of a PROGRESS at 100 % watched (the PLAY weight at 0 %, linear between)")
            .key(WEIGHT_PLAY, "0.2", finite(), "engagement of a PLAY; more than 0, at most the progress-full weight")
            .key(WEIGHT_SKIP, "-0.5", finite(), "engagement of a SKIP; less than 0")
            .key(WEIGHT_RATE_PER_STAR, "0.5", nonNegativeNumber(), "engagement per star of a rating above (or below) the user's mean rating")
            .key(RATING_PRIOR_MEAN, "3.0", doubleIn(0.5, 5.0), "the mean rating assumed before a user has rated anything")
            .key(RATING_PRIOR_WEIGHT, "1.0", nonNegativeNumber(), "pseudo-ratings at the prior mean that shrink a user's mean")
            .build();

    public FeatureConfig {
        requirePositive(HALF_LIFE_MS, halfLifeMs);
        requireInRange(RECENT_WATCHES_SIZE, recentWatchesSize, 1, MAX_RECENT_WATCHES_SIZE);
        requireNonNegative(ALLOWED_LATENESS_MS, allowedLatenessMs);
        requirePositive(STATE_TTL_MS, stateTtlMs);
        requireFinite(WEIGHT_COMPLETE, completeWeight);
        requireFinite(WEIGHT_PROGRESS_FULL, progressFullWeight);
        requireFinite(WEIGHT_PLAY, playWeight);
        requireFinite(WEIGHT_SKIP, skipWeight);
        requireFinite(WEIGHT_RATE_PER_STAR, ratePerStarWeight);
        requireFinite(RATING_PRIOR_MEAN, ratingPriorMean);
        requireFinite(RATING_PRIOR_WEIGHT, ratingPriorWeight);
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
        requireNonNegative(WEIGHT_RATE_PER_STAR, ratePerStarWeight);
        requireInRange(RATING_PRIOR_MEAN, ratingPriorMean, 0.5, 5.0);
        requireNonNegative(RATING_PRIOR_WEIGHT, ratingPriorWeight);
    }

    /** The defaults of {@link #SPEC}: 30-day half-life, 50 recent watches, 1 h lateness, 180-day TTL. */
    public static FeatureConfig defaults() {
        return fromMap(Map.of());
    }

    /**
     * Reads {@code features.*} keys over the defaults. Keys outside the {@code features.} prefix are
     * ignored (they belong to other components); unknown keys inside it are rejected.
     */
    public static FeatureConfig fromMap(Map<String, String> settings) {
        return from(SPEC.parse(settings.entrySet().stream().filter(e -> e.getKey().startsWith("features."))
                .collect(Collectors.toMap(Map.Entry::getKey, e -> String.valueOf(e.getValue())))));
    }

    /** The parameters from a configuration whose spec includes {@link #SPEC}. */
    public static FeatureConfig from(LayeredConfig c) {
        return new FeatureConfig(
                c.get(HALF_LIFE_MS, Long.class),
                c.get(RECENT_WATCHES_SIZE, Integer.class),
                c.get(ALLOWED_LATENESS_MS, Long.class),
                c.get(STATE_TTL_MS, Long.class),
                c.get(WEIGHT_COMPLETE, Double.class),
                c.get(WEIGHT_PROGRESS_FULL, Double.class),
                c.get(WEIGHT_PLAY, Double.class),
                c.get(WEIGHT_SKIP, Double.class),
                c.get(WEIGHT_RATE_PER_STAR, Double.class),
                c.get(RATING_PRIOR_MEAN, Double.class),
                c.get(RATING_PRIOR_WEIGHT, Double.class));
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
}
