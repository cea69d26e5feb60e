package io.moerec.moe.dev;

import io.moerec.moe.eval.EvalSplit;
import io.moerec.moe.eval.Peers;
import io.moerec.moe.eval.RankingMethod;
import io.moerec.moe.eval.RankingMetrics;
import io.moerec.moe.eval.Baselines;
import io.moerec.moe.eval.MeanWithError;
import io.moerec.moe.model.EaseModel;
import io.moerec.moe.model.ItemToItem;
import io.moerec.moe.model.MovieTable;
import io.moerec.ingest.domain.ViewingEvent;
import io.moerec.moe.train.TrainingData;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Dev runner (test scope, not a test) for the item-to-item stage on the user-time split of a data
 * directory: the peers chosen on the validation cut and measured once on the test part; then, at the
 * recency-weighted EASE cell chosen there, NDCG@10 of the sparse model by neighbours kept per item M
 * (with its size and build time). With {@code primal} as third argument, only the fit times of the
 * users × users and the items × items forms, and how close their weights are. Arguments: data directory, output directory, [primal]. Appends to {@code itemtoitem.md}.
 */
public final class DevItemToItem {

    private static final Logger LOG = LoggerFactory.getLogger(DevItemToItem.class);

    private DevItemToItem() {
    }

    public static void main(String[] args) throws Exception {
        Path out = Files.createDirectories(Path.of(args[1]));
        DevRun.Loaded ml = DevRun.Loaded.of(Path.of(args[0]));
        EvalSplit split = EvalSplit.userTime(ml.events(), 10, 0.2);
        MovieTable table = MovieTable.builder(ml.movies()).build();
        StringBuilder md = new StringBuilder();
        if (args.length > 2 && args[2].equals("primal")) {
            primalVersusDual(Peers.histories(split.train(), table), table, 400, md);
            LOG.info("\n{}", md);
            Files.writeString(out.resolve("itemtoitem.md"), md, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            return;
        }
        Map<String, Set<Long>> watched = new HashMap<>();
        for (ViewingEvent e : split.train()) {
            if (TrainingData.isWatch(e)) {
                watched.computeIfAbsent(e.userId(), u -> new HashSet<>()).add(e.movieId());
            }
        }
        List<String> users = new ArrayList<>(split.test().keySet());
        long t0 = System.nanoTime();
        Peers.Tuned tuned = Peers.tune(split, table, Peers.Grid.defaults(), 10);
        md.append(String.format(Locale.ROOT, "## Peers (user-time split, %d test users, %d validation users; tuning + test fits %.1f s)%n%n",
                users.size(), tuned.validationUsers(), (System.nanoTime() - t0) / 1e9));
        md.append("| peer | chosen | validation NDCG@10 | fit (s) |\n|---|---|---|---|\n");
        for (Peers.Choice c : tuned.choices()) {
            md.append(String.format(Locale.ROOT, "| %s | %s | %.4f | %.2f |%n", c.method(), c.setting(), c.validationNdcg(), c.fitSeconds()));
        }
        Map<String, double[]> perUser = new LinkedHashMap<>();
        md.append("\n| method | NDCG@10 | HR@10 | Recall@10 | MRR@10 |\n|---|---|---|---|---|\n");
        for (RankingMethod m : tuned.methods()) {
            md.append(row(m, users, watched, split, perUser));
        }
        double[] ref = perUser.get(tuned.best());
        md.append("\nΔ NDCG@10 against ").append(tuned.best()).append(" (paired):");
        perUser.forEach((name, v) -> {
            if (!name.equals(tuned.best())) {
                double[] d = new double[v.length];
                for (int i = 0; i < d.length; i++) {
                    d[i] = v[i] - ref[i];
                }
                MeanWithError e = MeanWithError.of(d);
                md.append(String.format(Locale.ROOT, " %s %+.4f ± %.4f;", name, e.mean(), e.standardError()));
            }
        });
        md.append("\n\n");

        // M vs quality at the chosen recency-weighted EASE cell.
        Peers.Choice ease = tuned.choices().stream().filter(c -> c.method().equals(Peers.EASE_RECENCY)).findFirst().orElseThrow();
        double lambda = Double.parseDouble(ease.setting().replaceAll(".*λ=([0-9.]+).*", "$1"));
        double h = Double.parseDouble(ease.setting().replaceAll(".*h=([0-9.]+).*", "$1"));
        Map<String, int[]> hist = Peers.histories(split.train(), table);
        long f0 = System.nanoTime();
        EaseModel model = EaseModel.fit(hist.values(), table.size(), lambda);
        double fitSeconds = (System.nanoTime() - f0) / 1e9;
        md.append(String.format(Locale.ROOT, "## Sparse EASE by M (λ=%s, h=%s; fit %.2f s, %s form)%n%n| M | stored weights | MB (int+float) "
                + "| build (s) | NDCG@10 | Δ vs exact (paired) |%n|---|---|---|---|---|---|%n", lambda, h, fitSeconds,
                model.dual() ? "users × users" : "items × items"));
        Map<String, double[]> exact = new LinkedHashMap<>();
        row(Baselines.ease("exact", model, hist, h, table), users, watched, split, exact);
        for (int m : new int[] {10, 20, 50, 100, 200, 500, 1000, 2000}) {
            long s0 = System.nanoTime();
            ItemToItem sparse = model.sparsify(m);
            double build = (System.nanoTime() - s0) / 1e9;
            Map<String, double[]> pu = new LinkedHashMap<>();
            row(Baselines.itemToItem("M=" + m, sparse, hist, h, table), users, watched, split, pu);
            double[] v = pu.values().iterator().next();
            double[] d = new double[v.length];
            for (int i = 0; i < d.length; i++) {
                d[i] = v[i] - exact.get("exact")[i];
            }
            MeanWithError nd = MeanWithError.of(v);
            MeanWithError dd = MeanWithError.of(d);
            md.append(String.format(Locale.ROOT, "| %d | %d | %.1f | %.2f | %.4f ± %.4f | %+.4f ± %.4f |%n", m, sparse.storedWeights(),
                    sparse.storedWeights() * 8 / 1e6, build, nd.mean(), nd.standardError(), dd.mean(), dd.standardError()));
        }
        MeanWithError ex = MeanWithError.of(exact.get("exact"));
        md.append(String.format(Locale.ROOT, "| exact | | | | %.4f ± %.4f | |%n%n", ex.mean(), ex.standardError()));

        // Stage 1 as the two-stage design uses it: the share of each test user's held-out items among the top C candidates.
        int[] cs = {50, 100, 200, 500, 1000};
        md.append("Candidate recall (mean over test users of held-out items within the top C candidates, watched excluded):\n\n| M |");
        for (int c : cs) {
            md.append(" C=").append(c).append(" |");
        }
        md.append(" ms per user (C=1000) |\n|---|---|---|---|---|---|---|\n");
        for (int m : new int[] {20, 50, 100, 200, 500}) {
            ItemToItem sparse = model.sparsify(m);
            double[] recall = new double[cs.length];
            long c0 = System.nanoTime();
            for (String u : users) {
                Set<Long> seen = watched.getOrDefault(u, Set.of());
                List<ItemToItem.Candidate> cand = sparse.candidates(hist.getOrDefault(u, new int[0]), new double[] {h},
                        i -> seen.contains(table.movieId(i)), cs[cs.length - 1]);
                Set<Long> relevant = split.test().get(u);
                for (int x = 0; x < cs.length; x++) {
                    int hits = 0;
                    for (int r = 0; r < Math.min(cs[x], cand.size()); r++) {
                        if (relevant.contains(table.movieId(cand.get(r).item()))) {
                            hits++;
                        }
                    }
                    recall[x] += (double) hits / relevant.size() / users.size();
                }
            }
            double ms = (System.nanoTime() - c0) / 1e6 / users.size();
            md.append("| ").append(m).append(" |");
            for (double r : recall) {
                md.append(String.format(Locale.ROOT, " %.3f |", r));
            }
            md.append(String.format(Locale.ROOT, " %.2f |%n", ms));
        }
        md.append('\n');

        LOG.info("\n{}", md);
        Files.writeString(out.resolve("itemtoitem.md"), md, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    /** Fit time and heap of both forms at one λ, and how far apart their weights are. */
    private static void primalVersusDual(Map<String, int[]> hist, MovieTable table, double lambda, StringBuilder md) {
        Runtime rt = Runtime.getRuntime();
        long d0 = System.nanoTime();
        EaseModel dual = EaseModel.fitDual(hist.values(), table.size(), lambda);
        double ds = (System.nanoTime() - d0) / 1e9;
        rt.gc();
        long before = rt.totalMemory() - rt.freeMemory();
        long p0 = System.nanoTime();
        EaseModel primal = EaseModel.fitPrimal(hist.values(), table.size(), lambda);
        double ps = (System.nanoTime() - p0) / 1e9;
        rt.gc();
        long after = rt.totalMemory() - rt.freeMemory();
        double maxDiff = 0;
        double maxAbs = 0;
        for (int j = 0; j < table.size(); j += 97) {
            double[] a = primal.row(j);
            double[] b = dual.row(j);
            for (int i = 0; i < a.length; i++) {
                maxDiff = Math.max(maxDiff, Math.abs(a[i] - b[i]));
                maxAbs = Math.max(maxAbs, Math.abs(b[i]));
            }
        }
        md.append(String.format(Locale.ROOT, "EASE λ=%s on %d users × %d items: users × users fit %.2f s; items × items fit (EJML Cholesky "
                + "inverse) %.1f s, retained heap %.0f MB; max |B_primal − B_dual| over every 97th row %.2e (max |B| %.2e)%n%n", lambda,
                dual.users(), table.size(), ds, ps, (after - before) / 1e6, maxDiff, maxAbs));
    }

    private static String row(RankingMethod m, List<String> users, Map<String, Set<Long>> watched, EvalSplit split,
                              Map<String, double[]> perUser) {
        double[][] v = new double[4][users.size()];
        for (int i = 0; i < users.size(); i++) {
            Set<Long> seen = watched.getOrDefault(users.get(i), Set.of());
            RankingMetrics r = RankingMetrics.of(m.recommend(users.get(i), null, seen::contains, 10), split.test().get(users.get(i)), 10);
            v[0][i] = r.ndcg();
            v[1][i] = r.hr();
            v[2][i] = r.recall();
            v[3][i] = r.mrr();
        }
        perUser.put(m.name(), v[0]);
        StringBuilder sb = new StringBuilder("| " + m.name());
        for (double[] x : v) {
            MeanWithError e = MeanWithError.of(x);
            sb.append(String.format(Locale.ROOT, " | %.4f ± %.4f", e.mean(), e.standardError()));
        }
        return sb.append(" |\n").toString();
    }
}
