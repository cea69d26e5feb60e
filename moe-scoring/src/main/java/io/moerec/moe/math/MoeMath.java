package io.moerec.moe.math;

/**
 * Small numeric kernels shared by the compiled models, the routers and the scorer: a numerically
 * stable softmax and sigmoid, top-k selection over a short array, and renormalisation. All methods are
 * pure and write only into arrays the caller passes, so they allocate nothing on the hot path.
 */
public final class MoeMath {

    private MoeMath() {
    }

    /** The logistic function, written so that large |x| neither overflows nor loses the small tail. */
    public static double sigmoid(double x) {
        if (x >= 0) {
            return 1.0 / (1.0 + Math.exp(-x));
        }
        double e = Math.exp(x);
        return e / (1.0 + e);
    }

    /**
     * Softmax of {@code logits} into {@code out} (may be the same array). Entries equal to
     * {@link Double#NEGATIVE_INFINITY} get probability zero; subtracting the maximum keeps exp finite.
     */
    public static void softmax(double[] logits, double[] out) {
        double max = Double.NEGATIVE_INFINITY;
        for (double l : logits) {
            if (l > max) {
                max = l;
            }
        }
        double sum = 0;
        for (int i = 0; i < logits.length; i++) {
            double e = logits[i] == Double.NEGATIVE_INFINITY ? 0.0 : Math.exp(logits[i] - max);
            out[i] = e;
            sum += e;
        }
        for (int i = 0; i < out.length; i++) {
            out[i] /= sum;
        }
    }

    /**
     * Writes into {@code chosen} the indices of the {@code chosen.length} largest entries of
     * {@code scores}, best first; ties go to the lower index so that routing is deterministic.
     * Runs in O(n·k), which beats sorting for the k ≤ 18 used here.
     */
    public static void topK(double[] scores, int[] chosen) {
        int k = chosen.length;
        if (k > scores.length) {
            throw new IllegalArgumentException("k=" + k + " exceeds " + scores.length + " entries");
        }
        for (int slot = 0; slot < k; slot++) {
            int best = -1;
            for (int i = 0; i < scores.length; i++) {
                if (contains(chosen, slot, i)) {
                    continue;
                }
                if (best < 0 || scores[i] > scores[best]) {
                    best = i;
                }
            }
            chosen[slot] = best;
        }
    }

    private static boolean contains(int[] a, int len, int v) {
        for (int i = 0; i < len; i++) {
            if (a[i] == v) {
                return true;
            }
        }
        return false;
    }

    /**
     * Writes {@code probs[chosen[i]] / Σ probs[chosen]} into {@code weights[i]}; if every chosen
     * probability is zero the weights are uniform, so a routed user never gets an all-zero mixture.
     */
    public static void renormalise(double[] probs, int[] chosen, double[] weights) {
        double sum = 0;
        for (int e : chosen) {
            sum += probs[e];
        }
        for (int i = 0; i < chosen.length; i++) {
            weights[i] = sum > 0 ? probs[chosen[i]] / sum : 1.0 / chosen.length;
        }
    }
}
