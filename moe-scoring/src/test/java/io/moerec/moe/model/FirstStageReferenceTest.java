package io.moerec.moe.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.moerec.ingest.domain.Genre;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.function.DoubleSupplier;
import java.util.function.IntPredicate;
import org.junit.jupiter.api.Test;

/**
 * The optimised first stage ({@link ItemToItem#candidates}, {@link CandidateGenerator#candidates}) and
 * the candidates-only knn ({@link ItemNeighbours#knn(int[], int[], int, int[], double[])}) against
 * straightforward references on random sparse models and histories: the same candidates in the same
 * order, the same "because" watches, and every score and signal equal to the last bit (both sum in the
 * same order). Histories have unknown movies and repeats; weights come from a small set so that scores
 * and contributions tie; one scratch serves every call, as a thread's does.
 */
class FirstStageReferenceTest {

    private static final float[] WEIGHTS = {0.125f, 0.25f, 0.5f, 0.75f, 1f, -0.25f};

    /** The first stage as first written: a dense array per half-life, every touched item ranked by a full sort. */
    static List<ItemToItem.Candidate> reference(int[][] nb, float[][] w, int[] recent, double[] halfLives, IntPredicate excluded,
                                                int c) {
        int items = nb.length;
        int n = recent.length;
        boolean[] use = new boolean[n];
        boolean[] seen = new boolean[items];
        for (int p = n - 1; p >= 0; p--) {
            if (recent[p] >= 0 && !seen[recent[p]]) {
                seen[recent[p]] = true;
                use[p] = true;
            }
        }
        double[][] score = new double[halfLives.length][items];
        double[] best = new double[items];
        int[] because = new int[items];
        Arrays.fill(because, -1);
        for (int p = 0; p < n; p++) {
            if (!use[p]) {
                continue;
            }
            int j = recent[p];
            for (int y = 0; y < nb[j].length; y++) {
                int i = nb[j][y];
                for (int h = 0; h < halfLives.length; h++) {
                    score[h][i] += ItemToItem.recencyWeights(n, halfLives[h])[p] * w[j][y];
                }
                double contribution = ItemToItem.recencyWeights(n, halfLives[0])[p] * w[j][y];
                if (because[i] < 0 || contribution > best[i]) {
                    best[i] = contribution;
                    because[i] = j;
                }
            }
        }
        List<Integer> eligible = new ArrayList<>();
        for (int i = 0; i < items; i++) {
            if (because[i] >= 0 && score[0][i] > 0 && !excluded.test(i)) {
                eligible.add(i);
            }
        }
        eligible.sort(Comparator.<Integer>comparingDouble(i -> -score[0][i]).thenComparingInt(i -> i));
        List<ItemToItem.Candidate> out = new ArrayList<>();
        for (int i : eligible.subList(0, Math.min(c, eligible.size()))) {
            double[] s = new double[halfLives.length];
            for (int h = 0; h < s.length; h++) {
                s[h] = score[h][i];
            }
            out.add(new ItemToItem.Candidate(i, s, because[i]));
        }
        return out;
    }

    private static int[][] neighbourLists(Random rnd, int items, int maxNeighbours) {
        int[][] nb = new int[items][];
        for (int j = 0; j < items; j++) {
            nb[j] = rnd.ints(0, items).distinct().limit(Math.min(items, rnd.nextInt(maxNeighbours + 1))).toArray();
        }
        return nb;
    }

    private static int[] history(Random rnd, int items) {
        int[] recent = new int[rnd.nextInt(30)];
        for (int p = 0; p < recent.length; p++) {
            // Unknown movies and, from a narrow range, repeated watches.
            recent[p] = rnd.nextInt(10) == 0 ? -1 : rnd.nextInt(3) == 0 ? rnd.nextInt(5) : rnd.nextInt(items);
        }
        return recent;
    }

    /** One weight per neighbour of each item, drawn in row order from {@code weight}. */
    private static float[][] weights(int[][] nb, DoubleSupplier weight) {
        float[][] w = new float[nb.length][];
        for (int j = 0; j < nb.length; j++) {
            w[j] = new float[nb[j].length];
            for (int y = 0; y < w[j].length; y++) {
                w[j][y] = (float) weight.getAsDouble();
            }
        }
        return w;
    }

