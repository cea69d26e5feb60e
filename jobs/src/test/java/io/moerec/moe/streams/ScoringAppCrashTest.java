package io.moerec.moe.streams;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.moerec.ingest.domain.Genre;
import io.moerec.ingest.domain.Movie;
import io.moerec.ingest.domain.RecommendationList;
import io.moerec.ingest.domain.RecommendationList.RecommendedItem;
import io.moerec.ingest.domain.UserPreferenceFeatures;
import io.moerec.ingest.topic.Topic;
import io.moerec.ingest.topic.Topics;
import io.moerec.jobs.broker.KafkaBrokerExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The scoring app in a child JVM killed with SIGKILL in the middle of a burst, then restarted in this
 * JVM on the same application id: under exactly-once no list is published twice, every update
 * gets scored, and the update's watched set keeps watched movies out after the restart.
 */
class ScoringAppCrashTest {

    @RegisterExtension
    static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

    private static final Duration DEADLINE = Duration.ofSeconds(45);
    private static final long T = ScoringFixtures.T0 + 86_400_000L;

    @TempDir
    Path tmp;

    @BeforeAll
    static void train() {
        ScoringFixtures.ensure();
    }

    @Test
    void aKilledInstanceLosesNothingAndDuplicatesNothing() throws Exception {
        Topic<String, UserPreferenceFeatures> features = KAFKA.createUniqueTopic(Topics.USER_FEATURES);
        Topic<Long, Movie> movies = KAFKA.createUniqueTopic(Topics.MOVIES);
        Topic<String, RecommendationList> recs = KAFKA.createUniqueTopic(Topics.RECOMMENDATIONS);
        Map<String, String> s = ScoringFixtures.brokerSettings(KAFKA.bootstrapServers(), tmp.resolve("state"),
                KAFKA.uniqueName("crash"), features.name(), movies.name(), recs.name());
        s.put(ScoringConfig.MODEL_WATCH_TOPIC, "false");
        // A killed member leaves the group only when its session times out: the broker's minimum, not 45 s.
        s.put("streams.session.timeout.ms", "6000");
        s.put("streams.heartbeat.interval.ms", "1000");

        try (KafkaProducer<byte[], byte[]> p = producer(); KafkaConsumer<byte[], byte[]> out = reader(recs.name())) {
            for (Movie m : ScoringFixtures.catalog()) {
                ScoringFixtures.send(p, movies, m.movieId(), m);
            }
            Process child = startChild(s);
            List<RecommendationList> seen = new ArrayList<>();
            long[] top3;
            try {
                ScoringFixtures.send(p, features, "k1", ScoringFixtures.features("k1", Genre.DRAMA, new long[0], "k-e0", T));
                read(out, recs, seen, l -> hasTrigger(l, "k-e0"));
                top3 = seen.get(0).items().stream().limit(3).mapToLong(RecommendedItem::movieId).toArray();
                // A burst over 30 users, each list different from that user's last (new users), then SIGKILL.
                Genre[] genres = Genre.values();
                for (int i = 0; i < 30; i++) {
                    String user = "k" + (i + 2);
                    ScoringFixtures.send(p, features, user, ScoringFixtures.features(user, genres[i % genres.length], new long[0], "k-b" + i, T + i));
                }
                ScoringFixtures.send(p, features, "k1", ScoringFixtures.features("k1", Genre.DRAMA, top3, "k-e1", T + 100));
            } finally {
                child.destroyForcibly(); // SIGKILL: no close, no commit, possibly an open transaction
                child.waitFor();
            }
            try (ScoringApp restarted = new ScoringApp(ScoringConfig.fromMap(s)).start()) {
                assertTrue(restarted.httpPort() > 0, "the restarted app serves look-ups");
                read(out, recs, seen, l -> hasTrigger(l, "k-e1") && l.stream().map(RecommendationList::triggerEventId)
                        .filter(t -> t.startsWith("k-b")).distinct().count() == 30);
                long[] other = {ScoringFixtures.catalog().get(1).movieId()};
                long[] watched = java.util.stream.LongStream.concat(java.util.Arrays.stream(top3), java.util.Arrays.stream(other)).toArray();
                ScoringFixtures.send(p, features, "k1", ScoringFixtures.features("k1", Genre.DRAMA, other, watched, "k-e2", T + 200));
                read(out, recs, seen, l -> hasTrigger(l, "k-e2"));
                // Let anything late arrive before checking for duplicates.
                long quiet = System.nanoTime() + Duration.ofSeconds(1).toNanos();
                while (System.nanoTime() < quiet) {
                    poll(out, recs, seen);
                }
            }
            Set<String> triggers = new HashSet<>();
            for (RecommendationList l : seen) {
                assertTrue(triggers.add(l.triggerEventId()), "list for " + l.triggerEventId() + " published twice");
            }
            assertEquals(33, triggers.size());
            RecommendationList last = seen.stream().filter(l -> l.triggerEventId().equals("k-e2")).findFirst().orElseThrow();
            for (long id : top3) {
                assertFalse(last.items().stream().anyMatch(i -> i.movieId() == id), "watched movie " + id + " came back after the crash");
            }
        }
    }

    private Process startChild(Map<String, String> settings) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-cp", System.getProperty("java.class.path"), ScoringApp.class.getName()));
        settings.forEach((k, v) -> {
            cmd.add("-s");
            cmd.add(k + "=" + v);
        });
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(tmp.resolve("child.log").toFile()).start();
    }

    private static boolean hasTrigger(List<RecommendationList> lists, String trigger) {
        return lists.stream().anyMatch(l -> l.triggerEventId().equals(trigger));
    }

    private KafkaProducer<byte[], byte[]> producer() {
        return ScoringFixtures.producer(KAFKA.bootstrapServers());
    }

    private KafkaConsumer<byte[], byte[]> reader(String topic) {
        return ScoringFixtures.reader(KAFKA.bootstrapServers(), topic);
    }

    private static void poll(KafkaConsumer<byte[], byte[]> c, Topic<String, RecommendationList> recs, List<RecommendationList> seen) {
        for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
            seen.add(recs.valueSerde().deserializer().deserialize(r.topic(), r.value()));
        }
    }

    private static void read(KafkaConsumer<byte[], byte[]> c, Topic<String, RecommendationList> recs, List<RecommendationList> seen,
                             Predicate<List<RecommendationList>> done) {
        long end = System.nanoTime() + DEADLINE.toNanos();
        while (!done.test(seen)) {
            if (System.nanoTime() > end) {
                fail("expected lists did not arrive within " + DEADLINE + "; read " + seen.size());
            }
            poll(c, recs, seen);
        }
    }
}
