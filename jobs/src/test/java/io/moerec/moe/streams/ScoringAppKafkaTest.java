package io.moerec.moe.streams;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.moerec.ingest.domain.Genre;
import io.moerec.ingest.domain.ModelAnnouncement;
import io.moerec.ingest.domain.Movie;
import io.moerec.ingest.domain.RecommendationList;
import io.moerec.ingest.domain.RecommendationList.RecommendedItem;
import io.moerec.ingest.domain.UserPreferenceFeatures;
import io.moerec.ingest.json.UserFeaturesCodec;
import io.moerec.ingest.topic.DeadLetters;
import io.moerec.ingest.topic.Topic;
import io.moerec.ingest.topic.Topics;
import io.moerec.jobs.broker.KafkaBrokerExtension;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The scoring app against the embedded broker: state comes back from the changelog after a restart
 * into an empty state directory, a deleted user's list is deleted on {@code recommendations}, a bad record goes to the dead-letter topic, models are swapped from
 * the models topic (and a bad one is refused), and two instances of one application id split the
 * partitions while the HTTP look-up answers for users the other instance owns.
 */
class ScoringAppKafkaTest {

    @RegisterExtension
    static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

    private static final Duration DEADLINE = Duration.ofSeconds(45);
    private static final long T = ScoringFixtures.T0 + 86_400_000L;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path tmp;

    private Topic<String, UserPreferenceFeatures> features;
    private Topic<Long, Movie> movies;
    private Topic<String, RecommendationList> recommendations;
    private Topic<String, ModelAnnouncement> models;
    private Topic<byte[], byte[]> dlq;

    @BeforeAll
    static void train() {
        ScoringFixtures.ensure();
    }

    private Map<String, String> settings(String appId, String stateDir) {
        features = features != null ? features : KAFKA.createUniqueTopic(Topics.USER_FEATURES);
        movies = movies != null ? movies : KAFKA.createUniqueTopic(Topics.MOVIES);
        recommendations = recommendations != null ? recommendations : KAFKA.createUniqueTopic(Topics.RECOMMENDATIONS);
        models = models != null ? models : KAFKA.createUniqueTopic(Topics.MODELS);
        dlq = dlq != null ? dlq : KAFKA.createUniqueTopic(Topics.VIEWING_EVENTS_DLQ);
        Map<String, String> s = ScoringFixtures.brokerSettings(KAFKA.bootstrapServers(), tmp.resolve(stateDir), appId,
                features.name(), movies.name(), recommendations.name());
        s.put(ScoringConfig.TOPIC_MODELS, models.name());
        s.put(ScoringConfig.TOPIC_DLQ, dlq.name());
        return s;
    }

    private KafkaProducer<byte[], byte[]> producer() {
        return ScoringFixtures.producer(KAFKA.bootstrapServers());
    }

    private static <K, V> void send(KafkaProducer<byte[], byte[]> p, Topic<K, V> topic, K key, V value) {
        try {
            ScoringFixtures.send(p, topic, key, value);
        } catch (Exception e) {
            throw new AssertionError("send to " + topic.name() + " failed", e);
        }
    }

    private void produceCatalog(KafkaProducer<byte[], byte[]> p) {
        for (Movie m : ScoringFixtures.catalog()) {
            send(p, movies, m.movieId(), m);
        }
    }

    private KafkaConsumer<byte[], byte[]> reader(String topic) {
        return ScoringFixtures.reader(KAFKA.bootstrapServers(), topic);
    }

