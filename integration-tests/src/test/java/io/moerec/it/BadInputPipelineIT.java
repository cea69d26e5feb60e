package io.moerec.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.moerec.ingest.domain.EventType;
import io.moerec.ingest.domain.Genre;
import io.moerec.ingest.domain.Movie;
import io.moerec.ingest.domain.UserPreferenceFeatures;
import io.moerec.ingest.domain.ViewingEvent;
import io.moerec.ingest.generate.GeneratorConfig;
import io.moerec.ingest.generate.SyntheticDataGenerator;
import io.moerec.ingest.json.HostileEventRecords;
import io.moerec.ingest.json.InvalidRecordException;
import io.moerec.ingest.json.MovieCodec;
import io.moerec.ingest.json.RejectReason;
import io.moerec.ingest.json.StrictJson;
import io.moerec.ingest.json.UserFeaturesCodec;
import io.moerec.ingest.json.ViewingEventCodec;
import io.moerec.ingest.replay.ReplaySummary;
import io.moerec.ingest.source.DataSet;
import io.moerec.ingest.source.JsonLinesDataSet;
import io.moerec.ingest.topic.DeadLetters;
import io.moerec.ingest.topic.Topics;
import io.moerec.ingest.files.Directories;
import io.moerec.jobs.pipeline.LivePipeline;
import io.moerec.jobs.pipeline.ModelCache;
import io.moerec.jobs.pipeline.PipelineMonitor;
import io.moerec.jobs.pipeline.PipelineObservations;
import io.moerec.jobs.pipeline.PipelineSession;
import io.moerec.moe.streams.ScoringConfig;
import io.moerec.moe.train.MoeTrainer;
import io.moerec.moe.TrainingConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Hostile and broken input: the fuzz mix through the <em>running</em>
 * pipeline. The replayer rejects bad lines before Kafka, so a raw byte producer writes straight to
 * {@code viewing-events}: the seeded synthetic data set's events in each user's order, paced by event
 * time, with about one hostile record for every nine good ones in between ({@link HostileEventRecords}:
 * every kind of broken JSON and value, plus Kafka-level ones: null keys, keys that are not the
 * event's user, keys of invalid UTF-8, tombstones, and a few valid-looking records of 1,048,400
 * bytes, about as large as a producer at its default {@code max.request.size} of 1 MiB gets onto a
 * topic at the broker's default {@code message.max.bytes}: their dead letters, the same bytes plus
 * headers, are larger than either default, and must still reach the DLQ). Hostile records also
 * go straight to {@code user-features} (the scoring app's input) and to {@code movies} (the catalog
 * both jobs follow).
 *
 * <p>Then: every bad record is on the DLQ with its original key and value and the reason the strict
 * decoder gives (stage {@code features-job} for {@code viewing-events}, {@code scoring} for
 * {@code user-features}); every good event produced exactly one features update (read_committed); no
 * late events; records on {@code viewing-events} = features updates + late + features-job dead
 * letters, with the monitor's invalid records exactly the dead letters by reason; the Flink job never
 * restarted (its log, with job and task state changes at INFO, shows none) and the scoring app never
 * lost a stream thread (alive, no such line in its log, {@code moerec_dead_letters_total} = the bad
 * {@code user-features} records); every active user has a final list and no list holds a watched movie.
 * Figures go to {@code target/bad-input/results.txt}.
 */
class BadInputPipelineIT {

