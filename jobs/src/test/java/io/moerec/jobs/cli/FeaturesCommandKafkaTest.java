package io.moerec.jobs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.moerec.ingest.domain.Genre;
import io.moerec.ingest.domain.GenreSet;
import io.moerec.ingest.domain.Movie;
import io.moerec.ingest.domain.UserPreferenceFeatures;
import io.moerec.ingest.domain.ViewingEvent;
import io.moerec.ingest.json.MovieCodec;
import io.moerec.ingest.json.UserFeaturesCodec;
import io.moerec.ingest.json.ViewingEventCodec;
import io.moerec.ingest.topic.Topics;
import io.moerec.jobs.broker.KafkaBrokerExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code moerec features} against the embedded broker: the command's child JVM runs the job, which
 * turns a catalog and an event into a committed user-features record; interrupting the command
 * stops the job. Tagged {@code flink}: the command gives its job this JVM's class path, which in
 * the default test fork lacks Flink's RocksDB build.
 */
@Tag("flink")
class FeaturesCommandKafkaTest {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(FeaturesCommandKafkaTest.class);

    @RegisterExtension
    static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

    static final Duration DEADLINE = Duration.ofSeconds(90);

    @Test
    void theJobTurnsAnEventIntoCommittedFeatures(@TempDir Path checkpoints) throws Exception {
        String events = KAFKA.createUniqueTopic(Topics.VIEWING_EVENTS).name();
        String movies = KAFKA.createUniqueTopic(Topics.MOVIES).name();
        String features = KAFKA.createUniqueTopic(Topics.USER_FEATURES).name();
        String late = KAFKA.createUniqueTopic(Topics.VIEWING_EVENTS_LATE).name();
        String dlq = KAFKA.createUniqueTopic(Topics.VIEWING_EVENTS_DLQ).name();
        String deletions = KAFKA.createUniqueTopic(Topics.USER_DELETIONS).name();
        try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(KAFKA.broker().clientProperties(),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            p.send(new ProducerRecord<>(movies, "7".getBytes(StandardCharsets.US_ASCII),
                    new MovieCodec().encode(new Movie(7, "Seven", 1995, GenreSet.of(Genre.DRAMA)))));
            p.send(new ProducerRecord<>(events, "ann".getBytes(StandardCharsets.UTF_8),
                    new ViewingEventCodec().encode(ViewingEvent.complete("e1", "ann", 7, 1717200000000L))));
        }
        long start = System.nanoTime();
        ExecutorService command = Executors.newSingleThreadExecutor();
        try {
            Future<MoerecCliTest.Run> run = command.submit(() -> MoerecCliTest.run("features",
                    "-s", "bootstrap.servers=" + KAFKA.bootstrapServers(), "-s", "parallelism=1",
                    "-s", "topic.viewing-events=" + events, "-s", "topic.movies=" + movies,
                    "-s", "topic.user-features=" + features, "-s", "topic.viewing-events-late=" + late,
                    "-s", "topic.viewing-events-dlq=" + dlq, "-s", "topic.user-deletions=" + deletions,
                    "-s", "group.id=" + features, "-s", "transactional-id-prefix=" + features,
                    "-s", "checkpoint.interval-ms=500", "-s", "checkpoint.dir=" + checkpoints.toUri(),
                    "-s", "stream.catalog-settle-ms=200",
                    // One event leaves three of four partitions empty: they stop holding the watermark back after 1 s, not 30.
                    "-s", "stream.idleness-ms=1000"));
            List<ConsumerRecord<byte[], byte[]>> out = readCommitted(features, run);
            LOG.info("committed features after {} ms", (System.nanoTime() - start) / 1_000_000);
            assertEquals(1, out.size(), "one committed update");
            UserPreferenceFeatures f = new UserFeaturesCodec().decode(out.get(0).value());
            assertEquals("ann", f.userId());
            assertTrue(f.genreAffinity()[Genre.DRAMA.ordinal()] > 0, f.toString());
        } finally {
            command.shutdownNow(); // interrupts the command, which stops its job
            long stopping = System.nanoTime();
            assertTrue(command.awaitTermination(60, TimeUnit.SECONDS), "the command and its job stopped");
            LOG.info("the command stopped in {} ms", (System.nanoTime() - stopping) / 1_000_000);
        }
    }

    /** The topic's records, read_committed, once there is one (or the deadline passed, or the command ended). */
    static List<ConsumerRecord<byte[], byte[]>> readCommitted(String topic, Future<?> command) {
        Map<String, Object> c = KAFKA.broker().clientProperties();
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> parts = consumer.partitionsFor(topic).stream()
                    .map(pi -> new TopicPartition(topic, pi.partition())).toList();
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            long deadline = System.nanoTime() + DEADLINE.toNanos();
            while (out.isEmpty() && !command.isDone() && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(out::add);
            }
        }
        return out;
    }
}
