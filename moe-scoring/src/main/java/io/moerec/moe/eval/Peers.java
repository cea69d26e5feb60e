package io.moerec.moe.eval;

import io.moerec.ingest.domain.ViewingEvent;
import io.moerec.moe.Exclusion;
import io.moerec.moe.math.TopN;
import io.moerec.moe.model.EaseModel;
import io.moerec.moe.model.ItemNeighbours;
import io.moerec.moe.model.ItemToItem;
import io.moerec.moe.model.MovieTable;
import io.moerec.moe.train.TrainingData;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The strongest simple peers of the MoE, each with its hyper-parameters chosen on a validation cut of
 * the training part and then measured once on the test part: EASE (λ), recency-weighted EASE (λ and
 * half-life h: the profile row weighted 0.5^(age/h), age in watches counted back from the user's
 * newest) and recency-weighted item-kNN (neighbours k per item and h). The validation cut splits the
 * training part the way the split itself was made ({@code global-time} by time, otherwise per user in
 * time), so no test event takes part in any choice.
 */
public final class Peers {

    private static final Logger LOG = LoggerFactory.getLogger(Peers.class);

    public static final String EASE = "ease";
    public static final String EASE_RECENCY = "ease-recency";
    public static final String KNN_RECENCY = "item-knn-recency";

    private Peers() {
    }

    /**
     * The validation grid. Infinite half-life (no recency weighting) is always scored too: it is
     * EASE's own setting.
     *
     * @param lambdas    EASE's λ values
     * @param halfLives  recency half-lives in watches (finite, positive)
     * @param neighbours item-kNN's neighbours per item
     */
    public record Grid(List<Double> lambdas, List<Double> halfLives, List<Integer> neighbours) {
        public Grid {
            lambdas = List.copyOf(lambdas);
            halfLives = List.copyOf(halfLives);
            neighbours = List.copyOf(neighbours);
            if (lambdas.isEmpty() || halfLives.isEmpty() || neighbours.isEmpty()) {
                throw new IllegalArgumentException("every peer grid needs at least one value");
            }
            for (double l : lambdas) {
                if (!(l > 0) || Double.isInfinite(l)) {
                    throw new IllegalArgumentException("EASE λ must be positive and finite, got " + l);
                }
            }
            for (double h : halfLives) {
                if (!(h > 0) || Double.isInfinite(h)) {
                    throw new IllegalArgumentException("half-lives must be positive and finite, got " + h);
                }
            }
            for (int k : neighbours) {
                if (k < 1) {
                    throw new IllegalArgumentException("neighbours per item must be at least 1, got " + k);
                }
            }
        }

        /** λ around EASE's usual optimum, half-lives from a few watches to a few dozen, up to 1000 neighbours. */
        public static Grid defaults() {
            return new Grid(List.of(100.0, 200.0, 400.0, 800.0, 1600.0), List.of(2.0, 3.0, 5.0, 7.0, 10.0, 20.0),
                    List.of(50, 100, 200, 400, 1000));
        }
    }

    /**
     * One peer's chosen cell.
     *
     * @param method         the method's name in the report
     * @param setting        the chosen hyper-parameters, readable
     * @param validationNdcg its NDCG@k on the validation cut
     * @param fitSeconds     the fit on the whole training part (for the test)
     */
    public record Choice(String method, String setting, double validationNdcg, double fitSeconds) {
    }

    /**
     * The tuned peers: their ranking methods for the test (fitted on the whole training part), the
     * choices, the best peer on validation and the number of validation users.
     */
    public record Tuned(List<RankingMethod> methods, List<Choice> choices, String best, int validationUsers) {
    }

    /** The validation cut of a split's training part, made as the split was. */
    public static EvalSplit validationCut(EvalSplit split) {
        return split.kind().equals("global-time") ? EvalSplit.globalTime(split.train(), 0.8, 5)
                : EvalSplit.userTime(split.train(), 10, 0.2);
    }