    static final Path ROOT = Path.of("target", "bad-input").toAbsolutePath();
    static final Duration DRAIN = Duration.ofMinutes(2);
    /** Wall-clock length of the paced send of the good events. */
    static final double SEND_SECONDS = 12;
    /** One hostile record before a good event with this probability: 1/9 gives 10 % of the records. */
    static final double BAD_BEFORE_GOOD = 1.0 / 9;
    /** Large valid-looking records: value size, just below the producer's default 1 MiB max.request.size. */
    static final int LARGE_BYTES = 1_048_400;
    static final int LARGE_RECORDS = 3;
    static final Pattern FLINK_RESTART = Pattern.compile(
            "switched from state \\w+ to (RESTARTING|FAILING|FAILED)|switched from \\w+ to FAILED");
    static final Pattern STREAM_THREAD_LOST = Pattern.compile(
            "a stream thread failed|Replacing thread|StreamThread.*(ERROR|replaced)|ERROR .*StreamThread|ERROR KafkaStreams");
    static final Pattern GLOBAL_SKIPPED_TOTAL = Pattern.compile("(?m)^moerec_global_records_skipped_total(?:\\{[^}]*})? ([0-9.eE+-]+)$");
    static final Pattern DEAD_LETTERS_TOTAL = Pattern.compile("(?m)^moerec_dead_letters_total(?:\\{[^}]*})? ([0-9.eE+-]+)$");

    /** A record the test writes itself; {@code reason} is the strict decoder's verdict, null for a good one. */
    record Sent(String topic, byte[] key, byte[] value, String reason, String kind) {
        String signature(String stage) {
            return stage + " " + topic + " " + digest(key) + " " + digest(value) + " " + reason;
        }
    }

    @Test
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void tenPercentHostileInputNeitherRestartsTheJobsNorLosesOrDuplicatesAnything() throws Exception {
        long t0 = System.nanoTime();
        Files.createDirectories(ROOT);
        Path dir = ROOT.resolve("data");
        GeneratorConfig config = GeneratorConfig.builder().seed(20240917).users(150).movies(300).targetEvents(6_000)
                .spanDays(30).build();
        if (!Files.exists(dir.resolve(JsonLinesDataSet.EVENTS_FILE))) {
            new SyntheticDataGenerator(config).generate(dir);
        }
        DataSet data = new JsonLinesDataSet(dir);
        List<Movie> catalog = new ArrayList<>();
        List<ViewingEvent> events = new ArrayList<>();
        MoeTrainer.readAll(data, catalog, events);
        long first = events.stream().mapToLong(ViewingEvent::eventTime).min().orElseThrow();
        long last = events.stream().mapToLong(ViewingEvent::eventTime).max().orElseThrow();
        long cut = first + (last - first) / 2;
        ModelCache.Entry model = new ModelCache(ROOT.resolve("model-cache")).trainOrReuse("bad-input seed 20240917", catalog,
                events.stream().filter(e -> e.eventTime() < cut).toList(), TrainingConfig.defaults());
        log("data: %d events, %d movies; model %s (%s in %.1f s)", events.size(), catalog.size(), model.version(),
                model.reused() ? "cached" : "trained", model.seconds());

        Mix mix = new Mix(20_261_124L, events, catalog);
        Path work = ROOT.resolve("run");
        Directories.deleteRecursively(work);
        try (PipelineSession session = PipelineSession.startBroker(0, work)) {
            String bootstrap = session.bootstrapServers();
            ReplaySummary movies = session.loadCatalog(data);
            assertEquals(0, movies.rejectedTotal(), "catalog rejects");
            LivePipeline.Settings settings = new LivePipeline.Settings(bootstrap, model.bundle(), work.resolve("pipeline"),
                    Map.of(), Map.of(ScoringConfig.ROUTER, "softmax"), PipelineFaultsIT.jobsRuntimeClasspath());
            PipelineObservations obs = new PipelineObservations(Long.MIN_VALUE);
            LivePipeline pipeline = session.startPipeline(settings, obs);
            PipelineMonitor monitor = session.monitor();
            nullKeysAreRefused(bootstrap);
            long sendStart = System.nanoTime();
            send(bootstrap, mix, first, (last - first) / (SEND_SECONDS * 1000.0), pipeline, monitor);
            double sendSeconds = (System.nanoTime() - sendStart) / 1e9;
            pipeline.awaitDrained(monitor, mix.onTopic(Topics.VIEWING_EVENTS.name()), Duration.ofSeconds(3), DRAIN, "bad-input");
            pipeline.checkAlive();
            monitor.check();
            String metrics = PipelineFaultsIT.get(pipeline, "/metrics");
            check(bootstrap, mix, obs, pipeline, metrics, sendSeconds, (System.nanoTime() - t0) / 1e9);
        } finally {
            Directories.deleteRecursively(work.resolve("kafka"));
            Directories.deleteRecursively(work.resolve("pipeline").resolve("checkpoints"));
            Directories.deleteRecursively(work.resolve("pipeline").resolve("streams"));
        }
    }

