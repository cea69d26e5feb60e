package io.moerec.jobs.trainer;

import io.moerec.ingest.domain.Movie;
import io.moerec.ingest.domain.ViewingEvent;
import io.moerec.ingest.json.InvalidRecordException;
import io.moerec.ingest.json.MovieCodec;
import io.moerec.ingest.json.ViewingEventCodec;
import io.moerec.moe.MoeModel;
import io.moerec.moe.TrainingConfig;
import io.moerec.moe.bundle.ModelBundle;
import io.moerec.moe.lifecycle.BlessPolicy;
import io.moerec.moe.lifecycle.CycleReport;
import io.moerec.moe.lifecycle.HoldoutScore;
import io.moerec.moe.lifecycle.HoldoutSplit;
import io.moerec.moe.lifecycle.ModelStore;
import io.moerec.moe.lifecycle.StoreState;
import io.moerec.moe.lifecycle.TrainingWindow;
import io.moerec.moe.train.MoeTrainer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The continuous trainer. It reads {@code viewing-events} ({@code read_committed}, decoded and
 * validated by the same strict codec as the features job; a record that job would dead-letter is
 * skipped and counted) into a {@link TrainingWindow} and follows the {@code movies} catalog. When the
 * {@link io.moerec.moe.lifecycle.RetrainCadence} says so, it trains a candidate on the window minus its
 * newest events, scores the candidate and the serving model on those held-out events
 * ({@link HoldoutScore}), lets the {@link BlessPolicy} decide, adds the candidate with its report to the
 * {@link ModelStore} either way, and commits the store's state (serving entry and input position
 * together); only then does it announce a blessed candidate on {@code models}. With
 * {@code warm-start.expert-epochs} set, a candidate's experts and gate start from the serving model's
 * weights ({@link io.moerec.moe.train.WarmStart}) and train fewer epochs; the hold-out comparison still decides.
 *
 * <p>The input position lives only in the store's state: on start the trainer re-reads each partition
 * from the offset where its part of the committed window began, so the window is rebuilt, and counts as
 * new only the events after the committed position. A process killed at any point therefore resumes
 * from the last committed cycle, and a bundle is announced only once it is complete in the store.
 * {@link #run} blocks; {@link #close} (another thread) ends it after the cycle in progress.
 */
public final class ContinuousTrainer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ContinuousTrainer.class);
    /** The cut-off of the hold-out metrics: NDCG@10 and HR@10. */
    public static final int K = 10;
    private static final Duration POLL = Duration.ofMillis(200);

    /**
     * How a candidate is trained when a test says otherwise; by default {@link MoeTrainer}, warm-started from the
     * serving model when {@link TrainerConfig#warmStart} gives a start.
     */
    @FunctionalInterface
    public interface CandidateTrainer {
        MoeModel train(String description, List<Movie> catalog, List<ViewingEvent> events, TrainingConfig config);
    }

    /** Running totals, readable from any thread. */
    public static final class Metrics {
        public final AtomicLong eventsRead = new AtomicLong();
        public final AtomicLong invalidRecords = new AtomicLong();
        public final AtomicLong cycles = new AtomicLong();
        public final AtomicLong announced = new AtomicLong();
        public final AtomicLong rejected = new AtomicLong();
        public final AtomicReference<CycleReport> lastReport = new AtomicReference<>();
    }

    private final TrainerConfig config;
    private final CandidateTrainer trainer;
    private final Metrics metrics = new Metrics();
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final ViewingEventCodec eventCodec;
    private final MovieCodec movieCodec = new MovieCodec();
    private final Map<Long, Movie> catalog = new TreeMap<>();
    private final TrainingWindow window;
    private final Map<Integer, Long> position = new TreeMap<>();
    private volatile boolean running = true;

    private ModelStore store;
    private Map<Integer, Long> committed = Map.of();
    private long newEvents;
    private long lastTrainedAt;
    private boolean hasModel;
    private String servingName;
    private MoeModel servingModel;

    public ContinuousTrainer(TrainerConfig config) {
        this(config, null);
    }

    /** With {@code trainer} null, candidates are trained by {@link MoeTrainer} (warm-started as configured). */
    public ContinuousTrainer(TrainerConfig config, CandidateTrainer trainer) {
        this.config = config;
        this.trainer = trainer;
        this.eventCodec = new ViewingEventCodec(config.maxRecordBytes());
        this.window = new TrainingWindow(config.windowEvents());
        Map<String, Object> p = new HashMap<>(config.clientProperties());
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "moerec-trainer");
        this.consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    public Metrics metrics() {
        return metrics;
    }

    /** Runs until {@link #close}; throws if the trainer cannot go on (store unreadable, Kafka gone for good). */
    public void run() throws IOException {
        try (ModelAnnouncer announcer = new ModelAnnouncer(config.clientProperties(), config.modelsTopic())) {
            start(announcer);
            while (running) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(POLL)) {
                    if (r.topic().equals(config.moviesTopic())) {
                        foldMovie(r);
                    } else {
                        foldEvent(r);
                        maybeTrain(announcer);
                    }
                }
                maybeTrain(announcer);
            }
        } catch (WakeupException e) {
            if (running) {
                throw e;
            }
        } finally {
            consumer.close(org.apache.kafka.clients.consumer.CloseOptions.timeout(Duration.ofSeconds(5)));
        }
    }

    private void start(ModelAnnouncer announcer) throws IOException {
        store = ModelStore.open(config.storeDir());
        int leftovers = store.removeLeftovers();
        if (leftovers > 0) {
            LOG.warn("removed {} unfinished writes from the model store {} (a process stopped half-way)", leftovers, store.dir());
        }
        StoreState state = store.state();
        if (state.topic() != null && !state.topic().equals(config.eventsTopic())) {
            throw new IllegalArgumentException(TrainerConfig.TOPIC_EVENTS + " is " + config.eventsTopic() + " but the model store "
                    + store.dir() + " holds positions of " + state.topic());
        }
        committed = state.consumed();
        hasModel = state.serving() != null;
        lastTrainedAt = state.lastTrainedAt() > 0 ? state.lastTrainedAt() : System.currentTimeMillis();
        Optional<ModelStore.Entry> serving = store.serving();
        if (serving.isPresent() && !state.announced()) {
            // The previous process committed a blessed model but stopped before its announcement went out.
            announceServing(announcer, serving.get());
        }
        loadCatalog();
        List<TopicPartition> events = partitions(config.eventsTopic());
        List<TopicPartition> movies = partitions(config.moviesTopic());
        Map<TopicPartition, Long> moviePositions = new HashMap<>();
        for (TopicPartition tp : movies) {
            moviePositions.put(tp, consumer.position(tp));
        }
        List<TopicPartition> all = new ArrayList<>(events);
        all.addAll(movies);
        consumer.assign(all);
        moviePositions.forEach(consumer::seek);
        Map<TopicPartition, Long> beginnings = consumer.beginningOffsets(events);
        for (TopicPartition tp : events) {
            long from = Math.max(state.windowStart().getOrDefault(tp.partition(), 0L), beginnings.get(tp));
            consumer.seek(tp, from);
            position.put(tp.partition(), from);
        }
        LOG.info("trainer started: {} movies, window of {} events, re-reading {} from {} (committed position {}), serving {}",
                catalog.size(), config.windowEvents(), config.eventsTopic(), position, committed,
                serving.map(ModelStore.Entry::name).orElse("nothing yet"));
    }

    private List<TopicPartition> partitions(String topic) {
        List<TopicPartition> out = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                .map(i -> new TopicPartition(i.topic(), i.partition())).toList();
        if (out.isEmpty()) {
            throw new IllegalStateException("topic " + topic + " does not exist (see " + TrainerConfig.TOPIC_EVENTS + ", "
                    + TrainerConfig.TOPIC_MOVIES + ")");
        }
        return out;
    }

    /** Reads the catalog topic up to its current end, so that the first training sees every movie. */
    private void loadCatalog() {
        List<TopicPartition> movies = partitions(config.moviesTopic());
        consumer.assign(movies);
        consumer.seekToBeginning(movies);
        Map<TopicPartition, Long> end = consumer.endOffsets(movies);
        while (running && movies.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
            consumer.poll(POLL).forEach(this::foldMovie);
        }
    }

    private void foldMovie(ConsumerRecord<byte[], byte[]> r) {
        Long id = r.key() == null || r.key().length != Long.BYTES ? null : java.nio.ByteBuffer.wrap(r.key()).getLong();
        if (r.value() == null) {
            if (id != null) {
                catalog.remove(id);
            }
            return;
        }
        try {
            Movie m = movieCodec.decode(r.value());
            catalog.put(m.movieId(), m);
        } catch (InvalidRecordException e) {
            LOG.warn("skipping an invalid catalog record at {}-{}@{}: {}", r.topic(), r.partition(), r.offset(), e.getMessage());
        }
    }

    /** The features job's verdict ({@code DecodeViewingEventFunction}): an event it would dead-letter is skipped here. */
    private void foldEvent(ConsumerRecord<byte[], byte[]> r) {
        position.put(r.partition(), r.offset() + 1);
        boolean isNew = r.offset() >= committed.getOrDefault(r.partition(), 0L);
        ViewingEvent e = null;
        if (r.value() != null) {
            try {
                e = eventCodec.decode(r.value());
            } catch (InvalidRecordException ex) {
                e = null;
            }
        }
        if (e == null || (r.key() != null && !Arrays.equals(r.key(), e.userId().getBytes(StandardCharsets.UTF_8)))) {
            if (isNew) {
                metrics.invalidRecords.incrementAndGet();
            }
            return;
        }
        window.add(e, r.partition(), r.offset());
        if (isNew) {
            newEvents++;
            metrics.eventsRead.incrementAndGet();
        }
    }

    private void maybeTrain(ModelAnnouncer announcer) throws IOException {
        long now = System.currentTimeMillis();
        if (running && config.cadence().due(hasModel, window.isFull(), newEvents,
                now - lastTrainedAt)) {
            cycle(announcer);
        }
    }

    private void cycle(ModelAnnouncer announcer) throws IOException {
        long t0 = System.nanoTime();
        Map<Integer, Long> consumed = new TreeMap<>(position);
        Map<Integer, Long> windowStart = window.startPositions(consumed);
        HoldoutSplit split = HoldoutSplit.of(window.events(), config.holdoutShare());
        long now = System.currentTimeMillis();
        if (split.train().isEmpty()) {
            LOG.warn("the window's {} events all lie in the held-out share; nothing to train on, waiting for more", split.all().size());
            newEvents = 0;
            lastTrainedAt = now;
            return;
        }
        List<Movie> movies = List.copyOf(catalog.values());
        Optional<ModelStore.Entry> servingEntry = store.serving();
        MoeModel serving = servingEntry.map(this::servingModel).orElse(null);
        MoeModel candidate;
        long tTrain = System.nanoTime();
        try {
            String description = "trainer window of " + split.all().size() + " events up to " + Instant.ofEpochMilli(split.cut());
            candidate = trainer == null
                    ? MoeTrainer.train(description, movies, split.train(), config.training(), config.warmStart(serving))
                    : trainer.train(description, movies, split.train(), config.training());
        } catch (RuntimeException e) {
            // Bad luck with one window (too few interactions for any expert, say) must not stop the process.
            LOG.error("training a candidate on {} events failed; trying again after the next {} events: {}", split.train().size(),
                    config.cadence().everyEvents(), e.toString(), e);
            newEvents = 0;
            lastTrainedAt = now;
            return;
        }
        double trainSeconds = (System.nanoTime() - tTrain) / 1e9;

        // A serving model that saw events after the cut would be scored on its own training data: score after them.
        long from = serving == null ? split.cut() : Math.max(split.cut(), serving.provenance().lastEventTime() + 1);
        HoldoutScore candidateScore = HoldoutScore.of(candidate, config.blessRouter(), movies, split.all(), from, K);
        HoldoutScore servingScore = serving == null ? null
                : HoldoutScore.of(serving, config.blessRouter(), movies, split.all(), from, K);
        BlessPolicy.Decision decision = config.blessPolicy().decide(candidateScore, servingScore);
        CycleReport report = new CycleReport(0, null, now, CycleReport.TRAINER, split.all().size(), split.train().size(), split.cut(),
                from, trainSeconds, candidateScore, servingEntry.map(ModelStore.Entry::version).orElse(null), servingScore,
                decision.announce(), decision.reason());
        ModelStore.Entry entry = store.add(candidate, report);
        // The position is committed only with the model state it produced: both in one atomic file.
        store.update(s -> {
            StoreState next = s.withPositions(config.eventsTopic(), consumed, windowStart, now);
            return decision.announce() ? next.withServing(entry.name(), false) : next;
        });
        committed = consumed;
        newEvents = 0;
        lastTrainedAt = now;
        metrics.cycles.incrementAndGet();
        metrics.lastReport.set(entry.report());
        if (decision.announce()) {
            metrics.announced.incrementAndGet();
            hasModel = true;
            servingName = entry.name();
            servingModel = candidate;
            announceServing(announcer, entry);
        } else {
            metrics.rejected.incrementAndGet();
        }
        List<String> deleted = store.retain(config.storeKeep());
        LOG.info("candidate {} ({} training events, trained in {} s{}, cycle {} s): NDCG@10 {} HR@10 {} on {} held-out first"
                        + " interactions; serving {} NDCG@10 {}; {}: {} (announced {}, not announced {}{})", entry.name(),
                split.train().size(), fmt(trainSeconds),
                candidate.provenance().metrics().getOrDefault("train.warmStart", 0.0) > 0 ? " warm-started from the serving model" : "",
                fmt((System.nanoTime() - t0) / 1e9), fmt(candidateScore.ndcg().mean()),
                fmt(candidateScore.hr().mean()), candidateScore.interactions(), servingEntry.map(ModelStore.Entry::name).orElse("none"),
                servingScore == null ? "-" : fmt(servingScore.ndcg().mean()), decision.announce() ? "ANNOUNCED" : "NOT ANNOUNCED",
                decision.reason(), metrics.announced.get(), metrics.rejected.get(),
                deleted.isEmpty() ? "" : "; deleted " + deleted);
    }

    private MoeModel servingModel(ModelStore.Entry e) {
        if (!e.name().equals(servingName)) {
            servingModel = ModelBundle.load(e.bundle());
            servingName = e.name();
        }
        return servingModel;
    }

    private void announceServing(ModelAnnouncer announcer, ModelStore.Entry entry) throws IOException {
        announcer.announce(entry.bundle(), entry.version());
        store.update(s -> entry.name().equals(s.serving()) ? s.withServing(entry.name(), true) : s);
        LOG.info("announced {} on {}", entry.name(), config.modelsTopic());
    }

    private static String fmt(double v) {
        return String.format(java.util.Locale.ROOT, "%.4f", v);
    }

    /** Ends {@link #run} after the cycle in progress (if any); callable from any thread. */
    @Override
    public void close() {
        running = false;
        consumer.wakeup();
    }
}
