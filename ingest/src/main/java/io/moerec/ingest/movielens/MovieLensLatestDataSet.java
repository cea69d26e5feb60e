package io.moerec.ingest.movielens;

import io.moerec.ingest.domain.Movie;
import io.moerec.ingest.json.InvalidRecordException;
import java.nio.file.Path;
import java.util.List;

/**
 * MovieLens ml-latest and ml-latest-small: {@code ratings.csv} ({@code userId,movieId,rating,timestamp})
 * and {@code movies.csv} ({@code movieId,title,genres}), each with that header line, RFC 4180 quoting
 * (titles with commas are quoted, quotes inside are doubled), UTF-8, LF or CRLF line ends. Genres are
 * pipe-separated; {@code (no genres listed)} means none, {@code IMAX} is dropped. The year comes from
 * the title's trailing {@code (YYYY)}; titles without one have no year.
 */
public final class MovieLensLatestDataSet extends MovieLensDataSet {

    public MovieLensLatestDataSet(Path dir) {
        super(dir, MovieLensFormat.ML_LATEST);
    }

    MovieLensLatestDataSet(Path ratingsFile, Path moviesFile) {
        super(ratingsFile.toAbsolutePath().getParent(), MovieLensFormat.ML_LATEST, ratingsFile, moviesFile);
    }

    @Override
    List<String> ratingFields(String line) throws InvalidRecordException {
        List<String> f = MovieLensText.splitCsv(line);
        MovieLensText.expectFields(f, 4, "commas");
        return f;
    }

    @Override
    Movie movie(String line) throws InvalidRecordException {
        List<String> f = MovieLensText.splitCsv(line);
        MovieLensText.expectFields(f, 3, "commas");
        int id = MovieLensText.parseId("movieId", f.get(0));
        String title = MovieLensText.title(f.get(1));
        return new Movie(id, title, MovieLensText.yearFromTitle(title).orElse(null), MovieLensText.genres(f.get(2)));
    }
}
