package io.moerec.ingest.json;

import com.fasterxml.jackson.databind.JsonNode;
import io.moerec.ingest.domain.Genre;
import io.moerec.ingest.domain.GenreSet;
import io.moerec.ingest.domain.Movie;

/** JSON codec of {@link Movie}, schema {@code schemas/movie.schema.json}. Strict: no unknown fields. */
public final class MovieCodec implements JsonCodec<Movie> {

    public static final int MAX_TITLE_LENGTH = 1000;
    public static final int MIN_YEAR = 1870;
    public static final int MAX_YEAR = 2100;

    @Override
    public byte[] encode(Movie m) {
        return JsonWriter.write(128, g -> {
            g.writeNumberField("movieId", m.movieId());
            g.writeStringField("title", m.title());
            if (m.year() == null) {
                g.writeNullField("year");
            } else {
                g.writeNumberField("year", m.year());
            }
            g.writeArrayFieldStart("genres");
            for (Genre genre : m.genres().toList()) {
                g.writeString(genre.wireName());
            }
            g.writeEndArray();
        });
    }

    @Override
    public Movie decode(byte[] bytes) throws InvalidRecordException {
        StrictJson.Fields f = StrictJson.parseObject(bytes, StrictJson.DEFAULT_MAX_RECORD_BYTES);
        JsonWriter.checkSchemaVersion(f);
        long movieId = f.longValue("movieId");
        EventRules.checkMovieId("movieId", movieId);
        String title = f.string("title");
        if (title.length() > MAX_TITLE_LENGTH) {
            throw new InvalidRecordException(RejectReason.VALUE_OUT_OF_RANGE,
                    "field 'title' has " + title.length() + " characters, at most " + MAX_TITLE_LENGTH + " are allowed");
        }
        Long year = f.optionalLong("year");
        if (year != null && (year < MIN_YEAR || year > MAX_YEAR)) {
            throw new InvalidRecordException(RejectReason.VALUE_OUT_OF_RANGE,
                    "field 'year' is " + year + ", allowed are " + MIN_YEAR + " to " + MAX_YEAR);
        }
        JsonNode genres = f.array("genres", true);
        GenreSet set = GenreSet.EMPTY;
        for (JsonNode g : genres) {
            if (!g.isTextual()) {
                throw new InvalidRecordException(RejectReason.WRONG_TYPE, "field 'genres' must hold strings");
            }
            Genre genre = Genre.fromWireName(g.textValue()).orElseThrow(() -> new InvalidRecordException(
                    RejectReason.UNKNOWN_GENRE, "genre '" + StrictJson.abbreviate(g.textValue())
                            + "' is not in vocabulary version " + Genre.VOCABULARY_VERSION));
            set = set.with(genre);
        }
        f.rejectUnknown();
        return new Movie(movieId, title, year == null ? null : year.intValue(), set);
    }
}
