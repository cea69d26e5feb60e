package io.moerec.jobs.pipeline;

import io.moerec.features.flink.FeaturesJobConfig;
import io.moerec.moe.streams.ScoringConfig;
import java.util.Locale;
import java.util.Map;

/**
 * The pipeline's delivery guarantee as one choice for both jobs ({@code --delivery} of the demo and
 * the benchmark): the features job's {@value FeaturesJobConfig#SINK_DELIVERY_GUARANTEE} and the
 * scoring app's {@value ScoringConfig#PROCESSING_GUARANTEE}. At least once trades duplicates after a
 * crash for latency: nothing waits for a checkpoint or a transaction commit.
 */
public enum Delivery {
    EXACTLY_ONCE(FeaturesJobConfig.EXACTLY_ONCE, "exactly_once_v2"),
    AT_LEAST_ONCE(FeaturesJobConfig.AT_LEAST_ONCE, "at_least_once");

    /**
     * The scoring app's offset commit interval at least once: Kafka Streams' default (30 s) would bound
     * the rescoring after a crash only at 30 s of updates, and keep the group's lag, which the drain
     * waits for, up to 30 s behind.
     */
    static final String AT_LEAST_ONCE_COMMIT_INTERVAL_MS = "1000";

    private final String featuresValue;
    private final String scoringValue;

    Delivery(String featuresValue, String scoringValue) {
        this.featuresValue = featuresValue;
        this.scoringValue = scoringValue;
    }

    /** Its name on the command line: {@code exactly-once} or {@code at-least-once}. */
    public String optionName() {
        return featuresValue;
    }

    /** {@code exactly-once} or {@code at-least-once} (case and {@code _} for {@code -} ignored). */
    public static Delivery parse(String value) {
        String v = value.trim().toLowerCase(Locale.ROOT).replace('_', '-');
        for (Delivery d : values()) {
            if (d.featuresValue.equals(v)) {
                return d;
            }
        }
        throw new IllegalArgumentException("must be exactly-once or at-least-once, got '" + value + "'");
    }

    /** The features job's settings for this guarantee. */
    public Map<String, String> featuresSettings() {
        return Map.of(FeaturesJobConfig.SINK_DELIVERY_GUARANTEE, featuresValue);
    }

    /** The scoring app's settings for this guarantee. */
    public Map<String, String> scoringSettings() {
        return this == EXACTLY_ONCE ? Map.of(ScoringConfig.PROCESSING_GUARANTEE, scoringValue)
                : Map.of(ScoringConfig.PROCESSING_GUARANTEE, scoringValue,
                        ScoringConfig.STREAMS_PREFIX + "commit.interval.ms", AT_LEAST_ONCE_COMMIT_INTERVAL_MS);
    }
}