    private static IntPredicate exclusion(Random rnd, int items) {
        boolean[] out = new boolean[items];
        for (int i = 0; i < items; i++) {
            out[i] = rnd.nextInt(4) == 0;
        }
        return i -> out[i];
    }

    @Test
    void itemToItemCandidatesEqualTheReference() {
        Random rnd = new Random(11);
        for (int model = 0; model < 30; model++) {
            int items = 20 + rnd.nextInt(200);
            int[][] nb = neighbourLists(rnd, items, 25);
            float[][] w = weights(nb, () -> rnd.nextBoolean() ? WEIGHTS[rnd.nextInt(WEIGHTS.length)] : rnd.nextFloat());
            assertCandidatesEqualTheReference(rnd, nb, w, 40, 40, () -> exclusion(rnd, items), "model " + model);
        }
    }

    /**
     * The ranking by buckets below the top score against the reference where it is hardest: scores
     * spread over many orders of magnitude (most items in the last bucket, sorted by the heap sort), a
     * few infinite weights (an infinite top score, and NaN sums that drop out), long runs of equal
     * scores, more candidates wanted than there are, and exclusions that leave the first buckets short.
     */
    @Test
    void rankingByBucketsEqualsTheReferenceOnSkewedInfiniteAndTiedScores() {
        Random rnd = new Random(14);
        for (int model = 0; model < 24; model++) {
            int items = 200 + rnd.nextInt(1500);
            int[][] nb = neighbourLists(rnd, items, 120);
            int kind = model % 4;
            float[][] w = weights(nb, () -> switch (kind) {
                case 0 -> rnd.nextInt(50) == 0 ? 1e30f : rnd.nextFloat() * 1e-30f;
                case 1 -> rnd.nextInt(400) == 0 ? (rnd.nextBoolean() ? Float.POSITIVE_INFINITY
                        : Float.NEGATIVE_INFINITY) : rnd.nextFloat();
                case 2 -> rnd.nextInt(200) == 0 ? 1000f : 0.5f;
                default -> Float.MIN_VALUE * (1 + rnd.nextInt(3));
            });
            double share = rnd.nextDouble();
            assertCandidatesEqualTheReference(rnd, nb, w, 400, 8, () -> {
                boolean[] out = new boolean[items];
                for (int i = 0; i < items; i++) {
                    out[i] = rnd.nextDouble() < share;
                }
                return i -> out[i];
            }, "model " + model + " (kind " + kind + ")");
        }
    }

    private static void assertCandidatesEqualTheReference(Random rnd, int[][] nb, float[][] w, int maxC, int calls,
                                                          java.util.function.Supplier<IntPredicate> exclusions, String model) {
        int items = nb.length;
        ItemToItem i2i = new ItemToItem(nb, w);
        double[][] halfLifeSets = {CandidateGenerator.halfLives(), {1.0}, {Double.POSITIVE_INFINITY, 2.0}};
        ItemToItem.Scratch[] scratch = new ItemToItem.Scratch[halfLifeSets.length];
        for (int s = 0; s < scratch.length; s++) {
            scratch[s] = new ItemToItem.Scratch(items, halfLifeSets[s].length);
        }
        for (int call = 0; call < calls; call++) {
            int s = rnd.nextInt(halfLifeSets.length);
            int[] recent = history(rnd, items);
            IntPredicate excluded = exclusions.get();
            int c = rnd.nextInt(maxC);
            List<ItemToItem.Candidate> want = reference(nb, w, recent, halfLifeSets[s], excluded, c);
            List<ItemToItem.Candidate> got = i2i.candidates(recent, halfLifeSets[s], excluded, c, scratch[s]);
            String where = model + ", call " + call + ", recent " + Arrays.toString(recent);
            assertEquals(want.size(), got.size(), where);
            for (int x = 0; x < want.size(); x++) {
                assertEquals(want.get(x).item(), got.get(x).item(), where + ", rank " + x);
                assertEquals(want.get(x).because(), got.get(x).because(), where + ", rank " + x);
                assertArrayEquals(want.get(x).scores(), got.get(x).scores(), 0, where + ", rank " + x);
            }
        }
    }

