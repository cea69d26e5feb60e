package io.moerec.moe.dev;

import io.moerec.moe.MoeModel;
import io.moerec.moe.MoeScorer;
import io.moerec.moe.eval.EvalSplit;
import io.moerec.moe.eval.MeanWithError;
import io.moerec.moe.eval.Peers;
import io.moerec.moe.eval.RankingMetrics;
import io.moerec.moe.model.ItemToItem;
import io.moerec.moe.model.MovieTable;
import io.moerec.moe.routing.RouterKind;
import io.moerec.moe.train.MoeTrainer;
import io.moerec.moe.TrainingConfig;
import io.moerec.moe.train.TrainingData;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;

/**
 * Dev runner (test scope, not a test): how much today's MoE (softmax router, default training) adds
 * when it only re-orders the item-to-item stage's top C candidates, on the user-time validation cut
 * (no test event is read). Stage 1 is EASE kept to its top M weights per item over the recency-weighted
 * history. Rows: stage 1 alone, the candidates in the MoE's order, and reciprocal-rank fusion of the
 * two orders (1/(60 + rank)). Arguments: data directory, output directory, λ, h, M. Appends to
 * {@code rerank.md}.
 */
public final class DevRerank {

    private static final Logger LOG = LoggerFactory.getLogger(DevRerank.class);

    private DevRerank() {
    }

    public static void main(String[] args) throws Exception {
        SLF4JBridgeHandler.removeHandlersForRootLogger();
        SLF4JBridgeHandler.install();
        Path out = Files.createDirectories(Path.of(args[1]));
        double lambda = Double.parseDouble(args[2]);
        double h = Double.parseDouble(args[3]);
        int m = Integer.parseInt(args[4]);
        DevRun.Loaded ml = DevRun.Loaded.of(Path.of(args[0]));
        EvalSplit validation = EvalSplit.userTime(EvalSplit.userTime(ml.events(), 10, 0.2).train(), 10, 0.2);
        TrainingConfig config = TrainingConfig.defaults();
        long t0 = System.nanoTime();
        TrainingData data = TrainingData.prepare(ml.movies(), validation.train(), config.features());
        MoeModel model = MoeTrainer.train("rerank (validation)", data, config);
        double trainSeconds = (System.nanoTime() - t0) / 1e9;
        MovieTable table = data.table();
        Map<String, int[]> hist = Peers.histories(validation.train(), table);
        ItemToItem stage1 = ItemToItem.ease(hist.values(), table.size(), lambda, m);
        MoeScorer moe = model.scorer(RouterKind.SOFTMAX);
        int[] cs = {20, 50, 100, 200, 500};
        List<String> users = validation.test().keySet().stream().filter(u -> hist.containsKey(u) && data.latestUserVectors().containsKey(u))
                .toList();
        double[][][] ndcg = new double[cs.length][3][users.size()];
        double[] moeAlone = new double[users.size()];
        for (int x = 0; x < users.size(); x++) {
            String u = users.get(x);
            int[] p = hist.get(u);
            Set<Long> seen = new HashSet<>();
            for (int j : p) {
                seen.add(table.movieId(j));
            }
            List<ItemToItem.Candidate> cand = stage1.candidates(p, new double[] {h}, i -> seen.contains(table.movieId(i)),
                    cs[cs.length - 1]);
            long[] full = moe.recommend(data.latestUserVectors().get(u), data.latestRecentWatches().getOrDefault(u, new int[0]),
                    seen::contains, table.size()).stream().mapToLong(it -> it.movieId()).toArray();
            Map<Long, Integer> moeRank = new HashMap<>();
            for (int r = 0; r < full.length; r++) {
                moeRank.put(full[r], r);
            }
            Set<Long> relevant = validation.test().get(u);
            moeAlone[x] = RankingMetrics.of(full, relevant, 10).ndcg();
            for (int c = 0; c < cs.length; c++) {
                List<Long> ids = new ArrayList<>();
                for (int r = 0; r < Math.min(cs[c], cand.size()); r++) {
                    ids.add(table.movieId(cand.get(r).item()));
                }
                List<Long> byMoe = new ArrayList<>(ids);
                byMoe.sort((a, b) -> Integer.compare(moeRank.getOrDefault(a, Integer.MAX_VALUE), moeRank.getOrDefault(b, Integer.MAX_VALUE)));
                Map<Long, Double> fused = new HashMap<>();
                for (int r = 0; r < ids.size(); r++) {
                    fused.put(ids.get(r), 1.0 / (60 + r) + 1.0 / (60 + moeRank.getOrDefault(ids.get(r), table.size())));
                }
                List<Long> byFusion = new ArrayList<>(ids);
                byFusion.sort((a, b) -> Double.compare(fused.get(b), fused.get(a)));
                ndcg[c][0][x] = RankingMetrics.of(ids.stream().mapToLong(Long::longValue).toArray(), relevant, 10).ndcg();
                ndcg[c][1][x] = RankingMetrics.of(byMoe.stream().mapToLong(Long::longValue).toArray(), relevant, 10).ndcg();
                ndcg[c][2][x] = RankingMetrics.of(byFusion.stream().mapToLong(Long::longValue).toArray(), relevant, 10).ndcg();
            }
        }
        StringBuilder md = new StringBuilder(String.format(Locale.ROOT, "## Re-ranking stage-1 candidates (validation cut, %d users; "
                + "EASE λ=%s, h=%s, M=%d; MoE trained in %.0f s)%n%n", users.size(), lambda, h, m, trainSeconds));
        MeanWithError ma = MeanWithError.of(moeAlone);
        md.append(String.format(Locale.ROOT, "MoE (softmax) over the full catalog: NDCG@10 %.4f ± %.4f%n%n", ma.mean(), ma.standardError()));
        md.append("| C | stage 1 alone | MoE order | Δ (paired) | RRF | Δ (paired) |\n|---|---|---|---|---|---|\n");
        for (int c = 0; c < cs.length; c++) {
            MeanWithError s1 = MeanWithError.of(ndcg[c][0]);
            md.append(String.format(Locale.ROOT, "| %d | %.4f ± %.4f", cs[c], s1.mean(), s1.standardError()));
            for (int v = 1; v < 3; v++) {
                double[] d = new double[users.size()];
                for (int x = 0; x < d.length; x++) {
                    d[x] = ndcg[c][v][x] - ndcg[c][0][x];
                }
                MeanWithError e = MeanWithError.of(ndcg[c][v]);
                MeanWithError de = MeanWithError.of(d);
                md.append(String.format(Locale.ROOT, " | %.4f ± %.4f | %+.4f ± %.4f", e.mean(), e.standardError(), de.mean(), de.standardError()));
            }
            md.append(" |\n");
        }
        LOG.info("\n{}", md);
        Files.writeString(out.resolve("rerank.md"), md.append('\n'), StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
    }
}
