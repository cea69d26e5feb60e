package io.moerec.features.flink;

import io.moerec.ingest.domain.GenreSet;
import io.moerec.ingest.domain.Movie;

/**
 * One change of the catalog as the features job needs it: a movie id and its genre bits (see
 * {@link GenreSet}), or a deletion (a tombstone on the compacted {@code movies} topic). Titles and
 * years are not kept: the broadcast state holds an int per movie. A Flink POJO.
 */
public final class CatalogUpdate {

    private long movieId;
    private int genreBits;
    private boolean deleted;

    public CatalogUpdate() {
    }

    public static CatalogUpdate of(Movie movie) {
        CatalogUpdate u = new CatalogUpdate();
        u.movieId = movie.movieId();
        u.genreBits = movie.genres().bits();
        return u;
    }

    public static CatalogUpdate deletion(long movieId) {
        CatalogUpdate u = new CatalogUpdate();
        u.movieId = movieId;
        u.deleted = true;
        return u;
    }

    public long getMovieId() {
        return movieId;
    }

    public void setMovieId(long movieId) {
        this.movieId = movieId;
    }

    public int getGenreBits() {
        return genreBits;
    }

    public void setGenreBits(int genreBits) {
        this.genreBits = genreBits;
    }

    public boolean isDeleted() {
        return deleted;
    }

    public void setDeleted(boolean deleted) {
        this.deleted = deleted;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CatalogUpdate u && movieId == u.movieId && genreBits == u.genreBits && deleted == u.deleted;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(movieId) * 31 + genreBits + (deleted ? 1 : 0);
    }

    @Override
    public String toString() {
        return deleted ? "CatalogUpdate[delete " + movieId + "]" : "CatalogUpdate[" + movieId + " " + new GenreSet(genreBits) + "]";
    }
}
