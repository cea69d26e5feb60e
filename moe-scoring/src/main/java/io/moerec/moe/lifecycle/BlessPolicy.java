package io.moerec.moe.lifecycle;

import java.util.Locale;

/**
 * Decides whether a candidate may replace the serving model: with none serving, the candidate is the
 * bootstrap and is announced; otherwise both were scored on the same held-out interactions, and the
 * candidate is announced only if there were at least {@code minInteractions} of them and its NDCG@k
 * is at least the serving model's minus {@code epsilon}.
 */
public record BlessPolicy(double epsilon, int minInteractions) {

    /** The verdict and a sentence saying why, for the report and the log. */
    public record Decision(boolean announce, String reason) {
    }

    public BlessPolicy {
        if (!(epsilon >= 0) || Double.isInfinite(epsilon)) {
            throw new IllegalArgumentException("epsilon must be a finite number >= 0: " + epsilon);
        }
        if (minInteractions < 1) {
            throw new IllegalArgumentException("at least one held-out interaction is needed: " + minInteractions);
        }
    }

    /** @param serving the serving model's score on the same interactions, or null if none serves */
    public Decision decide(HoldoutScore candidate, HoldoutScore serving) {
        if (serving == null) {
            return new Decision(true, "bootstrap: no model is serving");
        }
        if (candidate.interactions() < minInteractions) {
            return new Decision(false, String.format(Locale.ROOT,
                    "too few held-out first interactions to compare: %d, at least %d needed", candidate.interactions(),
                    minInteractions));
        }
        double c = candidate.ndcg().mean();
        double s = serving.ndcg().mean();
        if (c >= s - epsilon) {
            return new Decision(true, String.format(Locale.ROOT, "NDCG@10 %.4f >= serving %.4f - epsilon %.4f", c, s, epsilon));
        }
        return new Decision(false, String.format(Locale.ROOT, "NDCG@10 %.4f < serving %.4f - epsilon %.4f", c, s, epsilon));
    }
}
