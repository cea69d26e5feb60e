package io.moerec.moe.dev;

import io.moerec.ingest.datasets.DataSets;
import io.moerec.ingest.domain.Movie;
import io.moerec.ingest.domain.ViewingEvent;
import io.moerec.moe.eval.EvalSplit;
import io.moerec.moe.eval.Evaluation;
import io.moerec.moe.eval.EvaluationReport;
import io.moerec.moe.model.ExpertKind;
import io.moerec.moe.train.MoeTrainer;
import io.moerec.moe.TrainingConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;

/**
 * Dev runner (test scope, not a test): evaluates on an ml-latest(-small) directory with the
 * user-time protocol. Hyper-parameters (here the expert family) are chosen on a validation cut taken
 * from the training part with the same protocol, then the chosen configuration is evaluated on the
 * test part. Arguments: data directory, output directory.
 */
public final class DevRun {

    private static final Logger LOG = LoggerFactory.getLogger(DevRun.class);

    private DevRun() {
    }

    public static void main(String[] args) throws Exception {
        SLF4JBridgeHandler.removeHandlersForRootLogger();
        SLF4JBridgeHandler.install();
        Path data = Path.of(args[0]);
        Path out = Files.createDirectories(Path.of(args[1]));
        // The shared loader, exactly what `moerec evaluate` reads: each rating is a COMPLETE and a RATE event.
        Loaded ml = Loaded.of(data);
        LOG.info("{}: {} movies, {} events", data, ml.movies().size(), ml.events().size());
        if (args.length > 2 && args[2].equals("global-time")) {
            // The global-time protocol with the default configuration (chosen on the user-time validation cut).
            EvaluationReport g = Evaluation.run(ml.movies(), EvalSplit.globalTime(ml.events(), 0.8, 5), TrainingConfig.defaults(),
                    Evaluation.Options.defaults());
            Files.writeString(out.resolve("global-time.md"), g.toMarkdown(), StandardCharsets.UTF_8);
            return;
        }
        EvalSplit split = EvalSplit.userTime(ml.events(), 10, 0.2);
        EvalSplit validation = EvalSplit.userTime(split.train(), 10, 0.2);
        List<String> lines = new ArrayList<>();
        TrainingConfig best = null;
        double bestNdcg = -1;
        // Grid cells kind:exponent[:topK[:epochs:learningRate[:gateLift]]] from args[2] (e.g. "LINEAR:0,LINEAR:0.75:3,FM:0").
        String grid = args.length > 2 ? args[2] : "LINEAR:0.75,FM:0.75";
        for (String cell : grid.split(",")) {
            String[] kv = cell.split(":");
            ExpertKind kind = ExpertKind.valueOf(kv[0]);
            double exponent = Double.parseDouble(kv[1]);
            int topK = kv.length > 2 ? Integer.parseInt(kv[2]) : TrainingConfig.defaults().topK();
            TrainingConfig cfg = TrainingConfig.defaults().withExpertKind(kind).withPopularityExponent(exponent).withTopK(topK);
            if (kv.length > 4) {
                var e = cfg.expert();
                cfg = cfg.withExpert(new io.moerec.moe.model.ExpertHyperParameters(kind, Integer.parseInt(kv[3]),
                        Double.parseDouble(kv[4]), e.minibatch(), e.factors(), e.factorVariance()));
            }
            if (kv.length > 5) {
                cfg = cfg.withGateLift(Double.parseDouble(kv[5]));
            }
            EvaluationReport v = Evaluation.run(ml.movies(), validation, cfg, Evaluation.Options.defaults());
            Files.writeString(out.resolve("validation-" + cell.replace(':', '_') + ".md"), v.toMarkdown(), StandardCharsets.UTF_8);
            double ndcg = v.methods().stream().filter(m -> m.method().startsWith("moe-"))
                    .mapToDouble(m -> m.ndcg().mean()).max().orElse(0);
            lines.add(String.format(Locale.ROOT, "validation %s (kind:exponent:topK:epochs:rate): best-router NDCG@10 %.4f, MoE training %.1f s",
                    cell, ndcg, v.trainSeconds()));
            LOG.info("{}", lines.get(lines.size() - 1));
            if (ndcg > bestNdcg) {
                bestNdcg = ndcg;
                best = cfg;
            }
        }
        if (Boolean.getBoolean("moerec.dev.validationOnly")) {
            // Experiments are compared on the validation cut only; the test part is read once, at the end.
            Files.writeString(out.resolve("validation.txt"), String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
            return;
        }
        EvaluationReport test = Evaluation.run(ml.movies(), split, best, Evaluation.Options.defaults()
                .withDump(out.resolve("recs-moe-softmax.tsv"), "moe-softmax"));
        Files.writeString(out.resolve("test.md"), String.join("\n", lines) + "\n\nchosen: " + best.expert().kind() + ", popularity exponent " + best.popularityExponent() + ", top-" + best.topK()
                + "\n\n" + test.toMarkdown(), StandardCharsets.UTF_8);
        Files.writeString(out.resolve("test.json"), test.toJson(), StandardCharsets.UTF_8);
        Files.writeString(out.resolve("test.html"), test.toHtml(), StandardCharsets.UTF_8);
        LOG.info("{}", String.join("\n", lines));
    }

    /** A data set directory of any layout, read whole. */
    public record Loaded(List<Movie> movies, List<ViewingEvent> events) {
        public static Loaded of(Path dir) {
            Loaded l = new Loaded(new ArrayList<>(), new ArrayList<>());
            long rejected = MoeTrainer.readAll(DataSets.open(dir), l.movies(), l.events());
            if (rejected > 0) {
                LOG.warn("{}: {} rejected records skipped", dir, rejected);
            }
            return l;
        }
    }
}
