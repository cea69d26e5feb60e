package io.moerec.ingest.generate;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import io.moerec.ingest.domain.EventType;
import io.moerec.ingest.domain.Genre;
import io.moerec.ingest.domain.GenreSet;
import io.moerec.ingest.domain.Movie;
import io.moerec.ingest.domain.ViewingEvent;
import io.moerec.ingest.json.EventRules;
import io.moerec.ingest.source.JsonLinesDataSet;
import io.moerec.ingest.source.JsonLinesWriter;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Generates a seeded synthetic catalog and viewing log with planted structure, for tests, demos and
 * benchmarks. Users belong to taste clusters ({@link PlantedStructure}); a cluster prefers 2 or 3
 * planted genres: its users draw most picks from those genres' movies, complete them more often,
 * rate them higher and skip them rarely, while off-taste picks are mostly skipped or abandoned.
 * Movie popularity is Zipf-like over a random rank order. Users have log-normal activity rates; they
 * watch in sessions of a few movies close in time, separated by exponential gaps calibrated so that
 * the events spread over roughly {@link GeneratorConfig#spanDays()}. Every watch yields PLAY,
 * PROGRESS (watched/duration seconds), COMPLETE and sometimes RATE (0.5 steps) events, or a SKIP.
 * Exactly {@link GeneratorConfig#targetEvents()} events are produced, in ascending event time (ties
 * by user), streamed: memory is O(users + movies), never O(events). The same config gives the same
 * bytes on any JVM. Event ids are {@code g<seed>-u<user>-<n>}, user ids {@code u1..u<users>},
 * movie ids {@code 1..movies}. Instances are immutable; {@code generate} may be called repeatedly.
 */
public final class SyntheticDataGenerator {

    private static final Logger LOG = LoggerFactory.getLogger(SyntheticDataGenerator.class);

    /** Version of what the generator writes; bump when the same config would give other bytes. */
    public static final int GENERATOR_VERSION = 1;

    // Independent random streams, so that e.g. a larger targetEvents keeps the same catalog and users.
    private static final long STREAM_CATALOG = 1;
    private static final long STREAM_CLUSTERS = 2;
    private static final long STREAM_USERS = 3;
    private static final long STREAM_EVENTS = 4;
    private static final long STREAM_PILOT = 5;

    /** How common each genre is among movies, by ordinal (roughly MovieLens's mix). */
    private static final double[] GENRE_SHARE = {
        0.08, 0.05, 0.02, 0.03, 0.18, 0.05, 0.03, 0.22, 0.03, 0.005, 0.05, 0.015, 0.03, 0.07, 0.04, 0.08, 0.02, 0.01,
    };

    // Behaviour: the planted signal. On-taste picks are rarely skipped, mostly completed, rated high.
    static final double SKIP_ON_TASTE = 0.03;
    static final double SKIP_OFF_TASTE = 0.7;
    static final double COMPLETE_ON_TASTE = 0.85;
    static final double COMPLETE_OFF_TASTE = 0.4;
    static final double RATE_AFTER_COMPLETE = 0.5;
    static final double MEAN_RATING_ON_TASTE = 4.1;
    static final double MEAN_RATING_OFF_TASTE = 2.6;
    static final double RATING_SD = 0.8;
    private static final double ACTIVITY_LOG_SD = 0.8;
    private static final long MIN_SESSION_GAP_MS = 10 * 60_000L;
    private static final int PILOT_SESSIONS = 4_000;
    private static final int MAX_EVENTS_PER_WATCH = 6;

    private final GeneratorConfig config;
    private final String idPrefix;
    private final Movie[] catalog;
    private final int[] durationSeconds;
    private final Sampler allMovies;
    private final Sampler[] moviesOfGenre;
    private final PlantedStructure structure;
    private final double[] activity;

    public SyntheticDataGenerator(GeneratorConfig config) {
        this.config = config;
        this.idPrefix = "g" + config.seed() + "-u";
        int n = config.movies();
        SplitMix64 rng = SplitMix64.stream(config.seed(), STREAM_CATALOG);
        catalog = new Movie[n];
        durationSeconds = new int[n];
        double[] genreCdf = cumulative(GENRE_SHARE);
        for (int i = 0; i < n; i++) {
            // The first Genre.COUNT movies cover every genre once, so no planted genre is ever empty.
            int primary = i < Genre.COUNT ? i : draw(genreCdf, rng);
            GenreSet genres = GenreSet.EMPTY.with(Genre.ofIndex(primary));
            int extra = rng.chance(0.4) ? 0 : rng.chance(0.67) ? 1 : 2;
            for (int k = 0; k < extra; k++) {
                genres = genres.with(Genre.ofIndex(draw(genreCdf, rng)));
            }
            double u = rng.nextDouble();
            int year = 2024 - (int) (74 * u * u); // more recent titles than old ones
            catalog[i] = new Movie(i + 1, Genre.ofIndex(primary).wireName() + " Title " + (i + 1) + " (" + year + ")", year, genres);
            durationSeconds[i] = Genre.ofIndex(primary) == Genre.DOCUMENTARY ? rng.between(2400, 6000) : rng.between(4800, 9600);
        }
        // Popularity: a random rank order, weight 1 / (rank + 1)^s.
        int[] rankOf = permutation(n, rng);
        double[] weight = new double[n];
        for (int i = 0; i < n; i++) {
            weight[i] = 1.0 / StrictMath.pow(rankOf[i] + 1.0, config.zipfExponent());
        }
        int[] all = new int[n];
        for (int i = 0; i < n; i++) {
            all[i] = i;
        }
        allMovies = new Sampler(all, weight);
        moviesOfGenre = new Sampler[Genre.COUNT];
        for (int g = 0; g < Genre.COUNT; g++) {
            int count = 0;
            for (Movie m : catalog) {
                count += m.genres().contains(g) ? 1 : 0;
            }
            int[] members = new int[count];
            int k = 0;
            for (int i = 0; i < n; i++) {
                if (catalog[i].genres().contains(g)) {
                    members[k++] = i;
                }
            }
            moviesOfGenre[g] = new Sampler(members, weight);
        }
        structure = plantClusters();
        activity = new double[config.users()];
        SplitMix64 users = SplitMix64.stream(config.seed(), STREAM_USERS);
        for (int i = 0; i < activity.length; i++) {
            activity[i] = StrictMath.exp(ACTIVITY_LOG_SD * users.gaussian());
        }
    }

    private PlantedStructure plantClusters() {
        SplitMix64 rng = SplitMix64.stream(config.seed(), STREAM_CLUSTERS);
        int k = config.tasteClusters();
        int[] leads = permutation(Genre.COUNT, rng);
        List<TasteCluster> clusters = new ArrayList<>(k);
        for (int c = 0; c < k; c++) {
            GenreSet set = GenreSet.EMPTY;
            // Distinct lead genres while they last; redraw a set equal to an earlier cluster's.
            for (int attempt = 0; attempt < 100; attempt++) {
                set = GenreSet.EMPTY.with(Genre.ofIndex(leads[c % Genre.COUNT]));
                int size = rng.between(2, 3);
                while (set.size() < size) {
                    set = set.with(Genre.ofIndex(rng.nextInt(Genre.COUNT)));
                }
                GenreSet candidate = set;
                if (clusters.stream().noneMatch(t -> t.plantedGenres().equals(candidate))) {
                    break;
                }
            }
            clusters.add(new TasteCluster(c, set));
        }
        int[] userCluster = new int[config.users()];
        for (int i = 0; i < userCluster.length; i++) {
            userCluster[i] = i < k ? i : rng.nextInt(k); // every cluster has at least one user
        }
        return new PlantedStructure(clusters, userCluster);
    }

    public GeneratorConfig config() {
        return config;
    }

    /** The planted clusters and each user's cluster, known before any event is generated. */
    public PlantedStructure plantedStructure() {
        return structure;
    }

    /** The catalog, in movie id order. */
    public List<Movie> catalog() {
        return Collections.unmodifiableList(Arrays.asList(catalog));
    }

    /**
     * Writes the data set to {@code dir}: {@value JsonLinesDataSet#MOVIES_FILE} and
     * {@value JsonLinesDataSet#EVENTS_FILE} (readable by {@link JsonLinesDataSet}), plus
     * {@value PlantedStructure#USERS_FILE} and {@value PlantedStructure#MANIFEST_FILE} describing the
     * planted structure, config and counts. Existing files of those names are replaced.
     */
    public GenerationResult generate(Path dir) {
        long started = System.nanoTime();
        GenerationResult result;
        try (JsonLinesWriter w = new JsonLinesWriter(dir)) {
            result = generate(w::movie, w::event);
        }
        writeUsers(dir.resolve(PlantedStructure.USERS_FILE));
        writeManifest(dir.resolve(PlantedStructure.MANIFEST_FILE), result);
        LOG.info("generated {} events ({} sessions, {} users, {} movies) into {} in {} ms", result.events(),
                result.sessions(), config.users(), result.movies(), dir, (System.nanoTime() - started) / 1_000_000);
        return result;
    }

    /** Streams the catalog, then the events in ascending event time, to the given sinks. */
    public GenerationResult generate(Consumer<Movie> movies, Consumer<ViewingEvent> events) {
        for (Movie m : catalog) {
            movies.accept(m);
        }
        SplitMix64 rng = SplitMix64.stream(config.seed(), STREAM_EVENTS);
        double[] meanGapMs = sessionGaps();
        PriorityQueue<UserState> queue = new PriorityQueue<>(Math.max(1, config.users()),
                Comparator.comparingLong((UserState u) -> u.nextTime).thenComparingInt(u -> u.index));
        long startMs = config.start().toEpochMilli();
        for (int i = 0; i < config.users(); i++) {
            UserState u = new UserState(i, structure.clusterOfUser(i), meanGapMs[i]);
            u.nextTime = startMs + (long) rng.exponential(meanGapMs[i]);
            queue.add(u);
        }
        long[] byType = new long[EventType.COUNT];
        long emitted = 0;
        long sessions = 0;
        long first = -1;
        long last = -1;
        ViewingEvent[] buffer = new ViewingEvent[MAX_EVENTS_PER_WATCH];
        while (emitted < config.targetEvents()) {
            UserState u = queue.poll();
            if (u.pending == null) {
                if (u.moviesLeft == 0) {
                    sessions++;
                    u.moviesLeft = sessionLength(rng);
                }
                int n = planWatch(u, u.nextTime, rng, buffer);
                u.pending = Arrays.copyOf(buffer, n);
                u.pendingPos = 0;
            }
            ViewingEvent e = u.pending[u.pendingPos++];
            if (e.eventTime() >= EventRules.MAX_EVENT_TIME_MS) {
                throw new IllegalStateException("the configuration runs past 2100 after " + emitted
                        + " events; give more users, fewer events or a longer span: " + config);
            }
            events.accept(e);
            byType[e.type().ordinal()]++;
            emitted++;
            first = first < 0 ? e.eventTime() : first;
            last = e.eventTime();
            if (u.pendingPos < u.pending.length) {
                u.nextTime = u.pending[u.pendingPos].eventTime();
            } else {
                u.pending = null;
                u.moviesLeft--;
                u.nextTime = e.eventTime() + (u.moviesLeft > 0
                        ? rng.between(30, 600) * 1000L
                        : 1 + (long) rng.exponential(u.meanGapMs));
            }
            queue.add(u);
        }
        Map<EventType, Long> counts = new EnumMap<>(EventType.class);
        for (EventType t : EventType.values()) {
            counts.put(t, byType[t.ordinal()]);
        }
        long spanEnd = startMs + config.spanDays() * 86_400_000L;
        if (last > spanEnd + (spanEnd - startMs) / 10) {
            LOG.warn("events run to {} ms past the configured span of {} days: more events than {} users can watch in it",
                    last - spanEnd, config.spanDays(), config.users());
        }
        return new GenerationResult(config, catalog.length, emitted, sessions, counts, first, last, structure);
    }

    /**
     * The mean gap between one user's sessions, from a pilot run of sessions (same behaviour, its
     * own random stream) that measures events and milliseconds per session: heavier users get
     * proportionally more sessions so that the expected total over the span is the target.
     */
    private double[] sessionGaps() {
        SplitMix64 pilot = SplitMix64.stream(config.seed(), STREAM_PILOT);
        ViewingEvent[] buffer = new ViewingEvent[MAX_EVENTS_PER_WATCH];
        long pilotEvents = 0;
        double pilotDurationMs = 0;
        for (int s = 0; s < PILOT_SESSIONS; s++) {
            UserState u = new UserState(pilot.nextInt(config.users()), 0, 0);
            u.cluster = structure.clusterOfUser(u.index);
            int movies = sessionLength(pilot);
            long t = 0;
            for (int m = 0; m < movies; m++) {
                int n = planWatch(u, t, pilot, buffer);
                pilotEvents += n;
                t = buffer[n - 1].eventTime() + (m + 1 < movies ? pilot.between(30, 600) * 1000L : 0);
            }
            pilotDurationMs += t;
        }
        double eventsPerSession = (double) pilotEvents / PILOT_SESSIONS;
        double sessionMs = pilotDurationMs / PILOT_SESSIONS;
        double totalActivity = 0;
        for (double a : activity) {
            totalActivity += a;
        }
        double spanMs = config.spanDays() * 86_400_000.0;
        double[] gaps = new double[activity.length];
        for (int i = 0; i < gaps.length; i++) {
            double sessionsOfUser = config.targetEvents() * (activity[i] / totalActivity) / eventsPerSession;
            gaps[i] = Math.max(MIN_SESSION_GAP_MS, spanMs / sessionsOfUser - sessionMs);
        }
        return gaps;
    }

    private int sessionLength(SplitMix64 rng) {
        double mean = config.meanMoviesPerSession();
        if (mean <= 1.0) {
            return 1;
        }
        // Geometric on {1, 2, ...} with the configured mean, capped against absurd tails.
        double p = 1.0 / mean;
        int n = 1 + (int) (StrictMath.log(1.0 - rng.nextDouble()) / StrictMath.log(1.0 - p));
        return Math.min(n, 100);
    }

    /** Plans one watch starting at {@code t} into {@code out}; returns the number of events (1 to 6). */
    private int planWatch(UserState u, long t, SplitMix64 rng, ViewingEvent[] out) {
        GenreSet planted = structure.cluster(u.cluster).plantedGenres();
        int m;
        if (rng.chance(config.onTasteShare())) {
            List<Genre> genres = planted.toList();
            m = moviesOfGenre[genres.get(rng.nextInt(genres.size())).ordinal()].draw(rng);
        } else {
            m = allMovies.draw(rng);
        }
        Movie movie = catalog[m];
        long id = movie.movieId();
        boolean onTaste = (movie.genres().bits() & planted.bits()) != 0;
        int n = 0;
        if (rng.chance(onTaste ? SKIP_ON_TASTE : SKIP_OFF_TASTE)) {
            if (rng.chance(0.5)) {
                out[n++] = ViewingEvent.skip(nextId(u), userId(u), id, t);
            } else {
                out[n++] = ViewingEvent.play(nextId(u), userId(u), id, t);
                out[n++] = ViewingEvent.skip(nextId(u), userId(u), id, t + rng.between(20, 300) * 1000L);
            }
            return n;
        }
        int duration = durationSeconds[m];
        boolean completes = rng.chance(onTaste ? COMPLETE_ON_TASTE : COMPLETE_OFF_TASTE);
        int watchedEnd = completes ? duration : (int) (duration * (0.1 + 0.7 * rng.nextDouble()));
        int reports = rng.between(1, 3);
        out[n++] = ViewingEvent.play(nextId(u), userId(u), id, t);
        for (int k = 1; k <= reports; k++) {
            // A completed watch reports progress before the end; an abandoned one last reports where it stopped.
            int w = completes ? (int) ((long) duration * k / (reports + 1)) : (int) ((long) watchedEnd * k / reports);
            out[n++] = ViewingEvent.progress(nextId(u), userId(u), id, t + w * 1000L, w, duration);
        }
        if (completes) {
            long end = t + duration * 1000L;
            out[n++] = ViewingEvent.complete(nextId(u), userId(u), id, end);
            if (rng.chance(RATE_AFTER_COMPLETE)) {
                double mean = onTaste ? MEAN_RATING_ON_TASTE : MEAN_RATING_OFF_TASTE;
                double stars = Math.round(2.0 * (mean + RATING_SD * rng.gaussian())) / 2.0;
                stars = Math.max(EventRules.MIN_RATING, Math.min(EventRules.MAX_RATING, stars));
                out[n++] = ViewingEvent.rate(nextId(u), userId(u), id, end + rng.between(10, 120) * 1000L, stars);
            }
        }
        return n;
    }

    private String nextId(UserState u) {
        return idPrefix + (u.index + 1) + "-" + (++u.eventCount);
    }

    private static String userId(UserState u) {
        if (u.userId == null) {
            u.userId = PlantedStructure.userId(u.index);
        }
        return u.userId;
    }

    private void writeUsers(Path file) {
        JsonFactory factory = new JsonFactory();
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16);
             JsonGenerator g = factory.createGenerator(out, JsonEncoding.UTF8)) {
            g.setRootValueSeparator(null);
            for (int i = 0; i < activity.length; i++) {
                g.writeStartObject();
                g.writeStringField("userId", PlantedStructure.userId(i));
                g.writeNumberField("cluster", structure.clusterOfUser(i));
                g.writeNumberField("activity", fixed(activity[i]));
                g.writeEndObject();
                g.writeRaw('\n');
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    private void writeManifest(Path file, GenerationResult r) {
        DefaultPrettyPrinter pretty = new DefaultPrettyPrinter()
                .withObjectIndenter(new DefaultIndenter("  ", "\n"))
                .withArrayIndenter(new DefaultIndenter("  ", "\n"));
        try (OutputStream out = Files.newOutputStream(file);
             JsonGenerator g = new JsonFactory().createGenerator(out, JsonEncoding.UTF8).setPrettyPrinter(pretty)) {
            g.writeStartObject();
            g.writeStringField("generator", SyntheticDataGenerator.class.getName());
            g.writeNumberField("generatorVersion", GENERATOR_VERSION);
            g.writeNumberField("genreVocabularyVersion", Genre.VOCABULARY_VERSION);
            g.writeNumberField("seed", config.seed());
            g.writeObjectFieldStart("config");
            for (Map.Entry<String, Object> e : config.asMap().entrySet()) {
                g.writeFieldName(e.getKey());
                Object v = e.getValue();
                if (v instanceof Long l) {
                    g.writeNumber(l);
                } else if (v instanceof Integer i) {
                    g.writeNumber(i);
                } else if (v instanceof Double d) {
                    g.writeNumber(BigDecimal.valueOf(d)); // as the user typed it, independent of Double.toString changes
                } else {
                    g.writeString(String.valueOf(v));
                }
            }
            g.writeEndObject();
            g.writeObjectFieldStart("files");
            g.writeStringField("movies", JsonLinesDataSet.MOVIES_FILE);
            g.writeStringField("events", JsonLinesDataSet.EVENTS_FILE);
            g.writeStringField("users", PlantedStructure.USERS_FILE);
            g.writeEndObject();
            g.writeObjectFieldStart("counts");
            g.writeNumberField("users", config.users());
            g.writeNumberField("movies", r.movies());
            g.writeNumberField("events", r.events());
            g.writeNumberField("sessions", r.sessions());
            g.writeObjectFieldStart("eventsByType");
            for (EventType t : EventType.values()) {
                g.writeNumberField(t.name(), r.eventsByType().get(t));
            }
            g.writeEndObject();
            g.writeEndObject();
            g.writeNumberField("firstEventTime", r.firstEventTime());
            g.writeNumberField("lastEventTime", r.lastEventTime());
            g.writeArrayFieldStart("clusters");
            int[] sizes = structure.clusterSizes();
            for (TasteCluster c : structure.clusters()) {
                g.writeStartObject();
                g.writeNumberField("cluster", c.index());
                g.writeArrayFieldStart("plantedGenres");
                for (Genre genre : c.plantedGenres().toList()) {
                    g.writeString(genre.wireName());
                }
                g.writeEndArray();
                g.writeNumberField("users", sizes[c.index()]);
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
            g.writeRaw('\n');
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    /** Four decimals through BigDecimal: exact and the same text on every JDK. */
    private static BigDecimal fixed(double v) {
        return new BigDecimal(v).setScale(4, RoundingMode.HALF_EVEN);
    }

    private static double[] cumulative(double[] weights) {
        double[] cdf = new double[weights.length];
        double sum = 0;
        for (int i = 0; i < weights.length; i++) {
            sum += weights[i];
            cdf[i] = sum;
        }
        return cdf;
    }

    /** Index i with probability proportional to the i-th increment of the cumulative array. */
    private static int draw(double[] cdf, SplitMix64 rng) {
        double x = rng.nextDouble() * cdf[cdf.length - 1];
        int i = Arrays.binarySearch(cdf, x);
        i = i >= 0 ? i + 1 : -i - 1; // first entry strictly greater than x
        return Math.min(i, cdf.length - 1);
    }

    private static int[] permutation(int n, SplitMix64 rng) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    /** Weighted draw among a fixed set of movie indices. */
    private static final class Sampler {
        private final int[] members;
        private final double[] cdf;

        Sampler(int[] members, double[] weight) {
            this.members = members;
            double[] w = new double[members.length];
            for (int i = 0; i < members.length; i++) {
                w[i] = weight[members[i]];
            }
            this.cdf = cumulative(w);
        }

        int draw(SplitMix64 rng) {
            return members[SyntheticDataGenerator.draw(cdf, rng)];
        }
    }

    /** Per-user state between events: O(1) fields plus at most one planned watch. */
    private static final class UserState {
        final int index;
        int cluster;
        final double meanGapMs;
        long nextTime;
        int moviesLeft;
        ViewingEvent[] pending;
        int pendingPos;
        long eventCount;
        String userId;

        UserState(int index, int cluster, double meanGapMs) {
            this.index = index;
            this.cluster = cluster;
            this.meanGapMs = meanGapMs;
        }
    }
}
