package io.moerec.ingest.movielens;

import io.moerec.ingest.domain.Movie;
import io.moerec.ingest.json.InvalidRecordException;
import java.nio.file.Path;
import java.util.List;

/**
 * MovieLens ml-1m: {@code ratings.dat} lines are {@code UserID::MovieID::Rating::Timestamp};
 * {@code movies.dat} lines are {@code MovieID::Title::Genres} with pipe-separated genre names in the
 * old spelling ({@code Children's}), in Latin-1. The year comes from the title's trailing
 * {@code (YYYY)}.
 */
public final class MovieLens1mDataSet extends MovieLensDataSet {

    public MovieLens1mDataSet(Path dir) {
        super(dir, MovieLensFormat.ML_1M);
    }

    MovieLens1mDataSet(Path ratingsFile, Path moviesFile) {
        super(ratingsFile.toAbsolutePath().getParent(), MovieLensFormat.ML_1M, ratingsFile, moviesFile);
    }

    @Override
    List<String> ratingFields(String line) throws InvalidRecordException {
        List<String> f = MovieLensText.split(line, "::");
        MovieLensText.expectFields(f, 4, "'::'");
        return f;
    }

    @Override
    Movie movie(String line) throws InvalidRecordException {
        List<String> f = MovieLensText.split(line, "::");
        MovieLensText.expectFields(f, 3, "'::'");
        int id = MovieLensText.parseId("movieId", f.get(0));
        String title = MovieLensText.title(f.get(1));
        return new Movie(id, title, MovieLensText.yearFromTitle(title).orElse(null), MovieLensText.genres(f.get(2)));
    }
}
