package io.moerec.moe.routing;

import io.moerec.ingest.domain.Genre;
import io.moerec.moe.math.MoeMath;
import io.moerec.moe.model.GenreClassifier;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Auxiliary-loss-free load balancing (Wang et al., arXiv 2408.15664): the gate's log-probabilities
 * plus a per-expert selection bias decide which k experts are chosen; the weights are the gate's
 * probabilities renormalised over the chosen experts, never biased. After a batch, {@link #withLoad}
 * moves each bias by {@code rate · sign(mean load − load)}: overloaded experts become harder to
 * choose, idle ones easier. Immutable: an update returns a new router, so a serving thread can swap
 * it atomically while requests read the old one.
 */
public final class BalancedRouter implements Router {

    private final GenreClassifier gate;
    private final int k;
    private final double rate;
    private final double[] bias;

    public BalancedRouter(GenreClassifier gate, int k, double rate, double[] bias) {
        this.gate = Objects.requireNonNull(gate, "gate");
        if (k < 1 || k > Genre.COUNT) {
            throw new IllegalArgumentException("router.topK must be in [1, " + Genre.COUNT + "], got " + k);
        }
        if (!(rate > 0)) {
            throw new IllegalArgumentException("router.balanced.rate must be > 0, got " + rate);
        }
        if (bias.length != Genre.COUNT) {
            throw new IllegalArgumentException("router.balanced.bias needs " + Genre.COUNT + " entries, got " + bias.length);
        }
        this.k = k;
        this.rate = rate;
        this.bias = bias.clone();
    }

    /** A router with zero bias. */
    public static BalancedRouter unbiased(GenreClassifier gate, int k, double rate) {
        return new BalancedRouter(gate, k, rate, new double[Genre.COUNT]);
    }

    @Override
    public String name() {
        return RouterKind.BALANCED.configName();
    }

    @Override
    public int maxExperts() {
        return k;
    }

    public double[] bias() {
        return bias.clone();
    }

    public double rate() {
        return rate;
    }

    @Override
    public int route(double[] user, int[] experts, double[] weights) {
        double[] p = new double[Genre.COUNT];
        gate.probabilities(user, p);
        double[] sel = new double[Genre.COUNT];
        for (int g = 0; g < Genre.COUNT; g++) {
            // The bias is added to the log-probability, not the probability: off-top softmax
            // probabilities are all tiny and alike, so a bias on that scale would move every user to
            // the same genre at once; on the log scale users' margins stay spread out. A genre with
            // probability zero (never a label) can carry no weight, so it is never selected.
            sel[g] = p[g] > 0 ? Math.log(p[g]) + bias[g] : Double.NEGATIVE_INFINITY;
        }
        int[] chosen = new int[k];
        MoeMath.topK(sel, chosen);
        MoeMath.renormalise(p, chosen, weights);
        System.arraycopy(chosen, 0, experts, 0, k);
        return k;
    }

    @Override
    public void rank(double[] user, int[] order, double[] probabilities) {
        gate.probabilities(user, probabilities);
        double[] sel = new double[Genre.COUNT];
        for (int g = 0; g < Genre.COUNT; g++) {
            sel[g] = probabilities[g] > 0 ? Math.log(probabilities[g]) + bias[g] : Double.NEGATIVE_INFINITY;
        }
        MoeMath.topK(sel, order);
    }

    /** The bias update of one batch, from how many routed users each expert received. */
    public BalancedRouter withLoad(long[] load) {
        return new BalancedRouter(gate, k, rate, updatedBias(bias, load, rate));
    }

    /** {@code bias_e + rate · sign(mean − load_e)}: the update rule, kept pure for direct testing. */
    public static double[] updatedBias(double[] bias, long[] load, double rate) {
        if (load.length != bias.length) {
            throw new IllegalArgumentException("load needs " + bias.length + " entries, got " + load.length);
        }
        double mean = Arrays.stream(load).average().orElse(0);
        double[] out = bias.clone();
        for (int e = 0; e < out.length; e++) {
            out[e] += rate * Math.signum(mean - load[e]);
        }
        return out;
    }

    /**
     * Replays users through the router in batches of {@code batch}, updating the bias after each, for
     * {@code passes} passes: how training calibrates the bias that serving starts from.
     */
    public BalancedRouter calibrate(List<double[]> users, int batch, int passes) {
        BalancedRouter r = this;
        int[] experts = new int[k];
        double[] weights = new double[k];
        for (int pass = 0; pass < passes; pass++) {
            long[] load = new long[Genre.COUNT];
            int inBatch = 0;
            for (double[] u : users) {
                int n = r.route(u, experts, weights);
                for (int i = 0; i < n; i++) {
                    load[experts[i]]++;
                }
                if (++inBatch == batch) {
                    r = r.withLoad(load);
                    Arrays.fill(load, 0);
                    inBatch = 0;
                }
            }
            if (inBatch > 0) {
                r = r.withLoad(load);
            }
        }
        return r;
    }
}
