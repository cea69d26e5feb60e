package io.moerec.moe.model;

import java.util.Arrays;
import java.util.Collection;

/**
 * Each movie's most similar movies by cosine over the users who watched both (co-watch count over
 * √(|users of i| · |users of j|)), keeping the top {@code k} per movie; and the item-history signal the
 * experts read: {@code knn(m) = Σ_{j ∈ recent} sim(j → m) / |recent|}, the mean similarity of a
 * candidate to the user's recent watches. Measured on training watches only; immutable.
 */
public final class ItemNeighbours {

    private final int[][] neighbours;
    private final double[][] similarity;

    public ItemNeighbours(int[][] neighbours, double[][] similarity) {
        if (neighbours.length != similarity.length) {
            throw new IllegalArgumentException("neighbour and similarity lists differ in number");
        }
        for (int i = 0; i < neighbours.length; i++) {
            if (neighbours[i].length != similarity[i].length) {
                throw new IllegalArgumentException("neighbour list " + i + " and its similarities differ in length");
            }
            for (int j : neighbours[i]) {
                if (j < 0 || j >= neighbours.length) {
                    throw new IllegalArgumentException("neighbour " + j + " of movie " + i + " is outside the table");
                }
            }
        }
        this.neighbours = Arrays.stream(neighbours).map(int[]::clone).toArray(int[][]::new);
        this.similarity = Arrays.stream(similarity).map(double[]::clone).toArray(double[][]::new);
    }

    /** Builds the lists from each user's watched movies (dense table indices, duplicates ignored). */
    public static ItemNeighbours build(Collection<int[]> userItems, int movies, int k) {
        int[][] items = userItems.stream().map(a -> Arrays.stream(a).distinct().sorted().toArray()).toArray(int[][]::new);
        int[] count = new int[movies];
        for (int[] a : items) {
            for (int i : a) {
                count[i]++;
            }
        }
        int[][] usersOf = new int[movies][];
        int[] fill = new int[movies];
        for (int i = 0; i < movies; i++) {
            usersOf[i] = new int[count[i]];
        }
        for (int u = 0; u < items.length; u++) {
            for (int i : items[u]) {
                usersOf[i][fill[i]++] = u;
            }
        }
        int[][] nb = new int[movies][];
        double[][] sim = new double[movies][];
        int[] co = new int[movies];
        int[] touched = new int[movies];
        for (int i = 0; i < movies; i++) {
            int t = 0;
            for (int u : usersOf[i]) {
                for (int j : items[u]) {
                    if (j != i && co[j]++ == 0) {
                        touched[t++] = j;
                    }
                }
            }
            // Top k by similarity, ties to the lower index, by a partial selection over the touched set.
            int keep = Math.min(k, t);
            int[] bestIdx = new int[keep];
            double[] bestSim = new double[keep];
            int filled = 0;
            for (int x = 0; x < t; x++) {
                int j = touched[x];
                double s = co[j] / Math.sqrt((double) count[i] * count[j]);
                co[j] = 0;
                int pos = filled;
                while (pos > 0 && (bestSim[pos - 1] < s || (bestSim[pos - 1] == s && bestIdx[pos - 1] > j))) {
                    pos--;
                }
                if (pos < keep) {
                    int end = Math.min(filled, keep - 1);
                    System.arraycopy(bestIdx, pos, bestIdx, pos + 1, end - pos);
                    System.arraycopy(bestSim, pos, bestSim, pos + 1, end - pos);
                    bestIdx[pos] = j;
                    bestSim[pos] = s;
                    filled = Math.min(filled + 1, keep);
                }
            }
            nb[i] = bestIdx;
            sim[i] = bestSim;
        }
        return new ItemNeighbours(nb, sim);
    }

    public int movies() {
        return neighbours.length;
    }

    public int[] neighbours(int movie) {
        return neighbours[movie].clone();
    }

    public double[] similarities(int movie) {
        return similarity[movie].clone();
    }

    /** The recent watches that are known movies (non-negative dense indices). */
    private static int known(int[] recent) {
        int n = 0;
        for (int j : recent) {
            if (j >= 0) {
                n++;
            }
        }
        return n;
    }

    /**
     * Writes knn(m) for every movie into {@code out} (length {@link #movies()}, zeroed by the caller)
     * from the user's recent watches (dense indices; negative entries are ignored).
     */
    public void knn(int[] recent, double[] out) {
        int n = known(recent);
        if (n == 0) {
            return;
        }
        for (int j : recent) {
            if (j < 0) {
                continue;
            }
            int[] nb = neighbours[j];
            double[] s = similarity[j];
            for (int x = 0; x < nb.length; x++) {
                out[nb[x]] += s[x] / n;
            }
        }
    }

    /**
     * Writes knn(items[x]) into {@code out[x]} for the first {@code count} of {@code items} (distinct
     * dense indices): the values {@link #knn} gives them, summed in the same order, without touching
     * the rest of the catalog. {@code slot} is a catalog-size buffer, all zero before and after the call.
     */
    public void knn(int[] recent, int[] items, int count, int[] slot, double[] out) {
        Arrays.fill(out, 0, count, 0.0);
        int n = known(recent);
        if (n == 0) {
            return;
        }
        for (int x = 0; x < count; x++) {
            slot[items[x]] = x + 1;
        }
        for (int j : recent) {
            if (j < 0) {
                continue;
            }
            int[] nb = neighbours[j];
            double[] s = similarity[j];
            for (int y = 0; y < nb.length; y++) {
                int x = slot[nb[y]];
                if (x != 0) {
                    out[x - 1] += s[y] / n;
                }
            }
        }
        for (int x = 0; x < count; x++) {
            slot[items[x]] = 0;
        }
    }

    /** Zeroes what {@link #knn} wrote into {@code out} for {@code recent}: a reusable buffer without a full fill. */
    public void clearKnn(int[] recent, double[] out) {
        for (int j : recent) {
            if (j >= 0) {
                for (int i : neighbours[j]) {
                    out[i] = 0;
                }
            }
        }
    }

    /**
     * Adds the knn signal of {@code recent} into {@code acc} and lists each touched movie once in
     * {@code touched} (using {@code mark}); returns how many. With {@code leaveOut} (sorted dense indices
     * of everything the user watched in training) and the per-movie watcher counts, the user's own
     * co-watch is removed from each similarity, cos − 1/√(n_j·n_m): training uses it so that a
     * positive's signal does not contain the positive itself. The caller resets {@code acc} and
     * {@code mark} at the touched positions.
     */
    public int accumulate(int[] recent, int[] leaveOut, long[] watchers, double[] acc, boolean[] mark, int[] touched) {
        int n = known(recent);
        int t = 0;
        for (int j : recent) {
            if (j < 0) {
                continue;
            }
            int[] nb = neighbours[j];
            double[] s = similarity[j];
            for (int x = 0; x < nb.length; x++) {
                int m = nb[x];
                double sim = s[x];
                if (leaveOut != null && Arrays.binarySearch(leaveOut, m) >= 0) {
                    sim = Math.max(0.0, sim - 1.0 / Math.sqrt((double) watchers[j] * watchers[m]));
                }
                if (!mark[m]) {
                    mark[m] = true;
                    touched[t++] = m;
                }
                acc[m] += sim / n;
            }
        }
        return t;
    }

    /** Maps movie ids to dense indices of {@code table} (−1 for movies not in it). */
    public static int[] indices(long[] movieIds, MovieTable table) {
        int[] out = new int[movieIds.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = table.indexOf(movieIds[i]);
        }
        return out;
    }
}
