package io.moerec.moe.streams;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.fail;

import io.moerec.features.FeatureConfig;
import io.moerec.features.PreferenceFeatureLogic;
import io.moerec.ingest.domain.Movie;
import io.moerec.ingest.domain.RecommendationList;
import io.moerec.ingest.domain.RecommendationList.RecommendedItem;
import io.moerec.ingest.domain.UserPreferenceFeatures;
import io.moerec.ingest.domain.ViewingEvent;
import io.moerec.ingest.topic.Topic;
import io.moerec.ingest.topic.Topics;
import io.moerec.jobs.broker.EmbeddedKafkaBroker;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The scoring app reading a {@code user-features} topic that the broker has compacted before the app
 * reads it, so the app sees only (about) the latest update per user: a heavy user with far more
 * watches than the recent list holds, in same-second bursts, skips included. No published list holds
 * a movie its user had an event with before the list's trigger. The updates are the pure feature
 * logic's, which the features job's tests hold equal to the job's output.
 */
class ScoringAppCompactedFeaturesKafkaTest {

    private static final Duration DEADLINE = Duration.ofSeconds(45);
    private static final long T = ScoringFixtures.T0 + 86_400_000L;

    private static EmbeddedKafkaBroker broker;

    @TempDir
    Path tmp;

    @BeforeAll
    static void start() {
        ScoringFixtures.ensure();
        // The log cleaner looks for dirty logs every 100 ms instead of every 15 s.
        broker = EmbeddedKafkaBroker.builder().config("log.cleaner.backoff.ms", "100").start();
    }

    @AfterAll
    static void stop() {
        if (broker != null) {
            broker.close();
        }
    }

    private static <K, V> Topic<K, V> create(Topic<K, V> template, String name, Map<String, String> extra) {
        Map<String, String> config = new HashMap<>(template.config());
        config.putAll(extra);
        Topic<K, V> t = new Topic<>(name, template.keySerde(), template.valueSerde(), 1, config);
        broker.createTopics(List.of(t));
        return t;
    }

    private static KafkaConsumer<byte[], byte[]> reader(String topic) {
        return ScoringFixtures.reader(broker.bootstrapServers(), topic);
    }

    /** The records on the topic now, read to its end. */
    private static int count(String topic) {
        try (KafkaConsumer<byte[], byte[]> c = reader(topic)) {
            TopicPartition tp = c.assignment().iterator().next();
            long end = c.endOffsets(List.of(tp)).get(tp);
            int n = 0;
            while (c.position(tp) < end) {
                n += c.poll(Duration.ofMillis(200)).count();
            }
            return n;
        }
    }

