package io.moerec.moe.model;

/**
 * Hyper-parameters of expert training, validated at construction so that a bad value fails with
 * its name. {@code factors} and {@code factorVariance} apply to {@link ExpertKind#FM} only.
 */
public record ExpertHyperParameters(ExpertKind kind, int epochs, double learningRate, int minibatch,
                                    int factors, double factorVariance) {

    /** The defaults chosen by the linear-versus-FM measurement (see the module note). */
    public static final ExpertHyperParameters DEFAULT = new ExpertHyperParameters(ExpertKind.LINEAR, 5, 0.1, 1, 8, 0.1);

    public ExpertHyperParameters {
        if (kind == null) {
            throw new IllegalArgumentException("expert.kind must be set");
        }
        if (epochs < 1) {
            throw new IllegalArgumentException("expert.epochs must be ≥ 1, got " + epochs);
        }
        if (!(learningRate > 0)) {
            throw new IllegalArgumentException("expert.learningRate must be > 0, got " + learningRate);
        }
        if (minibatch < 1) {
            throw new IllegalArgumentException("expert.minibatch must be ≥ 1, got " + minibatch);
        }
        if (factors < 1) {
            throw new IllegalArgumentException("expert.factors must be ≥ 1, got " + factors);
        }
        if (!(factorVariance > 0)) {
            throw new IllegalArgumentException("expert.factorVariance must be > 0, got " + factorVariance);
        }
    }

    public ExpertHyperParameters withKind(ExpertKind k) {
        return new ExpertHyperParameters(k, epochs, learningRate, minibatch, factors, factorVariance);
    }
}
