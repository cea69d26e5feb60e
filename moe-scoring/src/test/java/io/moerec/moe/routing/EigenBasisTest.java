package io.moerec.moe.routing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class EigenBasisTest {

    @Test
    void topEigenvectorsOfAHandMatrix() {
        // [[2,1],[1,2]] has eigenpairs 3:(1,1)/√2 and 1:(1,-1)/√2.
        double[][] q = EigenBasis.topEigenvectors(new double[][] {{2, 1}, {1, 2}}, 2);
        double s = Math.sqrt(0.5);
        assertArrayEquals(new double[] {s, s}, q[0], 1e-12);
        assertEquals(s, Math.abs(q[1][0]), 1e-12);
        assertEquals(-q[1][0], q[1][1], 1e-12);
    }

    @Test
    void fittedBasisIsOrthonormalSortedAndSolvesTheEigenEquation() {
        SplittableRandom rng = new SplittableRandom(4);
        int d = 6;
        List<double[]> xs = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            double a = rng.nextGaussian();
            double b = rng.nextGaussian();
            double[] x = new double[d];
            for (int j = 0; j < d; j++) {
                x[j] = (j < 3 ? a : b) * (1 + j) + 0.1 * rng.nextGaussian();
            }
            xs.add(x);
        }
        EigenBasis basis = EigenBasis.fit(xs, 3);
        double[][] q = basis.basis();
        double[] lambda = basis.eigenvalues();
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) {
                assertEquals(i == j ? 1.0 : 0.0, dot(q[i], q[j]), 1e-9, "Q^T Q at " + i + "," + j);
            }
        }
        assertTrue(lambda[0] >= lambda[1] && lambda[1] >= lambda[2]);
        // Two latent factors: the first two directions hold nearly all the (standardised) variance d = 6.
        assertTrue(lambda[0] + lambda[1] > 0.95 * d, "top-2 eigenvalues " + lambda[0] + ", " + lambda[1]);
        // Cov q = λ q on the standardised data.
        double[] mean = basis.mean();
        double[] scale = basis.scale();
        for (int k = 0; k < 3; k++) {
            double[] cq = new double[d];
            for (double[] x : xs) {
                double proj = 0;
                for (int j = 0; j < d; j++) {
                    proj += (x[j] - mean[j]) / scale[j] * q[k][j];
                }
                for (int j = 0; j < d; j++) {
                    cq[j] += (x[j] - mean[j]) / scale[j] * proj / xs.size();
                }
            }
            for (int j = 0; j < d; j++) {
                assertEquals(lambda[k] * q[k][j], cq[j], 1e-9);
            }
        }
    }

    @Test
    void energiesAreSquaredProjectionsNormalised() {
        double[][] q = {{1, 0}, {0, 1}};
        EigenBasis basis = new EigenBasis(new double[] {1, 1}, new double[] {1, 2}, q, new double[] {2, 1});
        double[] e = new double[2];
        basis.energies(new double[] {4, 5}, e); // z = (3, 2)
        assertArrayEquals(new double[] {9.0 / 13, 4.0 / 13}, e, 1e-12);
        basis.energies(new double[] {1, 1}, e);
        assertArrayEquals(new double[] {0.5, 0.5}, e, 0);
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }
}
