package io.moerec.ingest.generate;

import static io.moerec.ingest.config.ConfigValues.requireInRange;

import io.moerec.ingest.domain.Genre;
import io.moerec.ingest.json.EventRules;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The settings of {@link SyntheticDataGenerator}, immutable and validated when built: a bad value
 * throws {@link IllegalArgumentException} naming the field and its allowed range. The defaults, in
 * one place (the {@code DEFAULT_*} constants), make a small data set that runs in a second: seed 42,
 * 1,000 users, 2,000 movies, 100,000 events, 6 taste clusters, start 2024-01-01T00:00:00Z, a 30-day
 * span, Zipf exponent 1.0, 80 % of picks from the cluster's planted genres, 3 movies a session on
 * average. Two configs with equal fields generate the same bytes.
 */
public final class GeneratorConfig {

    public static final long DEFAULT_SEED = 42;
    public static final int DEFAULT_USERS = 1_000;
    public static final int DEFAULT_MOVIES = 2_000;
    public static final long DEFAULT_TARGET_EVENTS = 100_000;
    public static final int DEFAULT_TASTE_CLUSTERS = 6;
    public static final Instant DEFAULT_START = Instant.parse("2024-01-01T00:00:00Z");
    public static final int DEFAULT_SPAN_DAYS = 30;
    public static final double DEFAULT_ZIPF_EXPONENT = 1.0;
    public static final double DEFAULT_ON_TASTE_SHARE = 0.8;
    public static final double DEFAULT_MEAN_MOVIES_PER_SESSION = 3.0;

    public static final int MAX_USERS = 10_000_000;
    public static final int MAX_MOVIES = 1_000_000;
    public static final long MAX_TARGET_EVENTS = 2_000_000_000L;
    public static final int MAX_TASTE_CLUSTERS = 64;
    public static final int MAX_SPAN_DAYS = 3_650;

    private final long seed;
    private final int users;
    private final int movies;
    private final long targetEvents;
    private final int tasteClusters;
    private final Instant start;
    private final int spanDays;
    private final double zipfExponent;
    private final double onTasteShare;
    private final double meanMoviesPerSession;

    private GeneratorConfig(Builder b) {
        this.seed = b.seed;
        this.users = checkInt("users", b.users, 1, MAX_USERS);
        this.movies = checkInt("movies", b.movies, Genre.COUNT, MAX_MOVIES);
        this.targetEvents = requireInRange("targetEvents", b.targetEvents, 1, MAX_TARGET_EVENTS);
        this.tasteClusters = checkInt("tasteClusters", b.tasteClusters, 1, MAX_TASTE_CLUSTERS);
        if (tasteClusters > users) {
            throw new IllegalArgumentException("tasteClusters must not exceed users (" + users + "), got " + tasteClusters
                    + ": every cluster gets at least one user");
        }
        this.spanDays = checkInt("spanDays", b.spanDays, 1, MAX_SPAN_DAYS);
        if (b.start == null) {
            throw new IllegalArgumentException("start must be set");
        }
        // Room for the span twice over: the span is a calibration target that a dense config can overrun.
        long startMs = b.start.toEpochMilli();
        long lastAllowed = EventRules.MAX_EVENT_TIME_MS - 2L * spanDays * 86_400_000L;
        if (startMs < EventRules.MIN_EVENT_TIME_MS || startMs >= lastAllowed) {
            throw new IllegalArgumentException("start must be between " + Instant.ofEpochMilli(EventRules.MIN_EVENT_TIME_MS)
                    + " and " + Instant.ofEpochMilli(lastAllowed) + " (twice spanDays before 2100), got " + b.start);
        }
        this.start = b.start;
        this.zipfExponent = requireInRange("zipfExponent", b.zipfExponent, 0.0, 3.0);
        this.onTasteShare = requireInRange("onTasteShare", b.onTasteShare, 0.0, 1.0);
        this.meanMoviesPerSession = requireInRange("meanMoviesPerSession", b.meanMoviesPerSession, 1.0, 50.0);
    }

    private static int checkInt(String field, int v, int min, int max) {
        return (int) requireInRange(field, v, min, max);
    }