    @Test
    void candidateGeneratorEqualsTheReferenceIncludingPopularFillAndSignals() {
        Random rnd = new Random(12);
        for (int model = 0; model < 20; model++) {
            int items = 20 + rnd.nextInt(150);
            int[][] nb = neighbourLists(rnd, items, 15);
            float[][] w = weights(nb, () -> WEIGHTS[rnd.nextInt(WEIGHTS.length - 1)] * (1 + rnd.nextInt(3)));
            long[] ids = new long[items];
            int[] genres = new int[items];
            long[] interactions = new long[items];
            for (int m = 0; m < items; m++) {
                ids[m] = 1000 + m;
                genres[m] = 1 << Genre.DRAMA.ordinal();
                interactions[m] = rnd.nextInt(20);
            }
            MovieTable table = MovieTable.of(ids, genres, interactions, new double[items], new double[items]);
            int c = 1 + rnd.nextInt(60);
            CandidateGenerator gen = new CandidateGenerator(new ItemToItem(nb, w), table, c);
            Integer[] byPopularity = new Integer[items];
            Arrays.setAll(byPopularity, m -> m);
            Arrays.sort(byPopularity, Comparator.<Integer>comparingLong(m -> -interactions[m]).thenComparingInt(m -> m));
            for (int call = 0; call < 30; call++) {
                int[] recent = history(rnd, items);
                IntPredicate excluded = exclusion(rnd, items);
                List<ItemToItem.Candidate> found = reference(nb, w, recent, CandidateGenerator.halfLives(), excluded, c);
                CandidateGenerator.Candidates got = gen.candidates(recent, excluded);
                String where = "model " + model + ", call " + call + ", recent " + Arrays.toString(recent);
                double[] top = new double[CandidateGenerator.SIGNALS - 1];
                for (ItemToItem.Candidate f : found) {
                    for (int h = 0; h < top.length; h++) {
                        top[h] = Math.max(top[h], f.scores()[h]);
                    }
                }
                List<Integer> items2 = new ArrayList<>();
                for (ItemToItem.Candidate f : found) {
                    items2.add(f.item());
                }
                for (int p = 0; p < items && items2.size() < c; p++) {
                    int m = byPopularity[p];
                    if (!excluded.test(m) && !items2.contains(m)) {
                        items2.add(m);
                    }
                }
                assertEquals(items2.size(), got.size(), where);
                for (int x = 0; x < got.size(); x++) {
                    assertEquals(items2.get(x), got.items()[x], where + ", rank " + x);
                    boolean fromModel = x < found.size();
                    assertEquals(fromModel ? found.get(x).because() : -1, got.because()[x], where + ", rank " + x);
                    double[] signals = new double[CandidateGenerator.SIGNALS];
                    for (int h = 0; h < top.length; h++) {
                        signals[h] = fromModel && top[h] > 0 ? found.get(x).scores()[h] / top[h] : 0;
                    }
                    signals[CandidateGenerator.SIGNALS - 1] = Math.log1p(x) / Math.log1p(c);
                    assertArrayEquals(signals, got.signals()[x], 0, where + ", rank " + x);
                }
            }
        }
    }

    @Test
    void knnOverTheCandidatesEqualsTheCatalogKnnAtThem() {
        Random rnd = new Random(13);
        for (int model = 0; model < 20; model++) {
            int movies = 10 + rnd.nextInt(150);
            int[][] nb = neighbourLists(rnd, movies, 20);
            double[][] sim = new double[movies][];
            for (int j = 0; j < movies; j++) {
                sim[j] = rnd.doubles(nb[j].length).toArray();
            }
            ItemNeighbours knn = new ItemNeighbours(nb, sim);
            int[] slot = new int[movies];
            for (int call = 0; call < 20; call++) {
                int[] recent = history(rnd, movies);
                double[] all = new double[movies];
                knn.knn(recent, all);
                int[] cands = rnd.ints(0, movies).distinct().limit(rnd.nextInt(movies)).toArray();
                double[] got = new double[cands.length + 3];
                Arrays.fill(got, 7);
                knn.knn(recent, cands, cands.length, slot, got);
                for (int x = 0; x < cands.length; x++) {
                    assertEquals(all[cands[x]], got[x], 0, "model " + model + ", call " + call + ", movie " + cands[x]);
                }
                assertArrayEquals(new int[movies], slot, "the slot buffer is left zero");
            }
        }
    }
}
