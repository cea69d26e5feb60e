package io.moerec.ingest.domain;

import java.util.Locale;
import java.util.Optional;

/**
 * The fixed genre vocabulary, version {@link #VOCABULARY_VERSION}. One expert of the MoE exists per
 * genre, indexed by {@link #ordinal()}; the order is part of the vocabulary version and must never be
 * changed without bumping it. Wire names are the MovieLens spellings. MovieLens's {@code IMAX} is a
 * presentation format rather than a genre (every IMAX movie also carries a real genre), so it is not
 * in the vocabulary and loaders drop it.
 */
public enum Genre {
    ACTION("Action"),
    ADVENTURE("Adventure"),
    ANIMATION("Animation"),
    CHILDREN("Children"),
    COMEDY("Comedy"),
    CRIME("Crime"),
    DOCUMENTARY("Documentary"),
    DRAMA("Drama"),
    FANTASY("Fantasy"),
    FILM_NOIR("Film-Noir"),
    HORROR("Horror"),
    MUSICAL("Musical"),
    MYSTERY("Mystery"),
    ROMANCE("Romance"),
    SCI_FI("Sci-Fi"),
    THRILLER("Thriller"),
    WAR("War"),
    WESTERN("Western");

    /** Bumped whenever a genre is added, removed or reordered. */
    public static final int VOCABULARY_VERSION = 1;

    /** Number of genres, and so the length of every per-genre array. */
    public static final int COUNT = values().length;

    private static final Genre[] VALUES = values();

    private final String wireName;

    Genre(String wireName) {
        this.wireName = wireName;
    }

    /** The name used in JSON and in MovieLens files. */
    public String wireName() {
        return wireName;
    }

    /** The genre at a vocabulary index. */
    public static Genre ofIndex(int index) {
        return VALUES[index];
    }

    /** Looks a wire name up exactly (case-sensitive), as the JSON codecs do. */
    public static Optional<Genre> fromWireName(String name) {
        for (Genre g : VALUES) {
            if (g.wireName.equals(name)) {
                return Optional.of(g);
            }
        }
        return Optional.empty();
    }

    /**
     * Looks up a genre as spelled by any MovieLens release: case-insensitive, and the older
     * {@code Children's} spelling of ml-100k and ml-1m maps to {@link #CHILDREN}.
     */
    public static Optional<Genre> fromMovieLensName(String name) {
        String n = name.trim().toLowerCase(Locale.ROOT);
        if (n.equals("children's")) {
            return Optional.of(CHILDREN);
        }
        for (Genre g : VALUES) {
            if (g.wireName.toLowerCase(Locale.ROOT).equals(n)) {
                return Optional.of(g);
            }
        }
        return Optional.empty();
    }
}
