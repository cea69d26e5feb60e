package io.moerec.jobs.bench;

import io.moerec.features.FeatureConfig;
import io.moerec.features.PreferenceFeatureLogic;
import io.moerec.features.UserPreferenceState;
import io.moerec.features.flink.FeaturesPipeline;
import io.moerec.features.flink.FeaturesPipelineConfig;
import io.moerec.features.flink.FlinkSettings;
import io.moerec.features.flink.KafkaConnectors;
import io.moerec.features.flink.RawRecord;
import io.moerec.ingest.domain.UserPreferenceFeatures;
import io.moerec.ingest.domain.ViewingEvent;
import io.moerec.ingest.json.MovieCodec;
import io.moerec.ingest.json.ViewingEventCodec;
import io.moerec.ingest.files.Directories;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.connector.datagen.source.GeneratorFunction;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Measures events/s through the whole features job (decode, watermarks, broadcast catalog, keyed
 * RocksDB state, checkpoints) for a generated log, at each requested parallelism, several runs
 * each, and reports medians and the serialized state bytes per user. Without
 * {@code --bootstrap-servers} the log comes from in-memory generator sources and goes to discarding
 * sinks (the job's own cost). With it, the log is produced once to fresh topics (timed: the plain
 * producer's rate), each run reads it back with a plain consumer (the raw broker throughput of that
 * run) and then runs the job, from the same topics, with
 * bounded Kafka sources and exactly-once Kafka sinks; the job's rate as a fraction of the broker's
 * is the figure to watch. Rates use the job's net runtime (without MiniCluster start-up).
 * Allowed lateness is set to a year: parallel generator slices interleave users' events far out of
 * order, and a late check costs the same as an applied event would not.
 */
@Command(name = "FeaturesJobThroughput", mixinStandardHelpOptions = true,
        description = "Events/s through the features job for a generated log (a benchmark in test scope, not a test).")