    /** Good events paced by event time, each perhaps after a hostile record; hostile features and movies now and then. */
    static void send(String bootstrap, Mix mix, long firstEventTime, double speed, LivePipeline pipeline, PipelineMonitor monitor)
            throws Exception {
        // max.request.size stays at the client default (1 MiB): the large records are just below it.
        Map<String, Object> config = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true, ProducerConfig.LINGER_MS_CONFIG, 5);
        try (Producer<byte[], byte[]> producer = new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer())) {
            long start = System.nanoTime();
            List<java.util.concurrent.Future<?>> acks = new ArrayList<>();
            for (Mix.Step step : mix.steps) {
                long due = start + (long) ((step.eventTime() - firstEventTime) / speed * 1e6);
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                    pipeline.checkAlive();
                    monitor.check();
                }
                for (Sent s : step.records()) {
                    acks.add(producer.send(new ProducerRecord<>(s.topic(), s.key(), s.value())));
                }
            }
            producer.flush();
            for (var f : acks) {
                f.get(30, TimeUnit.SECONDS); // every record acknowledged: none too large for the producer or broker
            }
        }
    }

    /** The broker itself refuses a record without a key on the compacted topics, user-features and movies. */
    static void nullKeysAreRefused(String bootstrap) throws Exception {
        Map<String, Object> config = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.RETRIES_CONFIG, 0);
        try (Producer<byte[], byte[]> producer = new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (String topic : List.of(Topics.USER_FEATURES.name(), Topics.MOVIES.name())) {
                var f = producer.send(new ProducerRecord<>(topic, null, "{}".getBytes(StandardCharsets.UTF_8)));
                java.util.concurrent.ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(
                        java.util.concurrent.ExecutionException.class, () -> f.get(30, TimeUnit.SECONDS), topic);
                assertTrue(e.getCause() instanceof org.apache.kafka.common.InvalidRecordException, topic + ": " + e.getCause());
            }
        }
    }

    static void check(String bootstrap, Mix mix, PipelineObservations obs, LivePipeline pipeline, String metrics,
                      double sendSeconds, double seconds) throws Exception {
        String events = Topics.VIEWING_EVENTS.name();
        String features = Topics.USER_FEATURES.name();
        PipelineObservations.Accounting a = obs.accounting();
        long total = mix.onTopic(events);
        List<Sent> badEvents = mix.bad(events);
        List<Sent> badFeatures = mix.bad(features);
        Map<String, Long> expectedByReason = byReason(badEvents);
        log("sent to %s: %d records, %d bad (%.1f %%), by reason %s", events, total, badEvents.size(),
                100.0 * badEvents.size() / total, expectedByReason);
        log("sent to %s: %d bad %s; to %s: %d hostile %s", features, badFeatures.size(), byReason(badFeatures),
                Topics.MOVIES.name(), mix.all(Topics.MOVIES.name()).size(), byKind(mix.all(Topics.MOVIES.name())));
        log("accounting: %s", a);

        // 1. The accounting: records in = updates + late + features-job dead letters; invalid = dead letters by reason.
        assertEquals(total, a.events(), "records on viewing-events read back by the monitor");
        assertEquals(badEvents.size(), a.invalid(), "records the monitor found invalid");
        assertEquals(expectedByReason, new TreeMap<>(a.invalidByReason()), "the monitor's verdicts are the decoder's");
        assertEquals(expectedByReason, a.featuresJobDeadLettersByReason(), "the features job's dead letters by reason");
        assertEquals(a.events(), a.featureUpdates() + a.late() + a.deadLetters(), "records in = updates + late + dead letters: " + a);
        assertEquals(0, a.late(), "no good event late");
        assertEquals(0, a.duplicateUpdates(), "no features update twice");
        assertTrue(a.balanced(), a.toString());

        // 2. Every good event produced exactly one features update, as the read_committed monitor saw them
        // live (user-features is compacted: a later re-read need not hold every update).
        assertEquals(mix.goodEventIds.size(), a.featureUpdates(), "features updates");
        assertEquals(new java.util.HashSet<>(mix.goodEventIds), obs.featuresTriggers(), "one features update per good event");

        // 3. Every bad record on the DLQ with its original key and value bytes and its reason, nothing else.
        List<String> expectedDlq = new ArrayList<>();
        badEvents.forEach(s -> expectedDlq.add(s.signature("features-job")));
        badFeatures.forEach(s -> expectedDlq.add(s.signature("scoring")));
        List<String> dlq = new ArrayList<>();
        Map<String, Long> dlqBySourceStage = new TreeMap<>();
        for (ConsumerRecord<byte[], byte[]> r : TopicReader.readAll(bootstrap, Topics.VIEWING_EVENTS_DLQ.name(), Duration.ofSeconds(60))) {
            String stage = DeadLetters.header(r.headers(), DeadLetters.STAGE);
            String source = DeadLetters.header(r.headers(), DeadLetters.SOURCE);
            String detail = DeadLetters.header(r.headers(), DeadLetters.DETAIL);
            assertTrue(detail != null && !detail.isBlank(), "a detail on every dead letter");
            dlq.add(new Sent(source, r.key(), r.value(), DeadLetters.header(r.headers(), DeadLetters.REASON), "").signature(stage));
            dlqBySourceStage.merge(stage + ":" + source, 1L, Long::sum);
        }
        log("DLQ: %d records, by stage:source %s", dlq.size(), dlqBySourceStage);
        expectedDlq.sort(null);
        dlq.sort(null);
        assertEquals(expectedDlq, dlq, "the dead-letter topic holds every bad record once, with its bytes and reason");

        // 4. No restart: the Flink job's log shows its start and no failure; the scoring app kept its threads.
        Path logs = pipeline.featuresJob().log().getParent();
        String flinkLog = Files.readString(pipeline.featuresJob().log());
        assertTrue(flinkLog.contains("switched from state CREATED to RUNNING"),
                "the features job's log shows job state changes (else their absence proves nothing)");
        Matcher restart = FLINK_RESTART.matcher(flinkLog);
        if (restart.find()) {
            throw new AssertionError("the features job failed or restarted: " + line(flinkLog, restart.start()));
        }
        long skippedCatalog = flinkLog.lines().filter(l -> l.contains("skipping catalog record")).count();
        String scoringLog = Files.readString(pipeline.scoringApp().log());
        Matcher lost = STREAM_THREAD_LOST.matcher(scoringLog);
        if (lost.find()) {
            throw new AssertionError("the scoring app lost a stream thread: " + line(scoringLog, lost.start()));
        }
        assertTrue(metrics.lines().anyMatch(l -> l.matches("moerec_stream_threads_replaced_total 0(\\.0)?")),
                "the scoring app replaced no stream thread (moerec_stream_threads_replaced_total 0)");
        assertTrue(pipeline.scoringApp().isAlive() && pipeline.featuresJob().isAlive(), "both children alive");
        try (var files = Files.list(logs)) {
            assertEquals(List.of("features-job.log", "scoring-app-1.log"),
                    files.map(p -> p.getFileName().toString()).sorted().toList(), "each child started once");
        }
        Matcher m = DEAD_LETTERS_TOTAL.matcher(metrics);
        assertTrue(m.find(), "moerec_dead_letters_total on /metrics");
        assertEquals(badFeatures.size(), (long) Double.parseDouble(m.group(1)), "moerec_dead_letters_total");

        // Hostile catalog records: skipped by both jobs (no DLQ from either), counted.
        List<Sent> movies = mix.all(Topics.MOVIES.name());
        long flinkSkips = movies.stream().filter(Mix::featuresJobSkips).count();
        long scoringSkips = movies.stream().filter(Mix::scoringSkips).count();
        assertEquals(flinkSkips, skippedCatalog, "catalog records the features job skipped");
        Matcher g = GLOBAL_SKIPPED_TOTAL.matcher(metrics);
        assertTrue(g.find(), "moerec_global_records_skipped_total on /metrics");
        assertEquals(scoringSkips, (long) Double.parseDouble(g.group(1)), "catalog records the scoring app skipped");

        // 5. Lists: every active user has one, none holds a watched movie, none twice per trigger.
        long[] active = obs.activeUsersWithLists();
        assertEquals(List.of(), obs.listsWithWatchedMovies(), "lists holding a movie the user had watched");
        assertEquals(0, obs.duplicateLists(), "lists seen twice for one (user, trigger event)");
        assertEquals(active[0], active[1], "active users with a final list");

        String figures = String.format(Locale.ROOT,
                "viewing-events records %d (good %d, bad %d = %.1f %%, largest %d bytes); features-job DLQ by reason %s;"
                        + " user-features bad %d %s; movies hostile %d %s (features job skipped %d, scoring app %d);"
                        + " features updates %d, late %d, duplicates %d; lists %d, users with list %d/%d;"
                        + " send %.1f s, test %.1f s",
                total, total - badEvents.size(), badEvents.size(), 100.0 * badEvents.size() / total, mix.largest,
                expectedByReason, badFeatures.size(), byReason(badFeatures), movies.size(), byKind(movies), skippedCatalog, scoringSkips,
                a.featureUpdates(), a.late(), a.duplicateUpdates(), obs.lists(), active[1], active[0], sendSeconds, seconds);
        log("%s", figures);
        Files.writeString(ROOT.resolve("results.txt"), figures + "\n");
    }

    /**
     * The records to write: the data set's events in order, a hostile {@code viewing-events} record before
     * about one in nine, a hostile {@code user-features} record every 50 good events, a hostile
     * {@code movies} record every 200.
     */
    static final class Mix {
        record Step(long eventTime, List<Sent> records) {
        }

        final List<Step> steps = new ArrayList<>();
        final List<String> goodEventIds = new ArrayList<>();
        private final List<Sent> sent = new ArrayList<>();
        private final SplittableRandom random;
        private final HostileEventRecords hostile;
        private final ViewingEventCodec eventCodec = new ViewingEventCodec();
        private final UserFeaturesCodec featuresCodec = new UserFeaturesCodec();
        private final MovieCodec movieCodec = new MovieCodec();
        private final List<Movie> catalog;
        private int large;
        int largest;

        Mix(long seed, List<ViewingEvent> events, List<Movie> catalog) {
            this.random = new SplittableRandom(seed);
            this.hostile = new HostileEventRecords(seed, StrictJson.DEFAULT_MAX_RECORD_BYTES, 40);
            this.catalog = catalog;
            int n = 0;
            for (ViewingEvent e : events) {
                List<Sent> records = new ArrayList<>();
                if (random.nextDouble() < BAD_BEFORE_GOOD) {
                    records.add(badEvent(e.userId()));
                }
                byte[] value = eventCodec.encode(e);
                records.add(new Sent(Topics.VIEWING_EVENTS.name(), e.userId().getBytes(StandardCharsets.UTF_8), value, null, "VALID"));
                goodEventIds.add(e.eventId());
                if (++n % 50 == 0) {
                    records.add(badFeatures(e.userId(), e.eventId()));
                }
                if (n % 200 == 0) {
                    records.add(hostileMovie());
                }
                sent.addAll(records);
                steps.add(new Step(e.eventTime(), records));
            }
        }

        long onTopic(String topic) {
            return sent.stream().filter(s -> s.topic().equals(topic)).count();
        }

        List<Sent> all(String topic) {
            return sent.stream().filter(s -> s.topic().equals(topic)).toList();
        }

        List<Sent> bad(String topic) {
            return sent.stream().filter(s -> s.topic().equals(topic) && s.reason() != null).toList();
        }

        /** A record the features job must reject; {@code user} is the good event's user, for keys. */
        private Sent badEvent(String user) {
            String topic = Topics.VIEWING_EVENTS.name();
            byte[] userKey = user.getBytes(StandardCharsets.UTF_8);
            while (true) {
                int pick = random.nextInt(26);
                byte[] key = userKey;
                byte[] value;
                String kind;
                if (pick < 20) {
                    HostileEventRecords.Case c = hostile.next(HostileEventRecords.Kind.values()[1 + pick]);
                    value = c.bytes();
                    kind = c.kind().name();
                    if (random.nextInt(5) == 0) {
                        key = null;
                        kind += "+NULL_KEY";
                    }
                } else if (pick == 20) {
                    value = null;
                    kind = "TOMBSTONE";
                } else if (pick == 21) {
                    ViewingEvent other = hostile.validEvent();
                    value = eventCodec.encode(other);
                    key = ("not-" + other.userId()).getBytes(StandardCharsets.UTF_8);
                    kind = "KEY_NOT_USER";
                } else if (pick == 22) {
                    value = eventCodec.encode(hostile.validEvent());
                    key = new byte[] {(byte) 0xff, 'u', (byte) 0xc3, 0x28};
                    kind = "KEY_INVALID_UTF8";
                } else if (pick == 23) {
                    value = new byte[0];
                    kind = "EMPTY_VALUE";
                } else if (pick == 24 && large < LARGE_RECORDS) {
                    large++;
                    Map<String, String> f = HostileEventRecords.fields(hostile.validEvent());
                    f.put("context", "{\"pad\":\"\"}");
                    int base = HostileEventRecords.render(f).length;
                    f.put("context", "{\"pad\":\"" + "p".repeat(LARGE_BYTES - base) + "\"}");
                    value = HostileEventRecords.render(f);
                    kind = "LARGE_1MB";
                } else {
                    continue;
                }
                String reason = verdict(key, value);
                if (reason == null) {
                    continue; // a blind mutation that still decodes: not a bad record, draw again
                }
                if (value != null) {
                    largest = Math.max(largest, value.length);
                }
                return new Sent(topic, key, value, reason, kind);
            }
        }

        /** The features job's verdict ({@code DecodeViewingEventFunction}), null for a good record. */
        private String verdict(byte[] key, byte[] value) {
            if (value == null) {
                return RejectReason.EMPTY.name();
            }
            try {
                ViewingEvent e = eventCodec.decode(value);
                if (key != null && !Arrays.equals(key, e.userId().getBytes(StandardCharsets.UTF_8))) {
                    return RejectReason.KEY_MISMATCH.name();
                }
                return null;
            } catch (InvalidRecordException invalid) {
                return invalid.reason().name();
            }
        }

        /** A user-features record that does not decode, keyed by a real user. */
        private Sent badFeatures(String user, String trigger) {
            UserPreferenceFeatures f = new UserPreferenceFeatures(user, 0, 1, new double[Genre.COUNT], 0, 0, new long[0],
                    new long[0], new long[EventType.values().length], trigger, 0);
            // The JSON form (which the scoring app still reads) to mutate as text; the binary form is fuzzed in moe-scoring.
            String good = new String(UserFeaturesCodec.encodeJson(f), StandardCharsets.UTF_8);
            byte[] value;
            String kind;
            switch (random.nextInt(7)) {
                case 0 -> { value = Arrays.copyOf(good.getBytes(StandardCharsets.UTF_8), random.nextInt(good.length())); kind = "TRUNCATED"; }
                case 1 -> { value = good.replace("\"userId\"", "\"userId\":1,\"x\"").getBytes(StandardCharsets.UTF_8); kind = "EXTRA_FIELD"; }
                case 2 -> { value = "{\"userId\":5}".getBytes(StandardCharsets.UTF_8); kind = "WRONG_TYPE"; }
                case 3 -> { value = new byte[] {'{', '"', (byte) 0xc3, 0x28, '"', ':', '1', '}'}; kind = "INVALID_UTF8"; }
                case 4 -> { value = ("{\"pad\":\"" + "x".repeat(300 * 1024) + "\"}").getBytes(StandardCharsets.UTF_8); kind = "OVERSIZE"; }
                case 5 -> { value = "NaN".getBytes(StandardCharsets.UTF_8); kind = "NOT_JSON"; }
                default -> { value = hostile.next(HostileEventRecords.Kind.RANDOM_BYTES).bytes(); kind = "RANDOM_BYTES"; }
            }
            String reason;
            try {
                featuresCodec.decode(value);
                throw new IllegalStateException("a hostile features record decodes: " + kind);
            } catch (InvalidRecordException invalid) {
                reason = invalid.reason().name();
            }
            // Never a null key: the broker refuses those on a compacted topic (nullKeysAreRefused).
            byte[] key = random.nextInt(8) == 0 ? new byte[] {(byte) 0xff, (byte) 0xfe} : user.getBytes(StandardCharsets.UTF_8);
            return new Sent(Topics.USER_FEATURES.name(), key, value, reason, kind);
        }

        /** The features job's catalog decoder ({@code DecodeCatalogFunction}) skips it. */
        static boolean featuresJobSkips(Sent s) {
            if (s.value() == null) {
                return !movieKeyDecodes(s.key());
            }
            return !movieDecodes(s.value());
        }

        /** The scoring app's global store cannot deserialize its key or its value. */
        static boolean scoringSkips(Sent s) {
            return (s.key() != null && !movieKeyDecodes(s.key())) || (s.value() != null && !movieDecodes(s.value()));
        }

        private static boolean movieKeyDecodes(byte[] key) {
            try {
                return key != null && new io.moerec.ingest.topic.MovieIdSerde().deserializer().deserialize(Topics.MOVIES.name(), key) != null;
            } catch (RuntimeException e) {
                return false;
            }
        }

        private static boolean movieDecodes(byte[] value) {
            try {
                new MovieCodec().decode(value);
                return true;
            } catch (InvalidRecordException | RuntimeException e) {
                return false;
            }
        }

        /** A movies record both jobs must skip, never touching a movie of the catalog. */
        private Sent hostileMovie() {
            String topic = Topics.MOVIES.name();
            byte[] unknownId = Long.toString(900_000 + random.nextInt(1000)).getBytes(StandardCharsets.US_ASCII);
            return switch (random.nextInt(6)) {
                case 0 -> new Sent(topic, unknownId, "{\"movieId\":".getBytes(StandardCharsets.UTF_8), null, "TRUNCATED");
                case 1 -> new Sent(topic, "not-a-number".getBytes(StandardCharsets.UTF_8), "[]".getBytes(StandardCharsets.UTF_8), null, "BAD_KEY");
                case 2 -> new Sent(topic, new byte[0], new byte[] {(byte) 0xff, (byte) 0xfe}, null, "EMPTY_KEY");
                case 3 -> new Sent(topic, unknownId, null, null, "TOMBSTONE_UNKNOWN");
                case 4 -> new Sent(topic, "zz".getBytes(StandardCharsets.UTF_8), null, null, "TOMBSTONE_BAD_KEY");
                default -> new Sent(topic, unknownId, ("{\"pad\":\"" + "x".repeat(100 * 1024) + "\"}").getBytes(StandardCharsets.UTF_8),
                        null, "OVERSIZE");
            };
        }
    }

    static Map<String, Long> byReason(List<Sent> records) {
        Map<String, Long> m = new TreeMap<>();
        records.forEach(s -> m.merge(s.reason(), 1L, Long::sum));
        return m;
    }

    static Map<String, Long> byKind(List<Sent> records) {
        Map<String, Long> m = new TreeMap<>();
        records.forEach(s -> m.merge(s.kind(), 1L, Long::sum));
        return m;
    }

    /** The log line around {@code at}. */
    static String line(String text, int at) {
        int from = text.lastIndexOf('\n', at) + 1;
        int to = text.indexOf('\n', at);
        return text.substring(from, to < 0 ? text.length() : to);
    }

    static String digest(byte[] b) {
        if (b == null) {
            return "null";
        }
        try {
            return b.length + ":" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b)).substring(0, 16);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static void log(String format, Object... args) {
        System.out.println("[bad-input] " + String.format(Locale.ROOT, format, args));
    }
}
