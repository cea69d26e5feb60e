package io.moerec.ingest.domain;

import java.util.Objects;

/**
 * A catalog entry. Keyed by {@link #movieId()} on the compacted {@code movies} topic.
 *
 * @param movieId positive catalog id
 * @param title   display title (MovieLens titles include the year in parentheses)
 * @param year    release year, or {@code null} when unknown
 * @param genres  genres over the fixed vocabulary; empty for "(no genres listed)"
 */
public record Movie(long movieId, String title, Integer year, GenreSet genres) {

    public Movie {
        Objects.requireNonNull(title, "title");
        Objects.requireNonNull(genres, "genres");
    }
}