public final class FeaturesJobThroughput implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--events", defaultValue = "1000000", description = "events in the log (default ${DEFAULT-VALUE})")
    long events;

    @Option(names = "--users", defaultValue = "20000", description = "distinct users (default ${DEFAULT-VALUE})")
    int users;

    @Option(names = "--movies", defaultValue = "5000", description = "catalog size (default ${DEFAULT-VALUE})")
    int movies;

    @Option(names = "--parallelism", split = ",", defaultValue = "1,2", description = "parallelisms to measure (default ${DEFAULT-VALUE})")
    List<Integer> parallelisms;

    @Option(names = "--runs", defaultValue = "3", description = "runs per parallelism; medians are reported (default ${DEFAULT-VALUE})")
    int runs;

    @Option(names = "--warmup", defaultValue = "1", description = "unreported runs first, to warm up the JIT (default ${DEFAULT-VALUE})")
    int warmup;

    @Option(names = "--checkpoint-interval-ms", defaultValue = "10000", description = "default ${DEFAULT-VALUE}")
    long checkpointIntervalMs;

    @Option(names = "--bootstrap-servers", description = "run through this Kafka broker instead of in-memory sources")
    String bootstrapServers;

    public static void main(String[] args) {
        System.exit(new CommandLine(new FeaturesJobThroughput()).execute(args));
    }

    record Run(int parallelism, double jobEventsPerSecond, double producerEventsPerSecond,
               double consumerEventsPerSecond) {
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        SyntheticViewingLog log = new SyntheticViewingLog(events, users, movies, 30L * 24 * 3600 * 1000, 42);
        FeaturesPipelineConfig config = FeaturesPipelineConfig.defaults()
                .withFeatures(FeatureConfig.defaults().withAllowedLatenessMs(365L * 24 * 3600 * 1000));
        out.printf("features benchmark: %d events, %d users, %d movies, %s, %d run(s) per parallelism%n",
                events, users, movies, bootstrapServers == null ? "in-memory sources" : "Kafka at " + bootstrapServers, runs);
        for (int i = 0; i < warmup; i++) {
            Run r = inMemoryRun(log, config, parallelisms.get(0));
            out.printf("  warm-up run: job %.0f events/s (not counted)%n", r.jobEventsPerSecond());
            out.flush();
        }
        for (int p : parallelisms) {
            List<Run> results = new ArrayList<>();
            for (int i = 0; i < runs; i++) {
                Run r = bootstrapServers == null ? inMemoryRun(log, config, p) : kafkaRun(log, config, p);
                results.add(r);
                out.printf("  p=%d run %d: job %.0f events/s%s%n", p, i + 1,
                        r.jobEventsPerSecond(), r.producerEventsPerSecond() > 0
                                ? String.format(", producer %.0f/s, consumer %.0f/s", r.producerEventsPerSecond(), r.consumerEventsPerSecond())
                                : "");
                out.flush();
            }
            double job = median(results, Run::jobEventsPerSecond);
            out.printf("p=%d median: job %.0f events/s", p, job);
            if (bootstrapServers != null) {
                double producer = median(results, Run::producerEventsPerSecond);
                double consumer = median(results, Run::consumerEventsPerSecond);
                out.printf(", producer %.0f/s, consumer %.0f/s, job/consumer %.2f", producer, consumer, job / consumer);
            }
            out.println();
            out.flush();
        }
        stateBytes(log, config, out);
        return 0;
    }

    private Run inMemoryRun(SyntheticViewingLog log, FeaturesPipelineConfig config, int p) throws Exception {
        Path checkpoints = Files.createTempDirectory("moerec-bench-");
        try {
            StreamExecutionEnvironment env = environment(checkpoints, p);
            new FeaturesPipeline(config,
                    generator(new EventGenerator(log), log.events),
                    generator(new MovieGenerator(log), log.movies),
                    new DiscardingSink<UserPreferenceFeatures>(), new DiscardingSink<ViewingEvent>(),
                    new DiscardingSink<>()).build(env);
            JobExecutionResult result = env.execute("features-job-throughput-p" + p);
            return new Run(p, rate(log.events, result), 0, 0);
        } finally {
            Directories.deleteRecursively(checkpoints);
        }
    }

    /** The log's topics on the broker, produced once; {@code producerRate} is that production's rate. */
    record KafkaLog(String eventsTopic, String moviesTopic, double producerRate) {
    }

    private KafkaLog kafkaLog;

    /** Produces the catalog and the log once to fresh topics, timing the plain producer. */
    private KafkaLog produceLog(SyntheticViewingLog log) throws Exception {
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        String eventsTopic = "bench-viewing-events-" + suffix;
        String moviesTopic = "bench-movies-" + suffix;
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrapServers))) {
            admin.createTopics(List.of(new NewTopic(eventsTopic, 4, (short) 1),
                    new NewTopic(moviesTopic, 1, (short) 1).configs(Map.of("cleanup.policy", "compact")))).all().get();
        }
        ViewingEventCodec eventCodec = new ViewingEventCodec();
        MovieCodec movieCodec = new MovieCodec();
        long t0 = System.nanoTime();
        AtomicReference<Exception> sendFailure = new AtomicReference<>();
        Callback onFailure = (metadata, e) -> {
            if (e != null) {
                sendFailure.compareAndSet(null, e);
            }
        };
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers, ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.LINGER_MS_CONFIG, 5, ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            for (long id = 1; id <= log.movies; id++) {
                RawRecord m = log.rawMovie(id, movieCodec, moviesTopic);
                producer.send(new ProducerRecord<>(moviesTopic, m.getKey(), m.getValue()), onFailure);
            }
            for (long i = 0; i < log.events && sendFailure.get() == null; i++) {
                RawRecord e = log.rawEvent(i, eventCodec, eventsTopic);
                producer.send(new ProducerRecord<>(eventsTopic, e.getKey(), e.getValue()), onFailure);
            }
        }
        if (sendFailure.get() != null) {
            throw new IllegalStateException("producing the log to " + eventsTopic + " failed", sendFailure.get());
        }
        return new KafkaLog(eventsTopic, moviesTopic, log.events / ((System.nanoTime() - t0) / 1e9));
    }

    private Run kafkaRun(SyntheticViewingLog log, FeaturesPipelineConfig config, int p) throws Exception {
        if (kafkaLog == null) {
            kafkaLog = produceLog(log);
        }
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        String featuresTopic = "bench-user-features-" + suffix;
        String lateTopic = "bench-late-" + suffix;
        String dlqTopic = "bench-dlq-" + suffix;
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrapServers))) {
            admin.createTopics(List.of(
                    new NewTopic(featuresTopic, 4, (short) 1).configs(Map.of("cleanup.policy", "compact")),
                    new NewTopic(lateTopic, 1, (short) 1), new NewTopic(dlqTopic, 1, (short) 1))).all().get();
        }
        String eventsTopic = kafkaLog.eventsTopic();
        String moviesTopic = kafkaLog.moviesTopic();
        double producerRate = kafkaLog.producerRate();
        double consumerRate = log.events / consumeAll(eventsTopic, log.events);

        Path checkpoints = Files.createTempDirectory("moerec-bench-");
        try {
            StreamExecutionEnvironment env = environment(checkpoints, p);
            String group = "bench-" + suffix;
            new FeaturesPipeline(config,
                    KafkaConnectors.rawSource(bootstrapServers, eventsTopic, group, OffsetsInitializer.earliest(), true),
                    KafkaConnectors.rawSource(bootstrapServers, moviesTopic, group + "-catalog", OffsetsInitializer.earliest(), true),
                    KafkaConnectors.featuresSink(bootstrapServers, featuresTopic, group, 900_000),
                    KafkaConnectors.lateSink(bootstrapServers, lateTopic, group, 900_000),
                    KafkaConnectors.deadLetterSink(bootstrapServers, dlqTopic, group, 900_000)).build(env);
            JobExecutionResult result = env.execute("features-job-throughput-kafka-p" + p);
            return new Run(p, rate(log.events, result), producerRate, consumerRate);
        } finally {
            Directories.deleteRecursively(checkpoints);
        }
    }

    /** Seconds to read {@code expected} records of a topic from the start with a plain consumer. */
    private double consumeAll(String topic, long expected) {
        long t0 = System.nanoTime();
        long n = 0;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> parts = consumer.partitionsFor(topic).stream()
                    .map(pi -> new TopicPartition(topic, pi.partition())).toList();
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            long lastProgress = System.nanoTime();
            while (n < expected && System.nanoTime() - lastProgress < TimeUnit.SECONDS.toNanos(60)) {
                int got = consumer.poll(Duration.ofMillis(500)).count();
                if (got > 0) {
                    n += got;
                    lastProgress = System.nanoTime();
                }
            }
        }
        if (n < expected) {
            throw new IllegalStateException("read only " + n + " of " + expected + " records from " + topic);
        }
        return (System.nanoTime() - t0) / 1e9;
    }

    private StreamExecutionEnvironment environment(Path checkpoints, int p) {
        Configuration conf = FlinkSettings.rocksDbExactlyOnce(Duration.ofMillis(checkpointIntervalMs), checkpoints.toUri().toString());
        conf.set(CheckpointingOptions.MAX_RETAINED_CHECKPOINTS, 1); // a benchmark needs no history
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(p);
        return env;
    }

    private static Source<RawRecord, ?, ?> generator(GeneratorFunction<Long, RawRecord> f, long count) {
        return new DataGeneratorSource<>(f, count, TypeInformation.of(RawRecord.class));
    }

    private static double rate(long events, JobExecutionResult result) {
        return events / (result.getNetRuntime(TimeUnit.MILLISECONDS) / 1000.0);
    }

    private static double median(List<Run> runs, java.util.function.ToDoubleFunction<Run> f) {
        List<Double> v = new ArrayList<>();
        for (Run r : runs) {
            v.add(f.applyAsDouble(r));
        }
        Collections.sort(v);
        int n = v.size();
        return n % 2 == 1 ? v.get(n / 2) : (v.get(n / 2 - 1) + v.get(n / 2)) / 2;
    }

    /**
     * The users' final states after the log, replayed with the one feature logic and serialized with
     * the job's own state serializer (Flink POJO): the value bytes per user that RocksDB stores
     * (before its block compression; the key, the user id, comes on top). Checkpoint directories are
     * no measure here: a bounded job's final checkpoint holds no state of finished tasks.
     */
    private static void stateBytes(SyntheticViewingLog log, FeaturesPipelineConfig config, PrintWriter out) throws IOException {
        PreferenceFeatureLogic logic = new PreferenceFeatureLogic(config.features());
        Map<String, UserPreferenceState> states = new HashMap<>();
        for (long i = 0; i < log.events; i++) {
            ViewingEvent e = log.event(i);
            states.put(e.userId(), logic.apply(states.get(e.userId()), e, log.movie(e.movieId())));
        }
        TypeSerializer<UserPreferenceState> serializer = TypeInformation.of(UserPreferenceState.class)
                .createSerializer(new SerializerConfigImpl());
        DataOutputSerializer buffer = new DataOutputSerializer(4096);
        long[] sizes = new long[states.size()];
        int k = 0;
        long keyBytes = 0;
        for (Map.Entry<String, UserPreferenceState> e : states.entrySet()) {
            buffer.clear();
            serializer.serialize(e.getValue(), buffer);
            sizes[k++] = buffer.length();
            keyBytes += e.getKey().length();
        }
        Arrays.sort(sizes);
        out.printf("state per user (%d users, serialized value): mean %.0f bytes, median %d, max %d; user id keys %.1f bytes%n",
                sizes.length, Arrays.stream(sizes).average().orElse(0), sizes[sizes.length / 2], sizes[sizes.length - 1],
                keyBytes / (double) sizes.length);
        out.flush();
    }


    /** Generates event {@code i} of the log as raw JSON bytes (the job decodes them, as from Kafka). */
    public static final class EventGenerator implements GeneratorFunction<Long, RawRecord> {
        private static final long serialVersionUID = 1L;
        private final IndexedViewingLog log;
        private transient ViewingEventCodec codec;

        public EventGenerator(IndexedViewingLog log) {
            this.log = log;
        }

        @Override
        public RawRecord map(Long i) {
            if (codec == null) {
                codec = new ViewingEventCodec();
            }
            return log.rawEvent(i, codec, "viewing-events");
        }
    }

    /** Generates catalog entry {@code i + 1}. */
    public static final class MovieGenerator implements GeneratorFunction<Long, RawRecord> {
        private static final long serialVersionUID = 1L;
        private final IndexedViewingLog log;
        private transient MovieCodec codec;

        public MovieGenerator(IndexedViewingLog log) {
            this.log = log;
        }

        @Override
        public RawRecord map(Long i) {
            if (codec == null) {
                codec = new MovieCodec();
            }
            return log.rawMovie(i + 1, codec, "movies");
        }
    }
}