    @Test
    void noListHoldsAWatchedMovieWhenTheAppReadsOnlyTheLatestUpdatePerUser() throws Exception {
        String run = Long.toString(System.nanoTime(), 36);
        Topic<String, UserPreferenceFeatures> features = create(Topics.USER_FEATURES, "user-features-" + run,
                Map.of("segment.ms", "100", "min.cleanable.dirty.ratio", "0.01"));
        Topic<Long, Movie> movies = create(Topics.MOVIES, "movies-" + run, Map.of());
        Topic<String, RecommendationList> recommendations = create(Topics.RECOMMENDATIONS, "recommendations-" + run, Map.of());
        Topic<?, ?> models = create(Topics.MODELS, "models-" + run, Map.of());
        Topic<?, ?> dlq = create(Topics.VIEWING_EVENTS_DLQ, "dlq-" + run, Map.of());

        // A heavy user watches 120 of the 150 movies (the recent list holds 50), in bursts of 15 ratings
        // within one second, then one by one; five lighter users watch, rate and skip.
        List<Movie> catalog = ScoringFixtures.catalog();
        SplittableRandom r = new SplittableRandom(11);
        List<ViewingEvent> events = new ArrayList<>();
        long t = T;
        for (int i = 0; i < 120; i++) {
            long id = catalog.get(i).movieId();
            events.add(i < 90 ? ViewingEvent.rate("h" + i, "heavy", id, T + (i / 15) * 60_000L, 0.5 + r.nextInt(10) * 0.5)
                    : ViewingEvent.complete("h" + i, "heavy", id, T + 3_600_000L + i * 1_000L));
        }
        for (int u = 0; u < 5; u++) {
            for (int i = 0; i < 40; i++) {
                long id = catalog.get(r.nextInt(catalog.size())).movieId();
                t = T + u * 10_000L + i / 8 * 1_000L;
                String e = "l" + u + "-" + i;
                events.add(switch (i % 4) {
                    case 0 -> ViewingEvent.skip(e, "light" + u, id, t);
                    case 1 -> ViewingEvent.rate(e, "light" + u, id, t, 4.0);
                    default -> ViewingEvent.complete(e, "light" + u, id, t);
                });
            }
        }
        Map<Long, Movie> byId = new HashMap<>();
        catalog.forEach(m -> byId.put(m.movieId(), m));
        Map<String, Set<Long>> seen = new HashMap<>();
        Map<String, Set<Long>> seenAtTrigger = new HashMap<>();
        for (ViewingEvent e : events) {
            seen.computeIfAbsent(e.userId(), u -> new HashSet<>()).add(e.movieId());
            seenAtTrigger.put(e.eventId(), Set.copyOf(seen.get(e.userId())));
        }
        List<UserPreferenceFeatures> updates = new ArrayList<>();
        new PreferenceFeatureLogic(FeatureConfig.defaults()).replay(events, byId::get, updates::add);
        Map<String, String> lastTrigger = new HashMap<>();
        updates.forEach(f -> lastTrigger.put(f.userId(), f.triggerEventId()));

        try (KafkaProducer<byte[], byte[]> p = producer()) {
            for (Movie m : catalog) {
                ScoringFixtures.send(p, movies, m.movieId(), m);
            }
            for (UserPreferenceFeatures f : updates) {
                ScoringFixtures.send(p, features, f.userId(), f);
            }
            // Roll the active segment (the cleaner leaves it alone) and wait for the compaction.
            Thread.sleep(200); // longer than segment.ms, so that the next record starts a new segment
            ScoringFixtures.send(p, features, "light0", updates.stream().filter(f -> f.userId().equals("light0")).reduce((a, b) -> b).orElseThrow());
            long end = System.nanoTime() + DEADLINE.toNanos();
            int left;
            // The cleaner may take more than one round over the rolled segments: wait until about one record per
            // user (six users) is left, not only until the first round has run.
            while ((left = count(features.name())) >= 20) {
                if (System.nanoTime() > end) {
                    fail("the features topic was not compacted: " + left + " of " + (updates.size() + 1) + " records left");
                }
                Thread.sleep(200); // polling interval of a deadline-bounded wait
            }
        }

        Map<String, String> s = ScoringFixtures.brokerSettings(broker.bootstrapServers(), tmp.resolve("state"),
                "scoring-compacted-" + run, features.name(), movies.name(), recommendations.name());
        s.put(ScoringConfig.TOPIC_MODELS, models.name());
        s.put(ScoringConfig.TOPIC_DLQ, dlq.name());
        List<RecommendationList> lists = new ArrayList<>();
        try (ScoringApp app = new ScoringApp(ScoringConfig.fromMap(s)).start();
             KafkaConsumer<byte[], byte[]> out = reader(recommendations.name())) {
            long end = System.nanoTime() + DEADLINE.toNanos();
            Set<String> finals = new HashSet<>(lastTrigger.values());
            while (!lists.stream().map(RecommendationList::triggerEventId).toList().containsAll(finals)) {
                if (System.nanoTime() > end) {
                    fail("no list for every user's last update within " + DEADLINE + "; read " + lists.size());
                }
                for (ConsumerRecord<byte[], byte[]> rec : out.poll(Duration.ofMillis(200))) {
                    lists.add(recommendations.valueSerde().deserializer().deserialize(rec.topic(), rec.value()));
                }
            }
            assertEquals(0, app.metrics().threadsReplaced());
        }
        for (RecommendationList l : lists) {
            Set<Long> watched = seenAtTrigger.get(l.triggerEventId());
            assertFalse(l.items().isEmpty());
            for (RecommendedItem i : l.items()) {
                assertFalse(watched.contains(i.movieId()), "list of " + l.triggerEventId() + " holds movie " + i.movieId()
                        + ", which " + l.userId() + " had already watched");
            }
        }
    }

    private static KafkaProducer<byte[], byte[]> producer() {
        return ScoringFixtures.producer(broker.bootstrapServers());
    }
}
