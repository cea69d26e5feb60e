package io.moerec.moe.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.moerec.moe.Fixtures;
import io.moerec.moe.PlantedTastes;
import io.moerec.moe.TrainingConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EvaluationTest {

    @TempDir
    Path tmp;

    @Test
    void moeBeatsMostPopularOnPlantedTastes() throws IOException {
        Fixtures.routeJulToSlf4j();
        PlantedTastes world = Fixtures.world();
        EvalSplit split = EvalSplit.userTime(world.events, 10, 0.2);
        Path dump = tmp.resolve("recs.tsv");
        EvaluationReport r = Evaluation.run(world.catalog, split, TrainingConfig.defaults(),
                Evaluation.Options.defaults().withDump(dump, "moe-softmax"));
        assertEquals(300, r.testUsers());
        EvaluationReport.MethodResult pop = r.method("most-popular");
        EvaluationReport.MethodResult moe = r.method("moe-softmax");
        assertTrue(moe.ndcg().mean() > pop.ndcg().mean() + 2 * Math.max(moe.ndcg().standardError(), pop.ndcg().standardError()),
                "MoE NDCG " + moe.ndcg() + " vs most-popular " + pop.ndcg());
        List<String> lines = Files.readAllLines(dump);
        assertEquals(300 * 10, lines.size());
        assertTrue(lines.get(0).matches("u\\d+\t\\d+\t1"), lines.get(0));
        assertTrue(r.toMarkdown().contains("| moe-eigen |"));
        assertTrue(r.toMarkdown().contains("| moe-dense vs global-single-stage |"), r.toMarkdown());
        // The global model of the two-stage design: the shared expert alone over the same candidates, every
        // other method also paired against it.
        EvaluationReport.MethodResult global2 = r.method(Evaluation.GLOBAL_TWO_STAGE);
        assertTrue(global2.ndcg().mean() > pop.ndcg().mean(), "two-stage global " + global2.ndcg());
        assertEquals(r.methods().size() - 1, r.pairedNdcgVsTwoStageGlobal().size());
        assertEquals(moe.ndcg().mean() - global2.ndcg().mean(), r.pairedNdcgVsTwoStageGlobal().stream()
                .filter(p -> p.method().equals("moe-softmax")).findFirst().orElseThrow().delta().mean(), 1e-12);
        assertTrue(r.toMarkdown().contains("| moe-softmax vs global-two-stage |"), r.toMarkdown());
        assertEquals(moe.ndcg().mean() - r.method(Evaluation.GLOBAL).ndcg().mean(), r.pairedNdcg("moe-softmax").delta().mean(), 1e-12);
        assertTrue(r.toJson().contains("\"specialisation\""));
        // The item-to-item peers, chosen on the validation cut; every other method paired against the best of them.
        for (String peer : List.of(Peers.EASE, Peers.EASE_RECENCY, Peers.KNN_RECENCY)) {
            assertTrue(r.method(peer).ndcg().mean() > pop.ndcg().mean(), peer + " " + r.method(peer).ndcg());
        }
        assertEquals(3, r.peers().size());
        assertEquals(r.methods().size() - 1, r.pairedNdcgVsBestPeer().size());
        assertTrue(r.pairedNdcgVsBestPeer().stream().allMatch(p -> p.against().equals(r.bestPeer())));
        assertTrue(r.toMarkdown().contains("| moe-softmax vs " + r.bestPeer() + " |"), r.toMarkdown());
        String html = r.toHtml();
        assertTrue(html.startsWith("<!DOCTYPE html>") && html.contains("<svg") && !html.contains("http"), "self-contained HTML");
    }

    @Test
    void balancedAndEigenSpreadLoadWhenOneGenreDominates() {
        Fixtures.routeJulToSlf4j();
        PlantedTastes world = new PlantedTastes(300, 12, 15, 35, 0.8, true, 9);
        EvalSplit split = EvalSplit.userTime(world.events, 10, 0.2);
        EvaluationReport r = Evaluation.run(world.catalog, split, TrainingConfig.defaults(), Evaluation.Options.defaults());
        double soft = r.routing().get("softmax").maxVio();
        assertTrue(r.routing().get("balanced").maxVio() < soft, "balanced " + r.routing().get("balanced") + " vs softmax " + soft);
        assertTrue(r.routing().get("eigen").maxVio() < soft, "eigen " + r.routing().get("eigen").maxVio() + " vs softmax " + soft);
    }
}
