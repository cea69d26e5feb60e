package io.moerec.ingest.datasets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.moerec.ingest.domain.ViewingEvent;
import io.moerec.ingest.movielens.MovieLens100kDataSet;
import io.moerec.ingest.movielens.MovieLens1mDataSet;
import io.moerec.ingest.movielens.MovieLensDataSet;
import io.moerec.ingest.movielens.MovieLensFormat;
import io.moerec.ingest.movielens.MovieLensLatestDataSet;
import io.moerec.ingest.source.DataSet;
import io.moerec.ingest.source.JsonLinesDataSet;
import io.moerec.ingest.source.JsonLinesWriter;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataSetsTest {

    static Path fixture(String name) {
        try {
            return Path.of(DataSetsTest.class.getResource("/movielens/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void detectsEveryLayout(@TempDir Path dir) {
        assertInstanceOf(MovieLens100kDataSet.class, DataSets.open(fixture("ml-100k")));
        assertInstanceOf(MovieLens1mDataSet.class, DataSets.open(fixture("ml-1m")));
        assertInstanceOf(MovieLensLatestDataSet.class, DataSets.open(fixture("ml-latest")));
        try (JsonLinesWriter w = new JsonLinesWriter(dir)) {
            w.event(ViewingEvent.play("e1", "u1", 1, 1_700_000_000_000L));
        }
        DataSet ds = DataSets.open(dir);
        assertInstanceOf(JsonLinesDataSet.class, ds);
        assertTrue(ds.description().contains(dir.toString()));
    }

    @Test
    void usesTheNamedFormat() {
        MovieLensDataSet ds = assertInstanceOf(MovieLensDataSet.class, DataSets.open(fixture("ml-1m"), Optional.of("ml-1m")));
        assertEquals(MovieLensFormat.ML_1M, ds.format());
        assertInstanceOf(MovieLensLatestDataSet.class, DataSets.open(fixture("ml-latest"), Optional.of("ml-latest-small")));
    }

    @Test
    void aNamedFormatWhoseFilesAreMissingNamesThem() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DataSets.open(fixture("ml-1m"), Optional.of("ml-100k")));
        assertTrue(e.getMessage().contains("u.data") && e.getMessage().contains("u.item"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> DataSets.open(fixture("ml-1m"), Optional.of("jsonl")));
        assertTrue(e.getMessage().contains("events.jsonl"), e.getMessage());
    }

    @Test
    void anUnknownFormatNameListsTheKnownOnes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DataSets.open(fixture("ml-1m"), Optional.of("parquet")));
        assertTrue(e.getMessage().contains("'parquet'") && e.getMessage().contains("jsonl, ml-100k, ml-1m, ml-latest"),
                e.getMessage());
    }

    @Test
    void nothingDetectedNamesTheDirectoryAndTheFilesLookedFor(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("ratings.csv"), "userId,movieId,rating,timestamp\n"); // movies.csv missing
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DataSets.open(dir));
        String m = e.getMessage();
        assertTrue(m.contains(dir.toString()), m);
        for (String file : new String[] {"events.jsonl", "u.data", "u.item", "ratings.dat", "movies.dat", "ratings.csv",
                "movies.csv"}) {
            assertTrue(m.contains(file), () -> m + " should name " + file);
        }
        IllegalArgumentException notDir = assertThrows(IllegalArgumentException.class,
                () -> DataSets.open(dir.resolve("nope")));
        assertTrue(notDir.getMessage().contains("nope"), notDir.getMessage());
    }
}
