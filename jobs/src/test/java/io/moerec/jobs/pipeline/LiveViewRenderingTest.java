package io.moerec.jobs.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The live view shows the invalid events: the console block has a line with their count, the
 * features job's dead letters and the main reasons; the page's JSON carries the same figures and
 * text, and the page shows them.
 */
class LiveViewRenderingTest {

    private static LiveSnapshot snapshot(long invalid, Map<String, Long> byReason) {
        PipelineObservations.Accounting a = new PipelineObservations.Accounting(100 + invalid, 95, 0, 5, invalid,
                Map.of(), invalid, byReason);
        return new LiveSnapshot(1_000L, 100 + invalid, 80, 50.0, 90, 45.0, 120, 480, 900, 80, a, Map.of(), List.of());
    }

    @Test
    void theConsoleShowsTheInvalidCountTheDeadLettersAndTheMainReasons() {
        String block = LiveConsoleView.render(snapshot(7, Map.of("OVERSIZE", 2L, "MALFORMED_JSON", 5L)), 50, 100, id -> "m" + id);
        assertTrue(block.contains("invalid    7 events rejected, 7 dead-lettered by the features job   MALFORMED_JSON 5, OVERSIZE 2\n"),
                block);
        assertTrue(block.contains("accounted  95 features + 5 late + 7 dead letters of 107 events"), block);
    }

    @Test
    void noInvalidEventsIsAZeroAndManyReasonsAreCut() {
        assertTrue(LiveConsoleView.render(snapshot(0, Map.of()), 0, 0, id -> "")
                .contains("invalid    0 events rejected, 0 dead-lettered by the features job   \n"));
        Map<String, Long> six = Map.of("A", 1L, "B", 1L, "C", 3L, "D", 1L, "E", 1L, "F", 1_200L);
        assertEquals("F 1,200, C 3, A 1, B 1, 2 more reasons", LiveConsoleView.invalidReasons(snapshot(1207, six).accounting()));
    }

    @Test
    void thePagesDataAndThePageShowTheInvalidCount() throws IOException {
        LiveSnapshot s = snapshot(7, Map.of("OVERSIZE", 2L, "MALFORMED_JSON", 5L));
        JsonNode acc = LiveViewServer.toJson(new LiveViewServer.View(s, 50, 100, Map.of())).get("accounting");
        assertEquals(7, acc.get("invalid").asLong());
        assertEquals(7, acc.get("deadLetters").asLong());
        assertEquals(5, acc.get("invalidByReason").get("MALFORMED_JSON").asLong());
        assertEquals("MALFORMED_JSON 5, OVERSIZE 2", acc.get("invalidReasons").asText());
        String page;
        try (InputStream in = LiveViewServer.class.getResourceAsStream("live-view.html")) {
            page = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertTrue(page.contains("id=\"invalid\"") && page.contains("id=\"invalidReasons\""), "the page has the figure");
        assertTrue(page.contains("a.invalid") && page.contains("a.invalidReasons"), "the page fills it from the data");
    }
}
