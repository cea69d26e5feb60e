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
 * paired NDCG differences against the global model and against the best peer, the peers' chosen
 * settings, the routing statistics of every MoE router, expert specialisation and timings. Renders as
 * Markdown, HTML and JSON.
 *
 * @param split            split kind
 * @param trainEvents      events in the training part
 * @param testUsers        users evaluated
 * @param skippedTestUsers test users without training features (cannot be routed), not evaluated
 * @param droppedTestItems test items dropped (unseen in training, or already in the user's training)
 * @param catalogSize      movies in the model's table (the candidate universe)
 * @param k                cut-off
 * @param methods          per method: metrics
 * @param pairedNdcg       per method, its NDCG@k minus the single-stage global model's, paired over the same users, with the SE
 *                         of that paired mean (the test "beats the global model by two standard errors" uses this)
 * @param routing          per router: load statistics over the test users
 * @param specialisation   mean pairwise Pearson correlation of the experts' scores on a probe set
 *                         (lower = more specialised)
 * @param trainSeconds     MoE training time
 * @param baselineSeconds  the single-stage global model's training time
 * @param peers            the item-to-item peers' chosen hyper-parameters (chosen on a validation cut of the
 *                         training part; empty if the peers were left out)
 * @param bestPeer         the peer with the best validation NDCG, or null
 * @param pairedNdcgVsBestPeer per method, its NDCG@k minus the best peer's, paired over the same users, with the SE
 * @param pairedNdcgVsTwoStageGlobal per method, its NDCG@k minus the two-stage global model's (the shared expert
 *                         alone over the same candidates), paired; empty off the two-stage path
 */
