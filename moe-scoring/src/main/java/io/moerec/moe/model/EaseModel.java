package io.moerec.moe.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.factory.LinearSolverFactory_DDRM;
import org.ejml.interfaces.linsol.LinearSolverDense;

/**
 * EASE (Steck 2019), the closed-form item-to-item model over binary training interactions X (users ×
 * items): {@code B = I − P·diagMat(1/diag P)} with {@code P = (XᵀX + λI)⁻¹}, so {@code B[j,i] =
 * −P[j,i]/P[i,i]} off the diagonal and 0 on it; a user's score for item i is Σⱼ xⱼ·B[j,i] over the
 * profile. Immutable once fitted.
 *
 * <p>The inverse is taken in whichever space is smaller. With fewer users than items, Woodbury's
 * identity {@code P = (I − Xᵀ(XXᵀ + λI)⁻¹X)/λ} gives {@code B[j,i] = xⱼᵀK⁻¹xᵢ / (1 − xᵢᵀK⁻¹xᵢ)}
 * (xᵢ the users of item i, K = XXᵀ + λI): one users × users Cholesky inverse and the users × items
 * matrix Y = K⁻¹X. Otherwise the items × items Gram matrix of the items that have an interaction is
 * inverted (items without one get no weight either way). Both are EJML Cholesky inverses.
 */
public final class EaseModel {

    private final int items;
    private final double lambda;
    // Dual form: y is users × items row-major (Y = K⁻¹X), denom[i] = 1 − xᵢᵀK⁻¹xᵢ, usersOf[i] = xᵢ.
    private final double[] y;
    private final double[] denom;
    private final int[][] usersOf;
    private final int users;
    // Primal form: b is active × active row-major, active[a] the item of row/column a, slot[i] = a or −1.
    private final double[] b;
    private final int[] active;
    private final int[] slot;

    private EaseModel(int items, double lambda, double[] y, double[] denom, int[][] usersOf, int users, double[] b, int[] active,
                      int[] slot) {
        this.items = items;
        this.lambda = lambda;
        this.y = y;
        this.denom = denom;
        this.usersOf = usersOf;
        this.users = users;
        this.b = b;
        this.active = active;
        this.slot = slot;
    }

    /**
     * Fits the closed form from each user's watched items (dense indices in [0, items); duplicates
     * count once), in the smaller of the user and item spaces.
     */
    public static EaseModel fit(Collection<int[]> userItems, int items, double lambda) {
        int[][] rows = distinctRows(userItems, items);
        long active = Arrays.stream(invert(rows, items)).filter(u -> u.length > 0).count();
        return rows.length < active ? fitDual(rows, items, lambda) : fitPrimal(rows, items, lambda);
    }

    /** The items × items form regardless of the shape (tests compare both forms; timing runs use it). */
    public static EaseModel fitPrimal(Collection<int[]> userItems, int items, double lambda) {
        return fitPrimal(distinctRows(userItems, items), items, lambda);
    }

    /** The users × users (Woodbury) form regardless of the shape. */
    public static EaseModel fitDual(Collection<int[]> userItems, int items, double lambda) {
        return fitDual(distinctRows(userItems, items), items, lambda);
    }

    private static EaseModel fitDual(int[][] rows, int items, double lambda) {
        checkLambda(lambda);
        int u = rows.length;
        int[][] usersOf = invert(rows, items);
        DMatrixRMaj k = new DMatrixRMaj(u, u);
        for (int[] us : usersOf) {
            for (int a : us) {
                for (int c : us) {
                    k.data[a * u + c] += 1;
                }
            }
        }
        for (int a = 0; a < u; a++) {
            k.data[a * u + a] += lambda;
        }
        DMatrixRMaj kInv = spdInverse(k);
        // Y = K⁻¹X, row by row: Y[a,·] = Σ_c K⁻¹[a,c]·X[c,·] over the sparse rows of X.
        double[] y = new double[u * items];
        for (int a = 0; a < u; a++) {
            int base = a * items;
            for (int c = 0; c < u; c++) {
                double w = kInv.data[a * u + c];
                for (int i : rows[c]) {
                    y[base + i] += w;
                }
            }
        }
        double[] denom = new double[items];
        for (int i = 0; i < items; i++) {
            double q = 0;
            for (int a : usersOf[i]) {
                q += y[a * items + i];
            }
            denom[i] = 1 - q;
        }
        return new EaseModel(items, lambda, y, denom, usersOf, u, null, null, null);
    }

