package io.moerec.moe.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** EASE's closed form against a direct computation, in both of its forms, and its top-M sparsification. */
class EaseModelTest {

    /** 5 users × 5 items by hand; item 4 is never watched. */
    private static final List<int[]> SMALL = List.of(
            new int[] {0, 1}, new int[] {0, 1, 2}, new int[] {1, 2}, new int[] {2, 3}, new int[] {0, 3, 3});

    /** B = I − P·diagMat(1/diag P), P = (XᵀX + λI)⁻¹, by Gauss-Jordan on the dense Gram matrix. */
    private static double[][] direct(List<int[]> users, int items, double lambda) {
        double[][] g = new double[items][items];
        for (int[] u : users) {
            int[] d = Arrays.stream(u).distinct().toArray();
            for (int i : d) {
                for (int j : d) {
                    g[i][j] += 1;
                }
            }
        }
        for (int i = 0; i < items; i++) {
            g[i][i] += lambda;
        }
        double[][] p = inverse(g);
        double[][] b = new double[items][items];
        for (int j = 0; j < items; j++) {
            for (int i = 0; i < items; i++) {
                b[j][i] = (i == j ? 1 : 0) - p[j][i] / p[i][i];
            }
        }
        return b;
    }

    private static double[][] inverse(double[][] a) {
        int n = a.length;
        double[][] m = new double[n][2 * n];
        for (int i = 0; i < n; i++) {
            System.arraycopy(a[i], 0, m[i], 0, n);
            m[i][n + i] = 1;
        }
        for (int c = 0; c < n; c++) {
            int piv = c;
            for (int r = c + 1; r < n; r++) {
                if (Math.abs(m[r][c]) > Math.abs(m[piv][c])) {
                    piv = r;
                }
            }
            double[] t = m[c];
            m[c] = m[piv];
            m[piv] = t;
            double d = m[c][c];
            for (int k = 0; k < 2 * n; k++) {
                m[c][k] /= d;
            }
            for (int r = 0; r < n; r++) {
                if (r != c) {
                    double f = m[r][c];
                    for (int k = 0; k < 2 * n; k++) {
                        m[r][k] -= f * m[c][k];
                    }
                }
            }
        }
        double[][] inv = new double[n][n];
        for (int i = 0; i < n; i++) {
            System.arraycopy(m[i], n, inv[i], 0, n);
        }
        return inv;
    }

    @Test
    void bothFormsEqualTheDirectClosedForm() {
        double lambda = 0.7;
        double[][] expected = direct(SMALL, 5, lambda);
        for (EaseModel m : List.of(EaseModel.fitPrimal(SMALL, 5, lambda), EaseModel.fitDual(SMALL, 5, lambda))) {
            for (int j = 0; j < 5; j++) {
                for (int i = 0; i < 5; i++) {
                    assertEquals(expected[j][i], m.weight(j, i), 1e-12, "B[" + j + "," + i + "] dual=" + m.dual());
                }
                assertArrayEquals(expected[j], m.row(j), 1e-12);
            }
        }
        // The hand-made case is not degenerate: some weights are negative, the never-watched item has none.
        assertTrue(expected[0][2] < 0 || expected[1][3] < 0 || expected[0][3] < 0 || expected[2][0] < 0);
        assertEquals(0.0, expected[4][0], 1e-15);
        assertTrue(expected[0][1] > 0);
    }

    @Test
    void fitChoosesTheSmallerSpace() {
        assertFalse(EaseModel.fit(SMALL, 5, 1.0).dual(), "5 users, 4 watched items: items × items");
        List<int[]> few = List.of(new int[] {0, 1, 2}, new int[] {2, 3, 4});
        assertTrue(EaseModel.fit(few, 5, 1.0).dual(), "2 users, 5 items: users × users");
    }

    @Test
    void weightedProfileScoresAreTheWeightedSumOfRowsInBothForms() {
        SplittableRandom rnd = new SplittableRandom(7);
        List<int[]> users = new ArrayList<>();
        for (int u = 0; u < 12; u++) {
            users.add(rnd.ints(6, 0, 20).toArray());
        }
        int[] profile = {3, 7, 11, 3};
        double[] w = {0.25, 0.5, 1.0, 0.125};
        for (EaseModel m : List.of(EaseModel.fitPrimal(users, 20, 3.0), EaseModel.fitDual(users, 20, 3.0))) {
            double[] expected = new double[20];
            for (int x = 0; x < profile.length; x++) {
                double[] r = m.row(profile[x]);
                for (int i = 0; i < 20; i++) {
                    expected[i] += w[x] * r[i];
                }
            }
            double[] got = new double[20];
            m.score(profile, w, got);
            assertArrayEquals(expected, got, 1e-12, "dual=" + m.dual());
        }
    }

    @Test
    void sparsifyKeepsTheLargestPositiveWeightsBestFirst() {
        EaseModel m = EaseModel.fitPrimal(SMALL, 5, 0.7);
        ItemToItem s = m.sparsify(2);
        for (int j = 0; j < 5; j++) {
            double[] r = m.row(j);
            int[] expected = top(r, new int[0], 5);
            expected = Arrays.stream(expected).filter(i -> r[i] > 0).limit(2).toArray();
            assertArrayEquals(expected, s.neighbours(j), "row " + j + " " + Arrays.toString(r));
            float[] w = s.weights(j);
            for (int x = 0; x < w.length; x++) {
                assertEquals((float) r[expected[x]], w[x]);
            }
        }
        assertEquals(0, s.neighbours(4).length, "a never-watched item has no neighbours");
        assertThrows(IllegalArgumentException.class, () -> m.sparsify(0));
        assertThrows(IllegalArgumentException.class, () -> EaseModel.fit(SMALL, 5, 0.0));
    }

    /**
     * Three taste clusters of 6 items; users watch within one cluster. With M = 5 (a cluster's other
     * items), the sparse model ranks a user's unwatched items as the exact model does.
     */
    @Test
    void smallTopMKeepsTheRankingOnClusteredData() {
        SplittableRandom rnd = new SplittableRandom(11);
        List<int[]> users = new ArrayList<>();
        for (int u = 0; u < 90; u++) {
            int cluster = u % 3;
            users.add(rnd.ints(4, 0, 6).map(i -> cluster * 6 + i).toArray());
        }
        EaseModel exact = EaseModel.fit(users, 18, 5.0);
        ItemToItem sparse = ItemToItem.ease(users, 18, 5.0, 5);
        for (int[] profile : List.of(new int[] {0, 1}, new int[] {7}, new int[] {12, 14, 15})) {
            double[] w = ItemToItem.recencyWeights(profile.length, 2.0);
            double[] e = new double[18];
            exact.score(profile, w, e);
            double[] s = new double[18];
            sparse.score(profile, w, s);
            assertArrayEquals(top(e, profile, 2), top(s, profile, 2), Arrays.toString(profile));
        }
    }

    private static int[] top(double[] scores, int[] watched, int k) {
        return java.util.stream.IntStream.range(0, scores.length).filter(i -> Arrays.stream(watched).noneMatch(j -> j == i)).boxed()
                .sorted((a, b) -> scores[a] != scores[b] ? Double.compare(scores[b], scores[a]) : Integer.compare(a, b))
                .limit(k).mapToInt(Integer::intValue).toArray();
    }
}
