package io.moerec.moe.dev;

import io.moerec.moe.MoeModel;
import io.moerec.moe.eval.EvalSplit;
import io.moerec.moe.eval.Evaluation;
import io.moerec.moe.eval.EvaluationReport;
import io.moerec.moe.train.MoeTrainer;
import io.moerec.moe.TrainingConfig;
import io.moerec.moe.train.TrainingData;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;

/**
 * Dev runner (test scope, not a test) for the validation grid over the mixture: on the user-time
 * validation cut of the training part (the test part only with {@code -Dmoerec.dev.part=test}, for the cell
 * chosen on validation), trains the MoE with a shared expert
 * once per training cell, then evaluates every mixture cell (shared weight λ, normalised or summed
 * routed part, top-k, gate lift) on the same trained parts, once per expert capacity factor of
 * {@code -Dmoerec.dev.capacity} (a comma list; default 0, off). Arguments: data directory, output
 * directory, training cells separated by {@code |} (each a comma list of {@code key=value} of
 * {@link TrainingConfig#toMap()}, may be empty), mixture cells separated by {@code ,}
 * ({@code λ:normalise[:topK[:lift]]}). Appends one line per (training cell, mixture cell) to
 * {@code grid.tsv}: method NDCG@10 ± SE and the paired Δ against the global model ± SE (on the two-stage
 * path, the global model of the same design: the shared expert alone). The item-to-item
 * peers are left out (they do not depend on the mixture; {@code DevItemToItem} measures them). No
 * single-stage global model is trained: the shared expert stands in for it, so on the two-stage path the
 * {@code global-single-stage} figure (a two-stage expert scoring the whole catalog) is left out of the line.
 */
public final class DevMixture {

    private static final Logger LOG = LoggerFactory.getLogger(DevMixture.class);

    private DevMixture() {
    }

    public static void main(String[] args) throws Exception {
        SLF4JBridgeHandler.removeHandlersForRootLogger();
        SLF4JBridgeHandler.install();
        Path out = Files.createDirectories(Path.of(args[1]));
        DevRun.Loaded ml = DevRun.Loaded.of(Path.of(args[0]));
        EvalSplit split = EvalSplit.userTime(ml.events(), 10, 0.2);
        // -Dmoerec.dev.part=test evaluates the chosen cell once on the test part (never used to choose).
        boolean testPart = "test".equals(System.getProperty("moerec.dev.part"));
        EvalSplit validation = testPart ? split : EvalSplit.userTime(split.train(), 10, 0.2);
        Path tsv = out.resolve("grid.tsv");
        for (String cell : args[2].split("\\|", -1)) {
            Map<String, String> kv = new LinkedHashMap<>();
            for (String p : cell.split(",")) {
                if (!p.isBlank()) {
                    String[] x = p.split("=", 2);
                    kv.put(x[0].trim(), x[1].trim());
                }
            }
            kv.putIfAbsent("train.sharedWeight", "1.0");
            TrainingConfig config = TrainingConfig.fromMap(kv);
            long t0 = System.nanoTime();
            TrainingData data = TrainingData.prepare(ml.movies(), validation.train(), config.features());
            MoeModel model = MoeTrainer.train(testPart ? "test" : "validation", data, config);
            double seconds = (System.nanoTime() - t0) / 1e9;
            for (String mix : args[3].split(",")) {
                String[] m = mix.split(":");
                TrainingConfig c = config.withShared(Double.parseDouble(m[0]), Boolean.parseBoolean(m[1]));
                if (m.length > 2) {
                    c = c.withTopK(Integer.parseInt(m[2]));
                }
                if (m.length > 3) {
                    c = c.withGateLift(Double.parseDouble(m[3]));
                }
                for (String cf : System.getProperty("moerec.dev.capacity", "0").split(",")) {
                    EvaluationReport r = Evaluation.evaluateTrained(data, validation, model.withMixture(c), model.sharedExpert(), seconds,
                            Double.NaN, Evaluation.Options.defaults().withPeers(null).withCapacity(Double.parseDouble(cf)));
                    StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%s\t%s\tcf %s\ttrain %.0f s",
                            cell.isEmpty() ? "defaults" : cell, mix, cf, seconds));
                    // On the two-stage path the Δ that means something is against the shared expert alone.
                    boolean twoStage = r.pairedNdcgVsTwoStageGlobal() != null && !r.pairedNdcgVsTwoStageGlobal().isEmpty();
                    for (EvaluationReport.MethodResult mr : r.methods()) {
                        // There the shared expert, trained on candidates, stands in for the single-stage model: left out.
                        if (!(twoStage && mr.method().equals(Evaluation.GLOBAL))) {
                            line.append(String.format(Locale.ROOT, "\t%s %.4f±%.4f", mr.method(), mr.ndcg().mean(), mr.ndcg().standardError()));
                        }
                    }
                    for (EvaluationReport.PairedDelta p : twoStage ? r.pairedNdcgVsTwoStageGlobal() : r.pairedNdcg()) {
                        if (p.method().startsWith("moe-")) {
                            line.append(String.format(Locale.ROOT, "\tΔ%s %+.4f±%.4f", p.method().substring(4), p.delta().mean(),
                                    p.delta().standardError()));
                        }
                    }
                    r.routing().forEach((k, s) -> line.append(String.format(Locale.ROOT, "\tH(%s) %.2f overflow %.4f", k, s.entropy(),
                            s.overflow())));
                    LOG.info("GRID {}", line);
                    Files.writeString(tsv, line + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                }
            }
        }
    }
}
