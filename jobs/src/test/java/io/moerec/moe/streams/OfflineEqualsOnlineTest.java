package io.moerec.moe.streams;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.moerec.features.flink.FeaturesJobConfig;
import io.moerec.ingest.domain.Movie;
import io.moerec.ingest.domain.RecommendationList;
import io.moerec.ingest.domain.RecommendationList.RecommendedItem;
import io.moerec.ingest.domain.UserPreferenceFeatures;
import io.moerec.ingest.domain.ViewingEvent;
import io.moerec.ingest.generate.GeneratorConfig;
import io.moerec.ingest.generate.SyntheticDataGenerator;
import io.moerec.ingest.topic.Topic;
import io.moerec.ingest.topic.Topics;
import io.moerec.jobs.broker.HangingTransaction;
import io.moerec.jobs.broker.KafkaBrokerExtension;
import io.moerec.jobs.features.FeaturesJob;
import io.moerec.jobs.features.FlinkJobs;
import io.moerec.moe.MoeScorer;
import io.moerec.moe.eval.OfflineScoring;
import io.moerec.moe.routing.RouterKind;
import io.moerec.moe.train.TrainingData;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Offline = online. A small generated history goes through the real pipeline (the features job on a
 * Flink MiniCluster at parallelism 2, exactly-once into {@code user-features} on the embedded broker,
 * the scoring app reading it); once drained, each user's last published list must be the list the
 * offline path ({@link OfflineScoring}, what {@code moerec evaluate} ranks the MoE with) makes from the
 * same bundle and the features the pure logic folds from the same events up to the list's trigger:
 * the same top 10 in the same order, scores within 1e-6.
 *
 * <p>It runs in the default fork, next to the in-process scoring app and its Kafka {@code rocksdbjni}:
 * the features job keeps its state on the heap here ({@code hashmap} instead of its production
 * RocksDB, which needs Flink's {@code frocksdbjni}); the state backend does not change what the
 * operator computes.
 */
class OfflineEqualsOnlineTest {

    private static final Logger LOG = LoggerFactory.getLogger(OfflineEqualsOnlineTest.class);

    @RegisterExtension
    static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    static final Duration DEADLINE = Duration.ofSeconds(180);
    static final int USERS = 30;

    @TempDir
    Path tmp;

    @BeforeAll
    static void train() {
        ScoringFixtures.ensure();
    }

    @Test
    @Timeout(840)
    void eachUsersLastListIsTheOfflineListOfTheSameEventsAndBundle() throws Exception {
        // A hanging transaction of the features job (a known connector defect) runs the scenario once more on
        // fresh topics and groups; any other failure, or a second hang, fails the test.
        HangingTransaction.retryOnce(LOG, attempt -> {
            run("offline-online-" + attempt);
            return null;
        });
    }

    private void run(String name) throws Exception {
        // The world the fixtures' bundles were trained on (same generator and seed, so the same catalog);
        // its first users' events, in the replay order, are the history.
        List<Movie> catalog = new ArrayList<>();
        List<ViewingEvent> all = new ArrayList<>();
        new SyntheticDataGenerator(GeneratorConfig.builder().seed(7).users(120).movies(150).targetEvents(6_000).build())
                .generate(catalog::add, all::add);
        assertEquals(ScoringFixtures.catalog(), catalog, "the bundles' catalog");
        Set<String> users = new TreeSet<>();
        all.stream().map(ViewingEvent::userId).sorted().distinct().limit(USERS).forEach(users::add);
        List<ViewingEvent> events = new ArrayList<>(all.stream().filter(e -> users.contains(e.userId())).toList());
        events.sort(TrainingData.REPLAY_ORDER);

        Topic<String, ViewingEvent> eventsTopic = KAFKA.createUniqueTopic(Topics.VIEWING_EVENTS);
        Topic<Long, Movie> movies = KAFKA.createUniqueTopic(Topics.MOVIES);
        Topic<String, UserPreferenceFeatures> features = KAFKA.createUniqueTopic(Topics.USER_FEATURES);
        Topic<String, RecommendationList> recommendations = KAFKA.createUniqueTopic(Topics.RECOMMENDATIONS);
        Topic<String, String> deletions = KAFKA.createUniqueTopic(Topics.USER_DELETIONS);
        String group = name;
        Map<String, String> f = new HashMap<>();
        f.put(FeaturesJobConfig.BOOTSTRAP_SERVERS, KAFKA.bootstrapServers());
        f.put(FeaturesJobConfig.TOPIC_EVENTS, eventsTopic.name());
        f.put(FeaturesJobConfig.TOPIC_MOVIES, movies.name());
        f.put(FeaturesJobConfig.TOPIC_FEATURES, features.name());
        String late = KAFKA.createUniqueTopic(Topics.VIEWING_EVENTS_LATE).name();
        String deadLetters = KAFKA.createUniqueTopic(Topics.VIEWING_EVENTS_DLQ).name();
        f.put(FeaturesJobConfig.TOPIC_LATE, late);
        f.put(FeaturesJobConfig.TOPIC_DLQ, deadLetters);
        f.put(FeaturesJobConfig.TOPIC_DELETIONS, deletions.name());
        f.put(FeaturesJobConfig.GROUP_ID, group);
        f.put(FeaturesJobConfig.TRANSACTIONAL_ID_PREFIX, group);
        f.put(FeaturesJobConfig.PARALLELISM, "2");
        f.put(FeaturesJobConfig.CHECKPOINT_INTERVAL_MS, "300");
        f.put(FeaturesJobConfig.CHECKPOINT_DIR, tmp.resolve(name).resolve("checkpoints").toUri().toString());
        FeaturesJobConfig featuresConfig = FeaturesJobConfig.fromMap(f);

        Map<String, String> s = ScoringFixtures.brokerSettings(KAFKA.bootstrapServers(), tmp.resolve(name).resolve("streams"), name,
                features.name(), movies.name(), recommendations.name());
        s.put(ScoringConfig.TOPIC_MODELS, KAFKA.createUniqueTopic(Topics.MODELS).name());
        s.put(ScoringConfig.TOPIC_DLQ, KAFKA.createUniqueTopic(Topics.VIEWING_EVENTS_DLQ).name());

        JobClient job = null;
        try (KafkaProducer<byte[], byte[]> p = ScoringFixtures.producer(KAFKA.bootstrapServers());
             Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers()))) {
            for (Movie m : catalog) {
                ScoringFixtures.send(p, movies, m.movieId(), m);
            }
            Configuration conf = featuresConfig.flinkConfiguration();
            conf.set(StateBackendOptions.STATE_BACKEND, "hashmap");
            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
            FeaturesJob.pipeline(featuresConfig).build(env);
            job = env.executeAsync("offline-equals-online");
            // Events sent before the job holds the whole catalog would wait for their movie (see
            // LivePipeline#awaitFeaturesJobHasCatalog); its catalog source commits on each checkpoint.
            await("the features job has the catalog", () -> lag(admin, group + "-catalog", movies.name()) == 0);
            try (ScoringApp app = new ScoringApp(ScoringConfig.fromMap(s)).start()) {
                for (ViewingEvent e : events) {
                    p.send(new org.apache.kafka.clients.producer.ProducerRecord<>(eventsTopic.name(),
                            eventsTopic.keySerde().serializer().serialize(eventsTopic.name(), e.userId()),
                            eventsTopic.valueSerde().serializer().serialize(eventsTopic.name(), e)));
                }
                p.flush();
                // Drained: one committed update per event (sorted, all movies known: none is late or
                // waits), and the app has scored each (a suppressed list is scored too).
                Map<TopicPartition, Long> pastLastUpdate = new HashMap<>();
                try (KafkaConsumer<byte[], byte[]> updates = ScoringFixtures.reader(KAFKA.bootstrapServers(), features.name())) {
                    long[] read = {0};
                    JobClient running = job;
                    Supplier<String> state = () -> "read " + read[0] + " of " + events.size() + "; features job "
                            + running.getJobStatus().join() + "; offsets of " + features.name() + ": last stable "
                            + HangingTransaction.endOffsets(admin, features.name(), IsolationLevel.READ_COMMITTED) + ", end "
                            + HangingTransaction.endOffsets(admin, features.name(), IsolationLevel.READ_UNCOMMITTED) + "; late events "
                            + HangingTransaction.endOffsets(admin, late, IsolationLevel.READ_UNCOMMITTED) + "; dead letters "
                            + HangingTransaction.endOffsets(admin, deadLetters, IsolationLevel.READ_UNCOMMITTED);
                    BooleanSupplier allRead = () -> {
                        for (ConsumerRecord<byte[], byte[]> r : updates.poll(Duration.ofMillis(200))) {
                            read[0]++;
                            pastLastUpdate.merge(new TopicPartition(r.topic(), r.partition()), r.offset() + 1, Math::max);
                        }
                        return read[0] >= events.size();
                    };
                    if (!within(DEADLINE, allRead)) {
                        HangingTransaction.check(admin, features.name());
                        fail("timed out waiting for a features update per event (" + state.get() + ")");
                    }
                    assertEquals(events.size(), read[0], "committed updates, one per event");
                }
                // Committed past every update (exactly-once: processed and its lists committed). Not "lag 0":
                // the topic's end offset counts the features job's transaction markers, which the app's
                // group commits past only when a later record arrives. The scored count is in the message
                // only: it once stayed below the updates while the group had committed past all of them.
                await(() -> "every update processed and committed (scored " + app.metrics().eventsScored() + " of " + events.size() + "; committed "
                        + committedOffsets(admin, name) + " against past the last updates " + pastLastUpdate + ")",
                        () -> committedPast(admin, name, pastLastUpdate));
                ReadOnlyKeyValueStore<String, RecommendationList> lists = app.streams().store(StoreQueryParameters
                        .fromNameAndType(ScoringTopology.LISTS_STORE, QueryableStoreTypes.<String, RecommendationList>keyValueStore()));
                compare(users, events, lists, featuresConfig);
            }
        } finally {
            if (job != null) {
                FlinkJobs.cancelAndAwaitEnd(job);
            }
        }
    }

    private static void compare(Set<String> users, List<ViewingEvent> events, ReadOnlyKeyValueStore<String, RecommendationList> lists,
                                FeaturesJobConfig config) {
        MoeScorer scorer = ScoringFixtures.modelA().scorer(RouterKind.SOFTMAX);
        Map<String, List<ViewingEvent>> byUser = new LinkedHashMap<>();
        for (ViewingEvent e : events) {
            byUser.computeIfAbsent(e.userId(), u -> new ArrayList<>()).add(e);
        }
        int lastEventLists = 0;
        for (String user : users) {
            RecommendationList online = lists.get(user);
            assertTrue(online != null, "no list for " + user);
            List<ViewingEvent> mine = byUser.get(user);
            int upTo = 0;
            while (!mine.get(upTo).eventId().equals(online.triggerEventId())) {
                upTo++;
            }
            lastEventLists += upTo == mine.size() - 1 ? 1 : 0;
            // The offline list of the events up to the list's trigger: the same features, the same list.
            UserPreferenceFeatures asOfTrigger = OfflineScoring.latestFeatures(mine.subList(0, upTo + 1), ScoringFixtures.catalog(),
                    config.pipeline().features()).get(user);
            assertSameList(user, OfflineScoring.recommend(scorer, asOfTrigger, 10), online.items());
            // Later updates were suppressed as unchanged: the offline list of all the events ranks the same movies.
            UserPreferenceFeatures last = OfflineScoring.latestFeatures(mine, ScoringFixtures.catalog(), config.pipeline().features()).get(user);
            assertEquals(online.items().stream().map(RecommendedItem::movieId).toList(),
                    OfflineScoring.recommend(scorer, last, 10).stream().map(RecommendedItem::movieId).toList(), user);
        }
        assertTrue(lastEventLists > 0, "some users' last list is their last event's");
    }

    private static void assertSameList(String user, List<RecommendedItem> offline, List<RecommendedItem> online) {
        assertEquals(10, online.size(), user);
        assertEquals(offline.stream().map(RecommendedItem::movieId).toList(), online.stream().map(RecommendedItem::movieId).toList(),
                "top 10 of " + user);
        for (int i = 0; i < online.size(); i++) {
            assertEquals(offline.get(i).score(), online.get(i).score(), 1e-6, user + " #" + (i + 1));
        }
    }

    /** Committed offsets of {@code group} behind the end of {@code topic}; −1 while it has committed none. */
    private static long lag(Admin admin, String group, String topic) {
        try {
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata().get();
            if (committed.isEmpty()) {
                return -1;
            }
            Map<TopicPartition, Long> ends = new HashMap<>();
            HangingTransaction.endOffsets(admin, topic, IsolationLevel.READ_UNCOMMITTED).forEach((p, end) -> ends.put(new TopicPartition(topic, p), end));
            return ends.isEmpty() ? -1 : behind(committed, ends); // empty: the offsets could not be read
        } catch (Exception e) {
            return -1;
        }
    }

    private static Map<TopicPartition, Long> committedOffsets(Admin admin, String group) {
        try {
            Map<TopicPartition, Long> out = new TreeMap<>(Comparator.comparing(TopicPartition::toString));
            admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get()
                    .forEach((tp, o) -> out.put(tp, o == null ? null : o.offset()));
            return out;
        } catch (Exception e) {
            return Map.of();
        }
    }

    /** Whether {@code group} has committed at or past each given offset. */
    private static boolean committedPast(Admin admin, String group, Map<TopicPartition, Long> offsets) {
        try {
            return behind(admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(), offsets) == 0;
        } catch (Exception e) {
            return false;
        }
    }

    private static long behind(Map<TopicPartition, OffsetAndMetadata> committed, Map<TopicPartition, Long> targets) {
        long behind = 0;
        for (var e : targets.entrySet()) {
            OffsetAndMetadata c = committed.get(e.getKey());
            behind += Math.max(0, e.getValue() - (c == null ? 0 : c.offset()));
        }
        return behind;
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        await(() -> what, condition);
    }

    /** Waits for {@code condition}; {@code what} describes the state it waited for when it times out. */
    private static void await(Supplier<String> what, BooleanSupplier condition) throws InterruptedException {
        if (!within(DEADLINE, condition)) {
            fail("timed out waiting for " + what.get());
        }
    }

    /** Whether {@code condition} became true within {@code deadline}. */
    private static boolean within(Duration deadline, BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + deadline.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                return false;
            }
            Thread.sleep(100); // polling interval of a deadline-bounded wait
        }
        return true;
    }
}
