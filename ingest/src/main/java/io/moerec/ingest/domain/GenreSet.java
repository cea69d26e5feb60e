package io.moerec.ingest.domain;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * An immutable set of {@link Genre}s held as a bit mask (bit i = genre with ordinal i). A plain int
 * keeps catalog entries cheap in Flink broadcast state and Kafka Streams stores, and needs no
 * generic serializer.
 */
public record GenreSet(int bits) {

    public static final GenreSet EMPTY = new GenreSet(0);

    private static final int ALL_BITS = (1 << Genre.COUNT) - 1;

    public GenreSet {
        if ((bits & ~ALL_BITS) != 0) {
            throw new IllegalArgumentException("genre bits outside the vocabulary: " + Integer.toBinaryString(bits));
        }
    }

    public static GenreSet of(Genre... genres) {
        return of(List.of(genres));
    }

    public static GenreSet of(Collection<Genre> genres) {
        int b = 0;
        for (Genre g : genres) {
            b |= 1 << g.ordinal();
        }
        return new GenreSet(b);
    }

    public boolean contains(Genre genre) {
        return (bits & (1 << genre.ordinal())) != 0;
    }

    public boolean contains(int genreIndex) {
        return (bits & (1 << genreIndex)) != 0;
    }

    public GenreSet with(Genre genre) {
        return new GenreSet(bits | (1 << genre.ordinal()));
    }

    public int size() {
        return Integer.bitCount(bits);
    }

    public boolean isEmpty() {
        return bits == 0;
    }

    /** The genres in vocabulary order. */
    public List<Genre> toList() {
        List<Genre> out = new ArrayList<>(size());
        for (Genre g : Genre.values()) {
            if (contains(g)) {
                out.add(g);
            }
        }
        return out;
    }

    @Override
    public String toString() {
        return toList().toString();
    }
}
