package io.moerec.moe.eval;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.moerec.ingest.domain.Genre;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The result of one evaluation run: the split, the metrics of every method with standard errors,
 * the routing statistics of every MoE router, expert specialisation and timings. Renders as Markdown
 * and JSON.
 *
 * @param split            split kind
 * @param trainEvents      events in the training part
 * @param testUsers        users evaluated
 * @param skippedTestUsers test users without training features (cannot be routed), not evaluated
 * @param droppedTestItems test items dropped (unseen in training, or already in the user's training)
 * @param catalogSize      movies in the model's table (the candidate universe)
 * @param k                cut-off
 * @param methods          per method: metrics
 * @param routing          per router: load statistics over the test users
 * @param specialisation   mean pairwise Pearson correlation of the experts' scores on a probe set
 *                         (lower = more specialised)
 * @param trainSeconds     MoE training time
 * @param baselineSeconds  global-model training time
 */
public record EvaluationReport(String split, int trainEvents, int testUsers, int skippedTestUsers, int droppedTestItems,
                               int catalogSize, int k, List<MethodResult> methods, Map<String, RoutingStats> routing,
                               double specialisation, double trainSeconds, double baselineSeconds) {

    /** One method's metrics. */
    public record MethodResult(String method, MeanWithError hr, MeanWithError ndcg, MeanWithError recall,
                               MeanWithError mrr, double coverage) {
    }

    public MethodResult method(String name) {
        return methods.stream().filter(m -> m.method().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no method " + name));
    }

    public String toMarkdown() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "## Evaluation (%s split, K = %d)%n%n", split, k));
        sb.append(String.format(Locale.ROOT, "Training events %d; test users %d (skipped %d without features); "
                + "test items dropped %d; candidate catalog %d movies; MoE training %.1f s, global model %.1f s.%n%n",
                trainEvents, testUsers, skippedTestUsers, droppedTestItems, catalogSize, trainSeconds, baselineSeconds));
        sb.append(String.format(Locale.ROOT, "| method | HR@%1$d | NDCG@%1$d | Recall@%1$d | MRR@%1$d | coverage |%n", k));
        sb.append("|---|---|---|---|---|---|\n");
        for (MethodResult m : methods) {
            sb.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %.3f |%n", m.method(), fmt(m.hr()), fmt(m.ndcg()),
                    fmt(m.recall()), fmt(m.mrr()), m.coverage()));
        }
        sb.append(String.format(Locale.ROOT, "%n### Routing over test users%n%n| router | CV | MaxVio | entropy (nats, max %.2f) | top shares |%n",
                Math.log(Genre.COUNT)));
        sb.append("|---|---|---|---|---|\n");
        routing.forEach((r, s) -> sb.append(String.format(Locale.ROOT, "| %s | %.3f | %.3f | %.3f | %s |%n", r, s.cv(), s.maxVio(),
                s.entropy(), topShares(s))));
        sb.append(String.format(Locale.ROOT, "%nExpert specialisation (mean pairwise correlation of expert scores on the probe set): %.3f%n",
                specialisation));
        return sb.toString();
    }

    private static String topShares(RoutingStats s) {
        Integer[] idx = new Integer[Genre.COUNT];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = i;
        }
        java.util.Arrays.sort(idx, (a, b) -> Double.compare(s.share()[b], s.share()[a]));
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 3; i++) {
            sb.append(i > 0 ? ", " : "").append(Genre.ofIndex(idx[i]).wireName())
                    .append(String.format(Locale.ROOT, " %.2f", s.share()[idx[i]]));
        }
        return sb.toString();
    }

    private static String fmt(MeanWithError m) {
        return String.format(Locale.ROOT, "%.4f ± %.4f", m.mean(), m.standardError());
    }

    public String toJson() {
        try {
            return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("report not serialisable", e);
        }
    }
}