    /**
     * Each user's watches as dense indices of {@code table}, oldest first (the order of
     * {@link EvalSplit#USER_ORDER}); a movie watched again counts at its newest position only; movies
     * not in the table are left out.
     */
    public static Map<String, int[]> histories(List<ViewingEvent> events, MovieTable table) {
        Map<String, List<ViewingEvent>> byUser = new TreeMap<>();
        for (ViewingEvent e : events) {
            if (TrainingData.isWatch(e) && table.indexOf(e.movieId()) >= 0) {
                byUser.computeIfAbsent(e.userId(), u -> new ArrayList<>()).add(e);
            }
        }
        Map<String, int[]> out = new LinkedHashMap<>();
        byUser.forEach((u, es) -> {
            es.sort(EvalSplit.USER_ORDER);
            // Newest occurrence wins: keep an index's last position, then compact in order.
            Map<Integer, Integer> last = new HashMap<>();
            for (int p = 0; p < es.size(); p++) {
                last.put(table.indexOf(es.get(p).movieId()), p);
            }
            int[] h = new int[last.size()];
            int n = 0;
            for (int p = 0; p < es.size(); p++) {
                int m = table.indexOf(es.get(p).movieId());
                if (last.get(m) == p) {
                    h[n++] = m;
                }
            }
            out.put(u, h);
        });
        return out;
    }

    /** Chooses every peer's cell on the validation cut of {@code split}, then fits each on the whole training part. */
    public static Tuned tune(EvalSplit split, MovieTable table, Grid grid, int k) {
        long t0 = System.nanoTime();
        EvalSplit validation = validationCut(split);
        Map<String, int[]> hist = histories(validation.train(), table);
        List<String> users = validation.test().keySet().stream().filter(hist::containsKey).toList();
        Map<String, long[]> excluded = Exclusion.watchedSets(validation.train());
        int n = table.size();
        // Half-lives scored: the grid's, then ∞ (no recency weighting) last.
        double[] hs = new double[grid.halfLives().size() + 1];
        for (int h = 0; h < hs.length - 1; h++) {
            hs[h] = grid.halfLives().get(h);
        }
        hs[hs.length - 1] = Double.POSITIVE_INFINITY;
        int inf = hs.length - 1;

        double[][] ease = new double[grid.lambdas().size()][];
        for (int l = 0; l < ease.length; l++) {
            EaseModel m = EaseModel.fit(hist.values(), n, grid.lambdas().get(l));
            ease[l] = meanNdcg(users, hist, excluded, validation.test(), table, hs, k, m::score);
        }
        int maxK = grid.neighbours().stream().mapToInt(Integer::intValue).max().orElseThrow();
        ItemToItem knnAll = ItemToItem.of(ItemNeighbours.build(hist.values(), n, maxK));
        double[][] knn = new double[grid.neighbours().size()][];
        for (int c = 0; c < knn.length; c++) {
            ItemToItem m = knnAll.truncate(grid.neighbours().get(c));
            knn[c] = meanNdcg(users, hist, excluded, validation.test(), table, hs, k, (p, w, out) -> {
                for (int h = 0; h < w.length; h++) {
                    m.score(p, w[h], out[h]);
                }
            });
        }
        int[] easeCell = best(ease, inf, inf + 1);
        int[] easeRecencyCell = best(ease, 0, inf);
        int[] knnCell = best(knn, 0, inf);
        LOG.info("peer validation on {} users ({} training events) in {} ms: EASE grid {}, item-kNN grid {}", users.size(),
                validation.train().size(), (System.nanoTime() - t0) / 1_000_000, gridText(ease, grid.lambdas(), "λ", hs),
                gridText(knn, grid.neighbours(), "k", hs));

        Map<String, int[]> testHist = histories(split.train(), table);
        List<RankingMethod> methods = new ArrayList<>();
        List<Choice> choices = new ArrayList<>();
        Map<Double, EaseModel> fits = new HashMap<>();
        Map<Double, Double> fitSeconds = new HashMap<>();
        long t1 = System.nanoTime();
        ItemToItem knnTest = ItemToItem.of(ItemNeighbours.build(testHist.values(), n, grid.neighbours().get(knnCell[0])));
        double knnSeconds = (System.nanoTime() - t1) / 1e9;
        methods.add(Baselines.itemToItem(KNN_RECENCY, knnTest, testHist, hs[knnCell[1]], table));
        choices.add(new Choice(KNN_RECENCY, String.format(Locale.ROOT, "k=%d, h=%s", grid.neighbours().get(knnCell[0]),
                halfLife(hs[knnCell[1]])), knn[knnCell[0]][knnCell[1]], knnSeconds));
        for (Object[] peer : new Object[][] {{EASE, easeCell}, {EASE_RECENCY, easeRecencyCell}}) {
            String name = (String) peer[0];
            int[] cell = (int[]) peer[1];
            double lambda = grid.lambdas().get(cell[0]);
            EaseModel m = fits.computeIfAbsent(lambda, l -> {
                long t = System.nanoTime();
                EaseModel fit = EaseModel.fit(testHist.values(), n, l);
                fitSeconds.put(l, (System.nanoTime() - t) / 1e9);
                return fit;
            });
            methods.add(Baselines.ease(name, m, testHist, hs[cell[1]], table));
            choices.add(new Choice(name, String.format(Locale.ROOT, "λ=%s, h=%s", num(lambda), halfLife(hs[cell[1]])),
                    ease[cell[0]][cell[1]], fitSeconds.get(lambda)));
        }
        String best = choices.stream().max((a, b) -> Double.compare(a.validationNdcg(), b.validationNdcg())).orElseThrow().method();
        return new Tuned(methods, choices, best, users.size());
    }

