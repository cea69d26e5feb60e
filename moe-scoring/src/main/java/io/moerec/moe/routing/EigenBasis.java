package io.moerec.moe.routing;

import java.util.Arrays;
import java.util.Collection;
import org.tribuo.math.la.DenseMatrix;
import org.tribuo.math.la.DenseVector;

/**
 * An orthonormal basis of the user-feature space for the eigen router (EMoE, arXiv 2601.12137):
 * the top-r eigenvectors of the covariance of the standardised user vectors, and the map from a user
 * to its energies {@code e_j = z_j² / Σ z²} with {@code z = Qᵀ((u − mean) / scale)}. Standardising
 * first keeps the log-count features (range ≈ 0–6) from owning every leading direction over the
 * affinities (range 0–1). Immutable; the arrays are what a model bundle stores.
 */
public final class EigenBasis {

    private final double[] mean;
    private final double[] scale;
    /** [r][dim]: row j is eigenvector j, eigenvalues descending. */
    private final double[][] q;
    private final double[] eigenvalues;

    public EigenBasis(double[] mean, double[] scale, double[][] q, double[] eigenvalues) {
        int d = mean.length;
        if (scale.length != d || q.length == 0 || eigenvalues.length != q.length) {
            throw new IllegalArgumentException("eigen basis arrays are inconsistent");
        }
        for (double[] row : q) {
            if (row.length != d) {
                throw new IllegalArgumentException("eigenvector of length " + row.length + ", expected " + d);
            }
        }
        this.mean = mean.clone();
        this.scale = scale.clone();
        this.q = Arrays.stream(q).map(double[]::clone).toArray(double[][]::new);
        this.eigenvalues = eigenvalues.clone();
    }

    /** Fits the basis to user vectors with Tribuo's symmetric eigendecomposition. */
    public static EigenBasis fit(Collection<double[]> users, int r) {
        if (users.isEmpty()) {
            throw new IllegalArgumentException("cannot fit an eigen basis to no users");
        }
        int d = users.iterator().next().length;
        if (r < 1 || r > d) {
            throw new IllegalArgumentException("router.eigen.rank must be in [1, " + d + "], got " + r);
        }
        int n = users.size();
        double[] mean = new double[d];
        for (double[] u : users) {
            for (int i = 0; i < d; i++) {
                mean[i] += u[i] / n;
            }
        }
        double[] scale = new double[d];
        for (double[] u : users) {
            for (int i = 0; i < d; i++) {
                double c = u[i] - mean[i];
                scale[i] += c * c / n;
            }
        }
        for (int i = 0; i < d; i++) {
            // A constant feature carries no direction; scale 1 leaves its (zero) centred value alone.
            scale[i] = scale[i] > 1e-12 ? Math.sqrt(scale[i]) : 1.0;
        }
        double[][] cov = new double[d][d];
        double[] z = new double[d];
        for (double[] u : users) {
            for (int i = 0; i < d; i++) {
                z[i] = (u[i] - mean[i]) / scale[i];
            }
            for (int i = 0; i < d; i++) {
                for (int j = i; j < d; j++) {
                    cov[i][j] += z[i] * z[j] / n;
                }
            }
        }
        for (int i = 0; i < d; i++) {
            for (int j = 0; j < i; j++) {
                cov[i][j] = cov[j][i];
            }
        }
        double[][] top = topEigenvectors(cov, r);
        double[] values = new double[r];
        for (int j = 0; j < r; j++) {
            values[j] = rayleigh(cov, top[j]);
        }
        return new EigenBasis(mean, scale, top, values);
    }

    /**
     * The r eigenvectors of a symmetric matrix with the largest eigenvalues, as rows, largest first,
     * each with its largest-magnitude entry positive (a fixed sign makes bases comparable across runs).
     */
    public static double[][] topEigenvectors(double[][] symmetric, int r) {
        int d = symmetric.length;
        DenseMatrix.EigenDecomposition eig = DenseMatrix.createDenseMatrix(symmetric).eigenDecomposition()
                .orElseThrow(() -> new IllegalStateException("eigendecomposition failed (matrix not symmetric?)"));
        DenseVector values = eig.eigenvalues();
        Integer[] order = new Integer[d];
        for (int i = 0; i < d; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Double.compare(values.get(b), values.get(a)));
        double[][] out = new double[r][d];
        for (int j = 0; j < r; j++) {
            DenseVector v = eig.getEigenVector(order[j]);
            int arg = 0;
            for (int i = 0; i < d; i++) {
                out[j][i] = v.get(i);
                if (Math.abs(v.get(i)) > Math.abs(v.get(arg))) {
                    arg = i;
                }
            }
            double norm = 0;
            for (double x : out[j]) {
                norm += x * x;
            }
            double s = (out[j][arg] < 0 ? -1 : 1) / Math.sqrt(norm);
            for (int i = 0; i < d; i++) {
                out[j][i] *= s;
            }
        }
        return out;
    }

    private static double rayleigh(double[][] a, double[] v) {
        double s = 0;
        for (int i = 0; i < v.length; i++) {
            double row = 0;
            for (int j = 0; j < v.length; j++) {
                row += a[i][j] * v[j];
            }
            s += v[i] * row;
        }
        return s;
    }

    public int rank() {
        return q.length;
    }

    public int dimension() {
        return mean.length;
    }

    /** Energies of a user on the r directions into {@code out}; uniform for a user exactly at the mean. */
    public void energies(double[] u, double[] out) {
        int d = mean.length;
        double total = 0;
        for (int j = 0; j < q.length; j++) {
            double z = 0;
            double[] qj = q[j];
            for (int i = 0; i < d; i++) {
                z += qj[i] * (u[i] - mean[i]) / scale[i];
            }
            out[j] = z * z;
            total += out[j];
        }
        for (int j = 0; j < q.length; j++) {
            out[j] = total > 0 ? out[j] / total : 1.0 / q.length;
        }
    }

    public double[] mean() {
        return mean.clone();
    }

    public double[] scale() {
        return scale.clone();
    }

    public double[][] basis() {
        return Arrays.stream(q).map(double[]::clone).toArray(double[][]::new);
    }

    public double[] eigenvalues() {
        return eigenvalues.clone();
    }

    /** Feature names of the energies as the energy-to-expert model sees them. */
    public static String[] energyNames(int r) {
        String[] names = new String[r];
        for (int j = 0; j < r; j++) {
            names[j] = "eigen.energy." + j;
        }
        return names;
    }
}
