package io.moerec.moe.dev;

import io.moerec.ingest.domain.Genre;
import io.moerec.ingest.domain.GenreSet;
import io.moerec.ingest.domain.Movie;
import io.moerec.ingest.domain.ViewingEvent;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A minimal reader of the ml-latest(-small) CSV layout for the dev runner, until the shared MovieLens
 * loaders (branch {@code data}) are merged; they replace it. Every rating becomes a RATE event at
 * timestamp × 1000 ms; IMAX and "(no genres listed)" carry no genre of the vocabulary.
 */
public final class MlLatestSmall {

    private static final Pattern YEAR = Pattern.compile("\\((\\d{4})\\)\\s*$");

    public final List<Movie> movies = new ArrayList<>();
    public final List<ViewingEvent> events = new ArrayList<>();

    public MlLatestSmall(Path dir) throws IOException {
        List<String> ml = Files.readAllLines(dir.resolve("movies.csv"), StandardCharsets.UTF_8);
        for (String line : ml.subList(1, ml.size())) {
            List<String> f = csv(line);
            String title = f.get(1).trim();
            Matcher m = YEAR.matcher(title);
            Integer year = m.find() ? Integer.valueOf(m.group(1)) : null;
            List<Genre> gs = new ArrayList<>();
            for (String g : f.get(2).split("\\|")) {
                Genre.fromMovieLensName(g).ifPresent(gs::add);
            }
            movies.add(new Movie(Long.parseLong(f.get(0)), title, year, GenreSet.of(gs)));
        }
        List<String> rl = Files.readAllLines(dir.resolve("ratings.csv"), StandardCharsets.UTF_8);
        int i = 0;
        for (String line : rl.subList(1, rl.size())) {
            String[] f = line.split(",");
            events.add(ViewingEvent.rate("r" + i++, f[0], Long.parseLong(f[1]), Long.parseLong(f[3]) * 1000,
                    Double.parseDouble(f[2])));
        }
    }

    static List<String> csv(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quoted) {
                if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                    cur.append('"');
                    i++;
                } else if (c == '"') {
                    quoted = false;
                } else {
                    cur.append(c);
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == ',') {
                out.add(cur.toString());
                cur.setLength(0);
            } else {
                cur.append(c);
            }
        }
        out.add(cur.toString());
        return out;
    }
}
