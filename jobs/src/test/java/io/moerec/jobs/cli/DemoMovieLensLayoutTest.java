package io.moerec.jobs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.moerec.ingest.domain.EventType;
import io.moerec.ingest.domain.Movie;
import io.moerec.ingest.domain.ViewingEvent;
import io.moerec.ingest.source.DataSet;
import io.moerec.jobs.pipeline.HistoryCut;
import io.moerec.moe.train.MoeTrainer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * {@code moerec demo --movielens DIR} on the ml-1m layout ({@code ratings.dat}
 * {@code UserID::MovieID::Rating::Timestamp}, {@code movies.dat} {@code MovieID::Title::Genres},
 * Latin-1): a tiny handwritten fixture (10 movies, 6 users, 36 ratings) is accepted on the command
 * line, detected as ml-1m, read whole, and cut into history and live part as the demo cuts it.
 */
class DemoMovieLensLayoutTest {

    private static Path fixture() throws Exception {
        return Path.of(DemoMovieLensLayoutTest.class.getResource("/movielens/ml-1m-tiny").toURI());
    }

    @Test
    void theDemoAcceptsAnMl1mDirectoryAndCutsItsRatings() throws Exception {
        Path dir = fixture();
        CommandLine.ParseResult parsed = MoerecCli.commandLine().parseArgs("demo", "--movielens", dir.toString());
        assertTrue(parsed.hasSubcommand());
        assertEquals(dir, parsed.subcommand().matchedOption("--movielens").getValue());

        StringWriter log = new StringWriter();
        EngineOptions options = new EngineOptions();
        options.movielens = dir;
        DataSet data = options.dataSet(new PrintWriter(log, true), dir, "demo");
        assertTrue(data.description().contains("ml-1m"), data.description());
        List<Movie> movies = new ArrayList<>();
        List<ViewingEvent> events = new ArrayList<>();
        MoeTrainer.readAll(data, movies, events);
        assertEquals(10, movies.size());
        assertTrue(movies.stream().anyMatch(m -> m.title().startsWith("L\u00e9on")), "Latin-1 titles: " + movies);
        // Every rating is a COMPLETE and a RATE of the same movie at the same time.
        assertEquals(72, events.size());
        assertEquals(36, events.stream().filter(e -> e.type() == EventType.RATE).count());

        HistoryCut cut = HistoryCut.of(DataSetOpener.open(dir, Optional.empty()), 0.8);
        assertEquals(10, cut.catalog().size());
        assertTrue(!cut.history().isEmpty() && cut.liveCount() > 0, "history " + cut.history().size() + ", live " + cut.liveCount());
        assertEquals(72, cut.history().size() + cut.liveCount());
    }
}
