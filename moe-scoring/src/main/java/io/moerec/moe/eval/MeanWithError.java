package io.moerec.moe.eval;

/**
 * A mean over users with its standard error, {@code sqrt(sample variance / n)}: the uncertainty
 * that decides whether one method beats another ("by more than two standard errors").
 */
public record MeanWithError(double mean, double standardError, int n) {

    public static MeanWithError of(double[] values) {
        int n = values.length;
        if (n == 0) {
            return new MeanWithError(Double.NaN, Double.NaN, 0);
        }
        double mean = 0;
        for (double v : values) {
            mean += v;
        }
        mean /= n;
        double ss = 0;
        for (double v : values) {
            ss += (v - mean) * (v - mean);
        }
        double se = n > 1 ? Math.sqrt(ss / (n - 1) / n) : Double.NaN;
        return new MeanWithError(mean, se, n);
    }
}