    private static EaseModel fitPrimal(int[][] rows, int items, double lambda) {
        checkLambda(lambda);
        int[][] usersOf = invert(rows, items);
        int[] slot = new int[items];
        List<Integer> act = new ArrayList<>();
        for (int i = 0; i < items; i++) {
            slot[i] = usersOf[i].length > 0 ? act.size() : -1;
            if (slot[i] >= 0) {
                act.add(i);
            }
        }
        int n = act.size();
        DMatrixRMaj g = new DMatrixRMaj(n, n);
        for (int[] r : rows) {
            for (int i : r) {
                int base = slot[i] * n;
                for (int j : r) {
                    g.data[base + slot[j]] += 1;
                }
            }
        }
        for (int a = 0; a < n; a++) {
            g.data[a * n + a] += lambda;
        }
        double[] b = spdInverse(g).data;
        double[] diag = new double[n];
        for (int a = 0; a < n; a++) {
            diag[a] = b[a * n + a];
        }
        for (int j = 0; j < n; j++) {
            for (int i = 0; i < n; i++) {
                b[j * n + i] = i == j ? 0.0 : -b[j * n + i] / diag[i];
            }
        }
        return new EaseModel(items, lambda, null, null, null, rows.length, b, act.stream().mapToInt(Integer::intValue).toArray(), slot);
    }

    private static void checkLambda(double lambda) {
        if (!(lambda > 0) || Double.isInfinite(lambda)) {
            throw new IllegalArgumentException("EASE λ must be positive and finite, got " + lambda);
        }
    }

    private static DMatrixRMaj spdInverse(DMatrixRMaj a) {
        LinearSolverDense<DMatrixRMaj> chol = LinearSolverFactory_DDRM.symmPosDef(a.numRows);
        if (!chol.setA(a)) {
            throw new IllegalStateException("Cholesky decomposition failed: the regularised Gram matrix is not positive definite");
        }
        DMatrixRMaj inv = new DMatrixRMaj(a.numRows, a.numCols);
        chol.invert(inv);
        return inv;
    }

    private static int[][] distinctRows(Collection<int[]> userItems, int items) {
        int[][] rows = new int[userItems.size()][];
        int u = 0;
        for (int[] r : userItems) {
            int[] d = Arrays.stream(r).distinct().sorted().toArray();
            for (int i : d) {
                if (i < 0 || i >= items) {
                    throw new IllegalArgumentException("item " + i + " of user row " + u + " is outside [0, " + items + ")");
                }
            }
            rows[u++] = d;
        }
        return rows;
    }

    private static int[][] invert(int[][] rows, int items) {
        int[] count = new int[items];
        for (int[] r : rows) {
            for (int i : r) {
                count[i]++;
            }
        }
        int[][] out = new int[items][];
        for (int i = 0; i < items; i++) {
            out[i] = new int[count[i]];
        }
        int[] fill = new int[items];
        for (int u = 0; u < rows.length; u++) {
            for (int i : rows[u]) {
                out[i][fill[i]++] = u;
            }
        }
        return out;
    }

    public int items() {
        return items;
    }

    public double lambda() {
        return lambda;
    }

    /** True if fitted in the users × users (Woodbury) form. */
    public boolean dual() {
        return y != null;
    }

    /** The users the model was fitted on. */
    public int users() {
        return users;
    }

    /** B[j,i]: the weight of a watch of j on item i (0 on the diagonal). */
    public double weight(int j, int i) {
        if (i == j) {
            return 0.0;
        }
        if (dual()) {
            double s = 0;
            for (int a : usersOf[j]) {
                s += y[a * items + i];
            }
            return s / denom[i];
        }
        int sj = slot[j];
        int si = slot[i];
        return sj < 0 || si < 0 ? 0.0 : b[sj * active.length + si];
    }