    public static GeneratorConfig defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this config's values, to derive a variant. */
    public Builder toBuilder() {
        return new Builder().seed(seed).users(users).movies(movies).targetEvents(targetEvents)
                .tasteClusters(tasteClusters).start(start).spanDays(spanDays).zipfExponent(zipfExponent)
                .onTasteShare(onTasteShare).meanMoviesPerSession(meanMoviesPerSession);
    }

    /** Seed of every random draw. */
    public long seed() {
        return seed;
    }

    /** Number of users, ids {@code u1} to {@code u<users>}. */
    public int users() {
        return users;
    }

    /** Catalog size, movie ids 1 to {@code movies}; at least one per genre. */
    public int movies() {
        return movies;
    }

    /** Exactly this many events are written. */
    public long targetEvents() {
        return targetEvents;
    }

    /** Number of taste clusters; each prefers 2 or 3 planted genres. */
    public int tasteClusters() {
        return tasteClusters;
    }

    /** Event time of the earliest possible event. */
    public Instant start() {
        return start;
    }

    /** The span over which activity rates are calibrated to spread the events. */
    public int spanDays() {
        return spanDays;
    }

    /** Popularity of the movie of rank r is proportional to 1 / (r + 1)^exponent; 0 = uniform. */
    public double zipfExponent() {
        return zipfExponent;
    }

    /** Probability that a pick is drawn from the user's cluster's planted genres rather than the whole catalog. */
    public double onTasteShare() {
        return onTasteShare;
    }

    /** Mean number of movies a session starts (geometrically distributed, at least one). */
    public double meanMoviesPerSession() {
        return meanMoviesPerSession;
    }

    /** The fields in a fixed order, as written to the manifest. */
    public Map<String, Object> asMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("seed", seed);
        m.put("users", users);
        m.put("movies", movies);
        m.put("targetEvents", targetEvents);
        m.put("tasteClusters", tasteClusters);
        m.put("start", start.toString());
        m.put("spanDays", spanDays);
        m.put("zipfExponent", zipfExponent);
        m.put("onTasteShare", onTasteShare);
        m.put("meanMoviesPerSession", meanMoviesPerSession);
        return m;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GeneratorConfig c && asMap().equals(c.asMap());
    }

    @Override
    public int hashCode() {
        return asMap().hashCode();
    }

    @Override
    public String toString() {
        return "GeneratorConfig" + asMap();
    }

    /** Mutable builder; {@link #build()} validates. Starts from the defaults. */
    public static final class Builder {
        private long seed = DEFAULT_SEED;
        private int users = DEFAULT_USERS;
        private int movies = DEFAULT_MOVIES;
        private long targetEvents = DEFAULT_TARGET_EVENTS;
        private int tasteClusters = DEFAULT_TASTE_CLUSTERS;
        private Instant start = DEFAULT_START;
        private int spanDays = DEFAULT_SPAN_DAYS;
        private double zipfExponent = DEFAULT_ZIPF_EXPONENT;
        private double onTasteShare = DEFAULT_ON_TASTE_SHARE;
        private double meanMoviesPerSession = DEFAULT_MEAN_MOVIES_PER_SESSION;

        private Builder() {
        }

        public Builder seed(long v) {
            seed = v;
            return this;
        }

        public Builder users(int v) {
            users = v;
            return this;
        }

        public Builder movies(int v) {
            movies = v;
            return this;
        }

        public Builder targetEvents(long v) {
            targetEvents = v;
            return this;
        }

        public Builder tasteClusters(int v) {
            tasteClusters = v;
            return this;
        }

        public Builder start(Instant v) {
            start = v;
            return this;
        }

        public Builder spanDays(int v) {
            spanDays = v;
            return this;
        }

        public Builder zipfExponent(double v) {
            zipfExponent = v;
            return this;
        }

        public Builder onTasteShare(double v) {
            onTasteShare = v;
            return this;
        }

        public Builder meanMoviesPerSession(double v) {
            meanMoviesPerSession = v;
            return this;
        }

        public GeneratorConfig build() {
            return new GeneratorConfig(this);
        }
    }
}
