package io.moerec.ingest.movielens;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

/**
 * The three public MovieLens file layouts, each identified by its pair of files. A directory is of
 * a layout when both of that layout's files are regular files in it; {@link #detect(Path)} tries the
 * layouts in declaration order. {@link #cliName()} is the name users pass as {@code --format}.
 */
public enum MovieLensFormat {
    /** ml-100k: {@code u.data} (tab-separated) and {@code u.item} (pipe-separated, 19 genre flags), Latin-1. */
    ML_100K("ml-100k", "u.data", "u.item", StandardCharsets.ISO_8859_1, null, null),
    /** ml-1m: {@code ratings.dat} and {@code movies.dat}, {@code ::}-separated, Latin-1. */
    ML_1M("ml-1m", "ratings.dat", "movies.dat", StandardCharsets.ISO_8859_1, null, null),
    /** ml-latest and ml-latest-small: {@code ratings.csv} and {@code movies.csv}, RFC 4180 CSV with headers, UTF-8. */
    ML_LATEST("ml-latest", "ratings.csv", "movies.csv", StandardCharsets.UTF_8,
            "userId,movieId,rating,timestamp", "movieId,title,genres");

    private final String cliName;
    private final String ratingsFile;
    private final String moviesFile;
    private final Charset charset;
    private final String ratingsHeader;
    private final String moviesHeader;

    MovieLensFormat(String cliName, String ratingsFile, String moviesFile, Charset charset,
                    String ratingsHeader, String moviesHeader) {
        this.cliName = cliName;
        this.ratingsFile = ratingsFile;
        this.moviesFile = moviesFile;
        this.charset = charset;
        this.ratingsHeader = ratingsHeader;
        this.moviesHeader = moviesHeader;
    }

    /** The name used on the command line, e.g. {@code ml-100k}. */
    public String cliName() {
        return cliName;
    }

    public String ratingsFile() {
        return ratingsFile;
    }

    public String moviesFile() {
        return moviesFile;
    }

    public Charset charset() {
        return charset;
    }

    /** The exact header line of the ratings file, if the layout has one. */
    public Optional<String> ratingsHeader() {
        return Optional.ofNullable(ratingsHeader);
    }

    /** The exact header line of the movies file, if the layout has one. */
    public Optional<String> moviesHeader() {
        return Optional.ofNullable(moviesHeader);
    }

    /** Whether both of this layout's files are in {@code dir}. */
    public boolean isLayout(Path dir) {
        return Files.isRegularFile(dir.resolve(ratingsFile)) && Files.isRegularFile(dir.resolve(moviesFile));
    }

    /** The first layout whose files are all in {@code dir}. */
    public static Optional<MovieLensFormat> detect(Path dir) {
        for (MovieLensFormat f : values()) {
            if (f.isLayout(dir)) {
                return Optional.of(f);
            }
        }
        return Optional.empty();
    }

    /** Looks up a {@link #cliName()} case-insensitively; {@code ml-latest-small} is taken as {@link #ML_LATEST}. */
    public static Optional<MovieLensFormat> fromName(String name) {
        String n = name.trim().toLowerCase(Locale.ROOT);
        if (n.equals("ml-latest-small")) {
            return Optional.of(ML_LATEST);
        }
        for (MovieLensFormat f : values()) {
            if (f.cliName.equals(n)) {
                return Optional.of(f);
            }
        }
        return Optional.empty();
    }

    /**
     * Opens {@code dir} as this layout.
     *
     * @throws IllegalArgumentException if one of the layout's files is missing
     */
    public MovieLensDataSet open(Path dir) {
        if (!isLayout(dir)) {
            throw new IllegalArgumentException("no " + cliName + " data set in " + dir + ": expected the files "
                    + ratingsFile + " and " + moviesFile);
        }
        return switch (this) {
            case ML_100K -> new MovieLens100kDataSet(dir);
            case ML_1M -> new MovieLens1mDataSet(dir);
            case ML_LATEST -> new MovieLensLatestDataSet(dir);
        };
    }

    /**
     * Opens a ratings file and a movies file of this layout under any names, for outside splits
     * (ml-100k's {@code u1.base} and {@code u1.test} with {@code u.item}); the same line parsers as
     * {@link #open(Path)}.
     *
     * @throws IllegalArgumentException if either file is missing
     */
    public MovieLensDataSet open(Path ratingsFile, Path moviesFile) {
        for (Path f : new Path[] {ratingsFile, moviesFile}) {
            if (!Files.isRegularFile(f)) {
                throw new IllegalArgumentException(cliName + " file " + f + " does not exist or is not a file");
            }
        }
        return switch (this) {
            case ML_100K -> new MovieLens100kDataSet(ratingsFile, moviesFile);
            case ML_1M -> new MovieLens1mDataSet(ratingsFile, moviesFile);
            case ML_LATEST -> new MovieLensLatestDataSet(ratingsFile, moviesFile);
        };
    }
}