    /** Row j of B (length {@link #items()}). */
    public double[] row(int j) {
        double[] out = new double[items];
        if (dual()) {
            for (int a : usersOf[j]) {
                int base = a * items;
                for (int i = 0; i < items; i++) {
                    out[i] += y[base + i];
                }
            }
            for (int i = 0; i < items; i++) {
                out[i] /= denom[i];
            }
        } else if (slot[j] >= 0) {
            int n = active.length;
            int base = slot[j] * n;
            for (int a = 0; a < n; a++) {
                out[active[a]] = b[base + a];
            }
        }
        out[j] = 0.0;
        return out;
    }

    /**
     * Adds Σⱼ weights[x]·B[profile[x], i] into {@code out[i]} for every item i (exact, dense): the
     * scores of a (weighted) profile. {@code out} has length {@link #items()}.
     */
    public void score(int[] profile, double[] weights, double[] out) {
        score(profile, new double[][] {weights}, new double[][] {out});
    }

    /**
     * {@link #score(int[], double[], double[])} for several weightings of one profile at once (say,
     * several recency half-lives): {@code weights[h]} and {@code out[h]} per weighting. The dual form
     * reads its users × items matrix once for all of them.
     */
    public void score(int[] profile, double[][] weights, double[][] out) {
        int hs = weights.length;
        if (out.length != hs) {
            throw new IllegalArgumentException(hs + " weightings but " + out.length + " outputs");
        }
        if (dual()) {
            // Σⱼ wⱼ·xⱼᵀ·Y[·,i] = zᵀY[·,i] with z = Σⱼ wⱼ·xⱼ in user space; the diagonal term is taken out again.
            double[][] z = new double[hs][users];
            for (int h = 0; h < hs; h++) {
                for (int x = 0; x < profile.length; x++) {
                    for (int a : usersOf[profile[x]]) {
                        z[h][a] += weights[h][x];
                    }
                }
            }
            double[][] s = new double[hs][items];
            for (int a = 0; a < users; a++) {
                int base = a * items;
                for (int h = 0; h < hs; h++) {
                    double za = z[h][a];
                    if (za != 0) {
                        double[] sh = s[h];
                        for (int i = 0; i < items; i++) {
                            sh[i] += za * y[base + i];
                        }
                    }
                }
            }
            for (int h = 0; h < hs; h++) {
                for (int x = 0; x < profile.length; x++) {
                    int j = profile[x];
                    s[h][j] -= weights[h][x] * (1 - denom[j]);
                }
                for (int i = 0; i < items; i++) {
                    out[h][i] += s[h][i] / denom[i];
                }
            }
        } else {
            int n = active.length;
            for (int x = 0; x < profile.length; x++) {
                int sj = slot[profile[x]];
                if (sj < 0) {
                    continue;
                }
                int base = sj * n;
                for (int h = 0; h < hs; h++) {
                    double w = weights[h][x];
                    double[] oh = out[h];
                    for (int a = 0; a < n; a++) {
                        oh[active[a]] += w * b[base + a];
                    }
                }
            }
        }
    }

    /**
     * The sparse model: each item's {@code m} largest weights B[j,·] (positive ones only: a negative
     * weight never lifts a candidate), ties to the lower item index.
     */
    public ItemToItem sparsify(int m) {
        if (m < 1) {
            throw new IllegalArgumentException("neighbours per item must be at least 1, got " + m);
        }
        int[][] nb = new int[items][];
        float[][] w = new float[items][];
        for (int j = 0; j < items; j++) {
            boolean empty = dual() ? usersOf[j].length == 0 : slot[j] < 0;
            if (empty) {
                nb[j] = new int[0];
                w[j] = new float[0];
                continue;
            }
            double[] r = row(j);
            int[] top = ItemToItem.topPositive(r, m);
            nb[j] = top;
            w[j] = new float[top.length];
            for (int x = 0; x < top.length; x++) {
                w[j][x] = (float) r[top[x]];
            }
        }
        return new ItemToItem(nb, w);
    }
}
