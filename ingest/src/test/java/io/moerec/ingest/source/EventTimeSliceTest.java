package io.moerec.ingest.source;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.moerec.ingest.domain.ViewingEvent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EventTimeSliceTest {

    @TempDir
    Path dir;

    private static List<String> read(DataSet ds) {
        List<String> out = new ArrayList<>();
        try (RecordStream<ViewingEvent> s = ds.events()) {
            while (s.hasNext()) {
                Parsed<ViewingEvent> p = s.next();
                out.add(p instanceof Parsed.Ok<ViewingEvent> ok ? ok.value().eventId() : "rejected@" + p.position());
            }
        }
        return out;
    }

    @Test
    void theTwoSlicesPartitionTheLogInItsOrderAndTheRejectedLinesGoWithTheHistory() throws Exception {
        String e = "{\"eventId\":\"%s\",\"userId\":\"u1\",\"movieId\":1,\"type\":\"PLAY\",\"eventTime\":%d}\n";
        long t = 1_700_000_000_000L;
        Files.writeString(dir.resolve(JsonLinesDataSet.MOVIES_FILE), "{\"movieId\":1,\"title\":\"A\",\"year\":2000,\"genres\":[\"Drama\"]}\n",
                StandardCharsets.UTF_8);
        Files.writeString(dir.resolve(JsonLinesDataSet.EVENTS_FILE), String.format(e, "a", t) + String.format(e, "b", t + 10)
                + "not json\n" + String.format(e, "c", t + 5) + String.format(e, "d", t + 20), StandardCharsets.UTF_8);
        DataSet all = new JsonLinesDataSet(dir);
        assertEquals(List.of("a", "rejected@3", "c"), read(EventTimeSlice.before(all, t + 10)));
        assertEquals(List.of("b", "d"), read(EventTimeSlice.from(all, t + 10)));
        assertEquals(List.of("b"), read(EventTimeSlice.between(all, t + 10, t + 20)));
    }
}