public record EvaluationReport(String split, int trainEvents, int testUsers, int skippedTestUsers, int droppedTestItems,
                               int catalogSize, int k, List<MethodResult> methods, List<PairedDelta> pairedNdcg,
                               Map<String, RoutingStats> routing,
                               double specialisation, double trainSeconds, double baselineSeconds,
                               List<Peers.Choice> peers, String bestPeer, List<PairedDelta> pairedNdcgVsBestPeer,
                               List<PairedDelta> pairedNdcgVsTwoStageGlobal) {

    /** One method's metrics. */
    public record MethodResult(String method, MeanWithError hr, MeanWithError ndcg, MeanWithError recall,
                               MeanWithError mrr, double coverage) {
    }

    /**
     * A paired comparison: the mean over users of metric(method, u) − metric(against, u), with the
     * standard error of that mean.
     */
    public record PairedDelta(String method, String against, MeanWithError delta) {
    }

    /** The paired NDCG difference of a method against the global model. */
    public PairedDelta pairedNdcg(String name) {
        return pairedNdcg.stream().filter(p -> p.method().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no paired comparison for " + name));
    }

    public MethodResult method(String name) {
        return methods.stream().filter(m -> m.method().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no method " + name));
    }

    public String toMarkdown() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "## Evaluation (%s split, K = %d)%n%n", split, k));
        sb.append(String.format(Locale.ROOT, "Training events %d; test users %d (skipped %d without features); "
                + "test items dropped %d; candidate catalog %d movies; MoE training %.1f s, single-stage global model %.1f s.%n%n",
                trainEvents, testUsers, skippedTestUsers, droppedTestItems, catalogSize, trainSeconds, baselineSeconds));
        sb.append(String.format(Locale.ROOT, "| method | HR@%1$d | NDCG@%1$d | Recall@%1$d | MRR@%1$d | coverage |%n", k));
        sb.append("|---|---|---|---|---|---|\n");
        for (MethodResult m : methods) {
            sb.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %.3f |%n", m.method(), fmt(m.hr()), fmt(m.ndcg()),
                    fmt(m.recall()), fmt(m.mrr()), m.coverage()));
        }
        if (!peers.isEmpty()) {
            sb.append(String.format(Locale.ROOT, "%n### Peers, hyper-parameters chosen on the validation cut%n%n"));
            sb.append(String.format(Locale.ROOT, "| peer | chosen | validation NDCG@%d | fit on training (s) |%n|---|---|---|---|%n", k));
            for (Peers.Choice c : peers) {
                sb.append(String.format(Locale.ROOT, "| %s | %s | %.4f | %.2f |%n", c.method(), c.setting(), c.validationNdcg(),
                        c.fitSeconds()));
            }
        }
        pairedTable(sb, pairedNdcg);
        pairedTable(sb, pairedNdcgVsBestPeer);
        pairedTable(sb, pairedNdcgVsTwoStageGlobal);
        sb.append(String.format(Locale.ROOT, "%n### Routing over test users%n%n| router | CV | MaxVio | entropy (nats, max %.2f) | overflow | top shares |%n",
                Math.log(Genre.COUNT)));
        sb.append("|---|---|---|---|---|---|\n");
        routing.forEach((r, s) -> sb.append(String.format(Locale.ROOT, "| %s | %.3f | %.3f | %.3f | %.4f | %s |%n", r, s.cv(), s.maxVio(),
                s.entropy(), s.overflow(), topShares(s))));
        sb.append(String.format(Locale.ROOT, "%nExpert specialisation (mean pairwise correlation of expert scores on the probe set): %.3f%n",
                specialisation));
        return sb.toString();
    }

    private void pairedTable(StringBuilder sb, List<PairedDelta> paired) {
        if (paired.isEmpty()) {
            return;
        }
        sb.append(String.format(Locale.ROOT, "%n### NDCG@%d against %s, paired over the same users%n%n", k, paired.get(0).against()));
        sb.append("| method | Δ NDCG | SE(paired Δ) | Δ / SE |\n|---|---|---|---|\n");
        for (PairedDelta p : paired) {
            sb.append(String.format(Locale.ROOT, "| %s vs %s | %+.4f | %.4f | %+.1f |%n", p.method(), p.against(),
                    p.delta().mean(), p.delta().standardError(), p.delta().mean() / p.delta().standardError()));
        }
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

    /**
     * A self-contained HTML page (inline SVG, no scripts, no network): the metrics table, NDCG@K by
     * method with ±2 standard-error bars, and each expert's load share by router.
     */
    public String toHtml() {
        StringBuilder h = new StringBuilder();
        h.append("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>moerec evaluation</title>")
                .append("<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}")
                .append("td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}th{background:#eee}</style></head><body>");
        h.append(String.format(Locale.ROOT, "<h1>Evaluation: %s split, K = %d</h1><p>%d test users, %d candidate movies, "
                + "specialisation %.3f</p>", esc(split), k, testUsers, catalogSize, specialisation));
        h.append("<table><tr><th>method</th><th>HR</th><th>NDCG</th><th>Recall</th><th>MRR</th><th>coverage</th></tr>");
        for (MethodResult m : methods) {
            h.append(String.format(Locale.ROOT, "<tr><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%.3f</td></tr>",
                    esc(m.method()), fmt(m.hr()), fmt(m.ndcg()), fmt(m.recall()), fmt(m.mrr()), m.coverage()));
        }
        h.append("</table>");
        for (List<PairedDelta> paired : List.of(pairedNdcg, pairedNdcgVsBestPeer)) {
            if (paired.isEmpty()) {
                continue;
            }
            h.append("<h2>NDCG@").append(k).append(" against ").append(esc(paired.get(0).against()))
                    .append(", paired over users</h2><table><tr><th>method</th><th>Δ</th><th>SE(paired)</th><th>Δ / SE</th></tr>");
            for (PairedDelta p : paired) {
                h.append(String.format(Locale.ROOT, "<tr><td>%s</td><td>%+.4f</td><td>%.4f</td><td>%+.1f</td></tr>", esc(p.method()),
                        p.delta().mean(), p.delta().standardError(), p.delta().mean() / p.delta().standardError()));
            }
            h.append("</table>");
        }
        if (!peers.isEmpty()) {
            h.append("<h2>Peers, chosen on the validation cut</h2><table><tr><th>peer</th><th>chosen</th><th>validation NDCG</th></tr>");
            for (Peers.Choice c : peers) {
                h.append(String.format(Locale.ROOT, "<tr><td>%s</td><td>%s</td><td>%.4f</td></tr>", esc(c.method()), esc(c.setting()),
                        c.validationNdcg()));
            }
            h.append("</table>");
        }
        h.append("<h2>NDCG@").append(k).append(" by method (bars ±2 SE)</h2>");
        double max = methods.stream().mapToDouble(m -> m.ndcg().mean() + 2 * nz(m.ndcg().standardError())).max().orElse(1);
        int w = 640;
        int row = 26;
        h.append(String.format(Locale.ROOT, "<svg width=\"%d\" height=\"%d\">", w + 160, row * methods.size() + 10));
        for (int i = 0; i < methods.size(); i++) {
            MethodResult m = methods.get(i);
            double x = w * m.ndcg().mean() / max;
            double e = w * 2 * nz(m.ndcg().standardError()) / max;
            int y = i * row + 5;
            h.append(String.format(Locale.ROOT, "<text x=\"0\" y=\"%d\" font-size=\"12\">%s</text>", y + 15, esc(m.method())))
                    .append(String.format(Locale.ROOT, "<rect x=\"150\" y=\"%d\" width=\"%.1f\" height=\"18\" fill=\"%s\"/>", y, x,
                            m.method().startsWith("moe-") ? "#4a7ebb" : "#999"))
                    .append(String.format(Locale.ROOT, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" y2=\"%d\" stroke=\"black\"/>",
                            150 + x - e, 150 + x + e, y + 9, y + 9));
        }
        h.append("</svg><h2>Expert load share by router</h2>");
        String[] colours = {"#4a7ebb", "#d9822b", "#5aa05a", "#aa4a6a", "#777"};
        int bar = 7;
        int group = bar * Math.max(1, routing.size()) + 6;
        double maxShare = routing.values().stream().flatMapToDouble(r -> java.util.Arrays.stream(r.share())).max().orElse(1);
        h.append(String.format(Locale.ROOT, "<svg width=\"%d\" height=\"300\">", group * Genre.COUNT + 40));
        int ri = 0;
        for (Map.Entry<String, RoutingStats> r : routing.entrySet()) {
            for (int g = 0; g < Genre.COUNT; g++) {
                double hgt = 220 * r.getValue().share()[g] / maxShare;
                h.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%.1f\" width=\"%d\" height=\"%.1f\" fill=\"%s\"/>",
                        g * group + ri * bar, 230 - hgt, bar - 1, hgt, colours[ri % colours.length]));
            }
            h.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"295\" font-size=\"12\" fill=\"%s\">%s</text>", 10 + ri * 110,
                    colours[ri % colours.length], esc(r.getKey())));
            ri++;
        }
        for (int g = 0; g < Genre.COUNT; g++) {
            h.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"245\" font-size=\"9\" transform=\"rotate(30 %d 245)\">%s</text>",
                    g * group, g * group, esc(Genre.ofIndex(g).wireName())));
        }
        return h.append("</svg></body></html>\n").toString();
    }

    private static double nz(double x) {
        return Double.isNaN(x) ? 0 : x;
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    public String toJson() {
        try {
            return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("report not serialisable", e);
        }
    }
}