    /** Scores a profile under several weightings at once: {@code out[h] += Σ weights[h][x]·row(profile[x])}. */
    interface MultiScorer {
        void score(int[] profile, double[][] weights, double[][] out);
    }

    /** Mean NDCG@k over {@code users} for every half-life in {@code hs}, every movie of the user's events excluded. */
    static double[] meanNdcg(List<String> users, Map<String, int[]> hist, Map<String, long[]> excluded, Map<String, Set<Long>> test,
                             MovieTable table, double[] hs, int k, MultiScorer scorer) {
        int n = table.size();
        double[] sum = new double[hs.length];
        for (String u : users) {
            int[] p = hist.get(u);
            double[][] w = new double[hs.length][];
            for (int h = 0; h < hs.length; h++) {
                w[h] = ItemToItem.recencyWeights(p.length, hs[h]);
            }
            double[][] s = new double[hs.length][n];
            scorer.score(p, w, s);
            boolean[] seen = new boolean[n]; // Exclusion's rule: every movie of any of the user's events
            for (long id : excluded.getOrDefault(u, new long[0])) {
                int j = table.indexOf(id);
                if (j >= 0) {
                    seen[j] = true;
                }
            }
            for (int h = 0; h < hs.length; h++) {
                sum[h] += RankingMetrics.of(top(s[h], m -> seen[m], table, k), test.get(u), k).ndcg();
            }
        }
        for (int h = 0; h < hs.length; h++) {
            sum[h] /= Math.max(1, users.size());
        }
        return sum;
    }

    /** The k best movie ids by score, skipping excluded indices; ties to the lower index. */
    static long[] top(double[] score, java.util.function.IntPredicate excluded, MovieTable table, int k) {
        TopN top = new TopN(k);
        for (int m = 0; m < score.length; m++) {
            if (!excluded.test(m)) {
                top.offer(score[m], m);
            }
        }
        int[] items = new int[top.size()];
        int c = top.drainBestFirst(items, new double[items.length]);
        long[] out = new long[c];
        for (int i = 0; i < c; i++) {
            out[i] = table.movieId(items[i]);
        }
        return out;
    }

    /** The best cell of {@code grid[row][col]} over columns [from, to), first in grid order on ties. */
    private static int[] best(double[][] grid, int from, int to) {
        int[] cell = {0, from};
        for (int r = 0; r < grid.length; r++) {
            for (int c = from; c < to; c++) {
                if (grid[r][c] > grid[cell[0]][cell[1]]) {
                    cell = new int[] {r, c};
                }
            }
        }
        return cell;
    }

    private static String gridText(double[][] grid, List<? extends Number> rows, String rowName, double[] hs) {
        StringBuilder sb = new StringBuilder();
        for (int r = 0; r < grid.length; r++) {
            sb.append(String.format(Locale.ROOT, "%n  %s=%s:", rowName, num(rows.get(r).doubleValue())));
            for (int c = 0; c < hs.length; c++) {
                sb.append(String.format(Locale.ROOT, " h=%s %.4f", halfLife(hs[c]), grid[r][c]));
            }
        }
        return sb.toString();
    }

    private static String halfLife(double h) {
        return Double.isInfinite(h) ? "∞" : num(h);
    }

    private static String num(double x) {
        return x == Math.rint(x) ? String.valueOf((long) x) : String.valueOf(x);
    }
}