    /** Reads lists until {@code done} holds for what was read, or fails at the deadline. */
    private List<RecommendationList> readLists(KafkaConsumer<byte[], byte[]> c, Predicate<List<RecommendationList>> done) {
        List<RecommendationList> seen = new ArrayList<>();
        long end = System.nanoTime() + DEADLINE.toNanos();
        while (!done.test(seen)) {
            if (System.nanoTime() > end) {
                fail("no expected lists within " + DEADLINE + "; read " + seen.size());
            }
            for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                if (r.value() != null) { // a deletion (a deleted user) is no list
                    seen.add(recommendations.valueSerde().deserializer().deserialize(r.topic(), r.value()));
                }
            }
        }
        return seen;
    }

    /** The value of an unlabelled sample on a Prometheus text page. */
    private static double sample(String page, String name) {
        return page.lines().filter(l -> l.startsWith(name + " ")).mapToDouble(l -> Double.parseDouble(l.substring(name.length() + 1)))
                .findFirst().orElseThrow(() -> new AssertionError("no " + name + " on " + page));
    }

    private static void await(String what, BooleanSupplier condition) {
        long end = System.nanoTime() + DEADLINE.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                fail("timed out waiting for " + what);
            }
            try {
                Thread.sleep(50); // polling interval of a deadline-bounded wait
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail("interrupted");
            }
        }
    }

    private static HttpResponse<String> get(int port, String path) {
        return get("127.0.0.1", port, path);
    }

    private static HttpResponse<String> get(String host, int port, String path) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create("http://" + host + ":" + port + path)).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new AssertionError("GET " + path + " failed", e);
        }
    }

    private static Predicate<List<RecommendationList>> hasTrigger(String eventId) {
        return lists -> lists.stream().anyMatch(l -> l.triggerEventId().equals(eventId));
    }

    private static RecommendationList byTrigger(List<RecommendationList> lists, String eventId) {
        return lists.stream().filter(l -> l.triggerEventId().equals(eventId)).findFirst().orElseThrow();
    }

    @Test
    void restartRestoresStateFromTheChangelogAndModelsSwapLive() throws Exception {
        Map<String, String> first = settings(KAFKA.uniqueName("scoring"), "state-1");
        long[] top3;
        try (KafkaProducer<byte[], byte[]> p = producer(); KafkaConsumer<byte[], byte[]> out = reader(recommendations.name())) {
            produceCatalog(p);
            try (ScoringApp app = new ScoringApp(ScoringConfig.fromMap(first)).start()) {
                send(p, features, "u1", ScoringFixtures.features("u1", Genre.COMEDY, new long[0], "e1", T));
                RecommendationList l1 = byTrigger(readLists(out, hasTrigger("e1")), "e1");
                top3 = l1.items().stream().limit(3).mapToLong(RecommendedItem::movieId).toArray();
                send(p, features, "u1", ScoringFixtures.features("u1", Genre.COMEDY, top3, "e2", T + 1));
                readLists(out, hasTrigger("e2"));
                // A record that is not JSON goes to the dead-letter topic with its bytes untouched.
                p.send(new ProducerRecord<>(features.name(), "u1".getBytes(StandardCharsets.UTF_8),
                        "garbage".getBytes(StandardCharsets.UTF_8))).get();
                try (KafkaConsumer<byte[], byte[]> dead = reader(dlq.name())) {
                    List<ConsumerRecord<byte[], byte[]>> got = new ArrayList<>();
                    await("a dead letter", () -> {
                        dead.poll(Duration.ofMillis(200)).forEach(got::add);
                        return !got.isEmpty();
                    });
                    assertEquals("garbage", new String(got.get(0).value(), StandardCharsets.UTF_8));
                    assertEquals(features.name(), DeadLetters.header(got.get(0).headers(), DeadLetters.SOURCE));
                }
                String versionA = app.models().current().version();
                // A bad announcement (wrong checksum) is refused; the good one swaps the model live.
                ModelAnnouncement good = ModelUpdater.announce(ScoringFixtures.bundleB(), ScoringFixtures.modelB().version(), T);
                send(p, models, good.modelVersion(), new ModelAnnouncement(good.modelVersion(), good.reference(),
                        "0".repeat(64), T));
                await("the bad model's rejection", () -> app.metrics().modelRejections() == 1);
                assertEquals(versionA, app.models().current().version());
                send(p, models, good.modelVersion(), new ModelAnnouncement(good.modelVersion(), good.reference(),
                        good.manifestSha256(), T + 1));
                await("the model swap", () -> app.models().current().version().equals(good.modelVersion()));
                send(p, features, "u1", ScoringFixtures.features("u1", Genre.COMEDY, top3, "e3", T + 2));
                assertEquals(good.modelVersion(), byTrigger(readLists(out, hasTrigger("e3")), "e3").modelVersion());
            }
            // Same application id, empty state directory: the stores come back from their changelogs.
            Map<String, String> second = new HashMap<>(first);
            second.put(ScoringConfig.STATE_DIR, tmp.resolve("state-2").toString());
            try (ScoringApp app = new ScoringApp(ScoringConfig.fromMap(second)).start()) {
                await("RUNNING", () -> app.streams().state() == KafkaStreams.State.RUNNING);
                // The restarted instance starts from model.path (A) and follows the topic to B.
                await("model B from the topic", () -> app.models().current().version().equals(ScoringFixtures.modelB().version()));
                long[] other = {ScoringFixtures.catalog().get(0).movieId()};
                long[] watched = java.util.stream.LongStream.concat(Arrays.stream(top3), Arrays.stream(other)).toArray();
                send(p, features, "u1", ScoringFixtures.features("u1", Genre.COMEDY, other, watched, "e4", T + 3));
                RecommendationList l4 = byTrigger(readLists(out, hasTrigger("e4")), "e4");
                for (long id : top3) {
                    assertFalse(l4.items().stream().anyMatch(i -> i.movieId() == id), "watched movie " + id + " reappeared after restore");
                }
                // The router state came back too: e3's two routed experts under B plus e4's two.
                RouterState router = app.streams().store(StoreQueryParameters.fromNameAndType(ScoringTopology.ROUTER_STORE,
                        QueryableStoreTypes.<String, RouterState>keyValueStore())).get(ScoringFixtures.modelB().version());
                assertEquals(4, Arrays.stream(router.totalLoad()).sum());
                await("the look-up", () -> get(app.httpPort(), "/users/u1/recommendations").statusCode() == 200);
                assertTrue(get(app.httpPort(), "/users/u1/recommendations").body().contains("\"e4\""));
                // A user the app does not know gets the model's non-personal list, marked as such.
                HttpResponse<String> nobody = get(app.httpPort(), "/users/nobody/recommendations");
                assertEquals(200, nobody.statusCode());
                assertTrue(nobody.body().contains("\"personal\":false") && nobody.body().contains("\"userId\":\"nobody\""),
                        nobody.body());
                assertTrue(get(app.httpPort(), "/users/u1/recommendations").body().contains("\"personal\":true"));
                HttpResponse<String> bad = get(app.httpPort(), "/users/%3Cscript%3E/recommendations");
                assertEquals(400, bad.statusCode());
                assertFalse(bad.body().contains("Exception"));
                assertEquals(200, get(app.httpPort(), "/health").statusCode());
                assertEquals(200, get(app.httpPort(), "/livez").statusCode());
                assertEquals(200, get(app.httpPort(), "/readyz").statusCode());
                assertTrue(app.health().ready() && app.health().live());
                String metrics = get(app.httpPort(), "/metrics").body();
                assertTrue(metrics.contains("moerec_events_scored_total 1.0\n"), metrics);
                assertTrue(metrics.contains("moerec_scoring_latency_seconds_count 1\n"), metrics);
                // Every published list's event-to-list latency is in the histogram (its trigger time is known).
                assertEquals(sample(metrics, "moerec_lists_published_total"), sample(metrics, "moerec_event_to_list_latency_seconds_count"),
                        metrics);
                assertTrue(metrics.contains("moerec_model_info{version=\""), metrics);
                // The features job deletes u1 (on request): a tombstone on user-features, and the look-up forgets u1.
                send(p, features, "u1", null);
                // A deleted user looks like a new one: the same non-personal list, not a 404 telling that u1 existed.
                await("the non-personal list after the tombstone",
                        () -> get(app.httpPort(), "/users/u1/recommendations").body().contains("\"personal\":false"));
                HttpResponse<String> deleted = get(app.httpPort(), "/users/u1/recommendations");
                assertEquals(200, deleted.statusCode());
                assertEquals(itemsOf(get(app.httpPort(), "/users/nobody/recommendations").body()), itemsOf(deleted.body()));
                assertEquals(null, app.streams().store(StoreQueryParameters.fromNameAndType(ScoringTopology.LISTS_STORE,
                        QueryableStoreTypes.<String, RecommendationList>keyValueStore())).get("u1"));
            }
            // Exactly once across the restart: every trigger produced one list, none twice, none lost, and
            // the deletion one null value for u1 after u1's last list.
            try (KafkaConsumer<byte[], byte[]> all = reader(recommendations.name())) {
                List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
                await("four lists and a deletion", () -> {
                    all.poll(Duration.ofMillis(200)).forEach(records::add);
                    return records.size() >= 5;
                });
                assertEquals(List.of("e1", "e2", "e3", "e4"), records.stream().filter(r -> r.value() != null)
                        .map(r -> recommendations.valueSerde().deserializer().deserialize(r.topic(), r.value()))
                        .map(RecommendationList::triggerEventId).sorted().toList());
                ConsumerRecord<byte[], byte[]> last = records.get(records.size() - 1);
                assertEquals("u1", new String(last.key(), StandardCharsets.UTF_8));
                assertEquals(null, last.value(), "the user's deletion");
                assertEquals(1, records.stream().filter(r -> r.value() == null).count());
            }
        }
    }

    /**
     * The largest value a producer at its default {@code max.request.size} (1 MiB) gets onto an input
     * topic at the broker's default {@code message.max.bytes}: its dead letter, headers added, is larger.
     */
    static final int NEAR_BROKER_LIMIT = 1_048_400;

    @Test
    void overTheRecordLimitAndNearTheBrokersLimitBadRecordsReachTheDeadLetterTopic() throws Exception {
        Map<String, String> s = settings(KAFKA.uniqueName("scoring-limits"), "state-limits");
        // The JSON form, which the app still reads: trailing whitespace changes its size and nothing else.
        byte[] valid = UserFeaturesCodec.encodeJson(ScoringFixtures.features("big", Genre.DRAMA, new long[] {1L}, "e1", T));
        int limit = valid.length + 10;
        s.put(ScoringConfig.MAX_RECORD_BYTES, Integer.toString(limit));
        byte[] key = "big".getBytes(StandardCharsets.UTF_8);
        byte[] overLimit = Arrays.copyOf(valid, limit + 1);
        Arrays.fill(overLimit, valid.length, overLimit.length, (byte) ' '); // valid JSON, one byte too long
        byte[] huge = new byte[NEAR_BROKER_LIMIT];
        Arrays.fill(huge, (byte) '{');
        try (KafkaProducer<byte[], byte[]> p = producer(); KafkaConsumer<byte[], byte[]> out = reader(recommendations.name());
             KafkaConsumer<byte[], byte[]> dead = reader(dlq.name())) {
            produceCatalog(p);
            try (ScoringApp app = new ScoringApp(ScoringConfig.fromMap(s)).start()) {
                p.send(new ProducerRecord<>(features.name(), key, overLimit)).get();
                p.send(new ProducerRecord<>(features.name(), key, huge)).get();
                p.send(new ProducerRecord<>(features.name(), key, Arrays.copyOf(overLimit, limit))).get(); // at the limit
                assertEquals("e1", readLists(out, hasTrigger("e1")).get(0).triggerEventId());
                List<ConsumerRecord<byte[], byte[]>> got = new ArrayList<>();
                await("two dead letters", () -> {
                    dead.poll(Duration.ofMillis(200)).forEach(got::add);
                    return got.size() >= 2;
                });
                assertArrayEquals(overLimit, got.get(0).value());
                assertArrayEquals(huge, got.get(1).value());
                for (ConsumerRecord<byte[], byte[]> d : got) {
                    assertEquals("OVERSIZE", DeadLetters.header(d.headers(), DeadLetters.REASON));
                    assertTrue(DeadLetters.header(d.headers(), DeadLetters.DETAIL).contains("the limit is " + limit));
                    assertArrayEquals(key, d.key());
                }
                assertTrue(got.get(1).serializedValueSize() + got.get(1).serializedKeySize() > 1_048_576 - 200,
                        "the dead letter is as large as planned");
                // Neither record may cost a stream thread (before the larger DLQ limit, the second one did, for ever).
                assertEquals(0, app.metrics().threadsReplaced(), "stream threads replaced");
                assertTrue(app.streams().state().isRunningOrRebalancing(), app.streams().state().toString());
            }
        }
    }

    @Test
    void twoInstancesSharePartitionsAndTheLookUpAnswersForTheOtherInstancesUsers() throws Exception {
        String appId = KAFKA.uniqueName("scoring-pair");
        Map<String, String> a = settings(appId, "a");
        Map<String, String> b = settings(appId, "b");
        try (KafkaProducer<byte[], byte[]> p = producer(); KafkaConsumer<byte[], byte[]> out = reader(recommendations.name());
             ScoringApp one = new ScoringApp(ScoringConfig.fromMap(a)).start();
             ScoringApp two = new ScoringApp(ScoringConfig.fromMap(b)).start()) {
            produceCatalog(p);
            await("both instances running with tasks", () -> hasTasks(one) && hasTasks(two));
            Genre[] genres = Genre.values();
            for (int i = 0; i < 16; i++) {
                send(p, features, "p" + i, ScoringFixtures.features("p" + i, genres[i % genres.length], new long[0], "pe" + i, T + i));
            }
            readLists(out, lists -> lists.stream().map(RecommendationList::userId).distinct().count() == 16);
            String ofTwo = null;
            String ofOne = null;
            for (int i = 0; i < 16; i++) {
                KeyQueryMetadata md = one.streams().queryMetadataForKey(ScoringTopology.LISTS_STORE, "p" + i, Serdes.String().serializer());
                if (md.activeHost().port() == two.httpPort()) {
                    ofTwo = "p" + i;
                } else if (md.activeHost().port() == one.httpPort()) {
                    ofOne = "p" + i;
                }
            }
            assertTrue(ofOne != null && ofTwo != null, "each instance owns some of the 16 users");
            // Each instance's stores share one bounded memory of their own (the default setter).
            SharedRocksDbMemory memoryOne = one.rocksDbMemory().orElseThrow();
            SharedRocksDbMemory memoryTwo = two.rocksDbMemory().orElseThrow();
            assertNotSame(memoryOne.cache(), memoryTwo.cache());
            assertEquals(ScoringConfig.DEFAULT_ROCKSDB_MEMORY_BYTES, memoryOne.capacityBytes());
            assertTrue(memoryOne.usageBytes() > 0 && memoryTwo.usageBytes() > 0, "the stores charge the shared caches");
            assertNotEquals(one.httpPort(), two.httpPort());
            for (String[] ask : new String[][] {{ofTwo, "one"}, {ofOne, "two"}}) {
                int port = ask[1].equals("one") ? one.httpPort() : two.httpPort();
                String user = ask[0];
                await("the look-up of " + user + " at instance " + ask[1],
                        () -> get(port, "/users/" + user + "/recommendations").statusCode() == 200);
                assertTrue(get(port, "/users/" + user + "/recommendations").body().contains("\"userId\":\"" + user + "\""));
            }
        }
    }

    /**
     * Replicas tell apart by host, not port (as containers do): one on 127.0.0.1, one on 127.0.0.2, the
     * same port. Each advertises its own address, so either answers every user, forwarding to the owner.
     */
    @Test
    void replicasOnDifferentHostsAndOnePortAnswerEveryUser() throws Exception {
        String appId = KAFKA.uniqueName("scoring-hosts");
        Map<String, String> a = settings(appId, "host-a");
        a.put(ScoringConfig.HTTP_HOST, "127.0.0.1");
        Map<String, String> b = settings(appId, "host-b");
        b.put(ScoringConfig.HTTP_HOST, "127.0.0.2");
        try (KafkaProducer<byte[], byte[]> p = producer(); KafkaConsumer<byte[], byte[]> out = reader(recommendations.name());
             ScoringApp one = new ScoringApp(ScoringConfig.fromMap(a)).start()) {
            b.put(ScoringConfig.HTTP_PORT, Integer.toString(one.httpPort()));
            try (ScoringApp two = new ScoringApp(ScoringConfig.fromMap(b)).start()) {
                assertEquals(one.httpPort(), two.httpPort());
                produceCatalog(p);
                await("both instances running with tasks", () -> hasTasks(one) && hasTasks(two));
                Genre[] genres = Genre.values();
                List<String> users = new ArrayList<>();
                for (int i = 0; i < 12; i++) {
                    users.add("h" + i);
                    send(p, features, "h" + i, ScoringFixtures.features("h" + i, genres[i % genres.length], new long[0], "he" + i, T + i));
                }
                readLists(out, lists -> lists.stream().map(RecommendationList::userId).distinct().count() == users.size());
                java.util.Set<String> owners = new java.util.HashSet<>();
                for (String user : users) {
                    owners.add(one.streams().queryMetadataForKey(ScoringTopology.LISTS_STORE, user, Serdes.String().serializer())
                            .activeHost().host());
                }
                assertEquals(java.util.Set.of("127.0.0.1", "127.0.0.2"), owners, "each replica advertises its own host and owns users");
                for (String host : new String[] {"127.0.0.1", "127.0.0.2"}) {
                    for (String user : users) {
                        await("the look-up of " + user + " at " + host,
                                () -> get(host, one.httpPort(), "/users/" + user + "/recommendations").statusCode() == 200);
                        assertTrue(get(host, one.httpPort(), "/users/" + user + "/recommendations").body()
                                .contains("\"userId\":\"" + user + "\""));
                    }
                }
            }
        }
    }

    private static boolean hasTasks(ScoringApp app) {
        return app.streams().state() == KafkaStreams.State.RUNNING
                && app.streams().metadataForLocalThreads().stream().anyMatch(t -> !t.activeTasks().isEmpty());
    }

    /** The items of a look-up's answer, as the recommendations codec reads them. */
    private static List<RecommendationList.RecommendedItem> itemsOf(String body) throws Exception {
        return new io.moerec.ingest.json.RecommendationListCodec().decode(body.getBytes(StandardCharsets.UTF_8)).items();
    }
}
