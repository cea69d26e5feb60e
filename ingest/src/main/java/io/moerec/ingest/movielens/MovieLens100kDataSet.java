package io.moerec.ingest.movielens;

import io.moerec.ingest.domain.Genre;
import io.moerec.ingest.domain.GenreSet;
import io.moerec.ingest.domain.Movie;
import io.moerec.ingest.json.InvalidRecordException;
import io.moerec.ingest.json.RejectReason;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * MovieLens ml-100k: {@code u.data} lines are {@code user<TAB>item<TAB>rating<TAB>timestamp};
 * {@code u.item} lines are {@code id|title|release date|video release date|IMDb URL|} followed by 19
 * 0/1 genre flags (unknown, Action, ..., Western), in Latin-1. The year comes from the title's
 * trailing {@code (YYYY)}, else from the release date ({@code 01-Jan-1995}). The "unknown" flag
 * maps to no genre.
 */
public final class MovieLens100kDataSet extends MovieLensDataSet {

    /** The genre flag columns of u.item, in file order; {@code null} is the dropped "unknown". */
    private static final Genre[] FLAG_GENRES = {
        null, Genre.ACTION, Genre.ADVENTURE, Genre.ANIMATION, Genre.CHILDREN, Genre.COMEDY, Genre.CRIME,
        Genre.DOCUMENTARY, Genre.DRAMA, Genre.FANTASY, Genre.FILM_NOIR, Genre.HORROR, Genre.MUSICAL,
        Genre.MYSTERY, Genre.ROMANCE, Genre.SCI_FI, Genre.THRILLER, Genre.WAR, Genre.WESTERN,
    };
    private static final int FIXED_FIELDS = 5;

    public MovieLens100kDataSet(Path dir) {
        super(dir, MovieLensFormat.ML_100K);
    }

    MovieLens100kDataSet(Path ratingsFile, Path moviesFile) {
        super(ratingsFile.toAbsolutePath().getParent(), MovieLensFormat.ML_100K, ratingsFile, moviesFile);
    }

    @Override
    List<String> ratingFields(String line) throws InvalidRecordException {
        List<String> f = MovieLensText.split(line, "\t");
        MovieLensText.expectFields(f, 4, "tabs");
        return f;
    }

    @Override
    Movie movie(String line) throws InvalidRecordException {
        List<String> f = MovieLensText.split(line, "|");
        MovieLensText.expectFields(f, FIXED_FIELDS + FLAG_GENRES.length, "'|'");
        int id = MovieLensText.parseId("movieId", f.get(0));
        String title = MovieLensText.title(f.get(1));
        GenreSet genres = GenreSet.EMPTY;
        for (int i = 0; i < FLAG_GENRES.length; i++) {
            String flag = f.get(FIXED_FIELDS + i).trim();
            String name = FLAG_GENRES[i] == null ? "unknown" : FLAG_GENRES[i].wireName();
            if (flag.equals("1")) {
                if (FLAG_GENRES[i] != null) {
                    genres = genres.with(FLAG_GENRES[i]);
                }
            } else if (!flag.equals("0")) {
                throw new InvalidRecordException(RejectReason.UNPARSEABLE_LINE,
                        "genre flag " + (i + 1) + " (" + name + ") is '" + MovieLensText.shown(flag) + "', expected 0 or 1");
            }
        }
        Optional<Integer> year = MovieLensText.yearFromTitle(title);
        if (year.isEmpty()) {
            year = yearOfReleaseDate(f.get(2).trim());
        }
        return new Movie(id, title, year.orElse(null), genres);
    }

    /** {@code dd-MMM-yyyy}; anything else (often empty) means the year is unknown. */
    private static Optional<Integer> yearOfReleaseDate(String date) {
        int dash = date.lastIndexOf('-');
        return dash < 0 ? Optional.empty() : MovieLensText.plausibleYear(date.substring(dash + 1));
    }
}
