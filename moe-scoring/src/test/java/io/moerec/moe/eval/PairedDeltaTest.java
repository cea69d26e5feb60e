package io.moerec.moe.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The paired comparison against the global model, by hand. */
class PairedDeltaTest {

    @Test
    void pairedDeltaIsTheMeanAndStandardErrorOfPerUserDifferences() {
        Map<String, double[]> perUser = new LinkedHashMap<>();
        perUser.put("most-popular", new double[] {0.0, 0.1, 0.2});
        perUser.put(Evaluation.GLOBAL, new double[] {0.1, 0.2, 0.3});
        perUser.put("moe-dense", new double[] {0.2, 0.2, 0.5});
        List<EvaluationReport.PairedDelta> p = Evaluation.paired(perUser, Evaluation.GLOBAL);
        assertEquals(2, p.size());
        // most-popular: every user −0.1, so the paired SE is 0 although each method's own SE is 0.058.
        assertEquals("most-popular", p.get(0).method());
        assertEquals(-0.1, p.get(0).delta().mean(), 1e-12);
        assertEquals(0.0, p.get(0).delta().standardError(), 1e-12);
        // moe-dense: differences 0.1, 0, 0.2: mean 0.1, sample SD 0.1, SE 0.1 / √3.
        assertEquals("moe-dense", p.get(1).method());
        assertEquals(Evaluation.GLOBAL, p.get(1).against());
        assertEquals(0.1, p.get(1).delta().mean(), 1e-12);
        assertEquals(0.1 / Math.sqrt(3), p.get(1).delta().standardError(), 1e-12);
    }
}
