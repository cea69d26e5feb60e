package io.moerec.jobs.cli;

import io.moerec.ingest.generate.GenerationResult;
import io.moerec.ingest.generate.GeneratorConfig;
import io.moerec.ingest.generate.SyntheticDataGenerator;
import io.moerec.ingest.replay.CatalogLoader;
import io.moerec.ingest.replay.ReplayOptions;
import io.moerec.ingest.replay.ReplayProducers;
import io.moerec.ingest.replay.ReplaySummary;
import io.moerec.ingest.replay.Replayer;
import io.moerec.ingest.source.DataSet;
import io.moerec.ingest.topic.Topic;
import io.moerec.ingest.topic.Topics;
import io.moerec.jobs.broker.EmbeddedKafkaBroker;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code moerec demo}: the README's first command. Starts a real single-node Kafka broker on
 * loopback, creates the topics, generates a data set (or opens MovieLens), publishes the catalog,
 * replays the events, checks what landed on the topics against what was sent, prints it all, and
 * stops everything again, also on Ctrl-C. The Flink features job and the scoring app join this
 * command as their issues land.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Runs moerec on the embedded default: a Kafka broker (KRaft, 127.0.0.1), the topics, a generated "
                + "data set (or --movielens DIR), catalog load and event replay; prints what it did and stops everything.")
final class DemoCommand implements Callable<Integer> {

    private static final Logger LOG = LoggerFactory.getLogger(DemoCommand.class);

    @Spec
    CommandSpec spec;

    @Option(names = "--movielens", paramLabel = "DIR",
            description = "Replay a MovieLens directory (ml-100k, ml-1m or ml-latest layout) instead of generated data.")
    Path movielens;

    @Option(names = "--format", paramLabel = "FORMAT", description = "Layout of --movielens, detected when omitted.")
    Optional<String> format = Optional.empty();

    @Option(names = "--events", paramLabel = "N", description = "Generated events (default: ${DEFAULT-VALUE}).")
    long events = 100_000;

    @Option(names = "--users", paramLabel = "N", description = "Generated users (default: ${DEFAULT-VALUE}).")
    int users = GeneratorConfig.DEFAULT_USERS;

    @Option(names = "--seed", paramLabel = "N", description = "Generator seed (default: ${DEFAULT-VALUE}).")
    long seed = GeneratorConfig.DEFAULT_SEED;

    private double speed = Double.POSITIVE_INFINITY;

    @Option(names = "--speed", paramLabel = "X",
            description = "Replay speed, event time per real time: 60 = one hour of events per minute (default: as fast as possible).")
    void setSpeed(double value) {
        if (!(value > 0) || Double.isInfinite(value)) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "Invalid value for option '--speed': must be a positive number, got " + value);
        }
        this.speed = value;
    }

    @Option(names = "--work-dir", paramLabel = "DIR",
            description = "Where generated data and the broker's log live (default: a temporary directory deleted at the end).")
    Path workDir;

    @Mixin
    PortOption port;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        boolean temporary = workDir == null;
        Path work = temporary ? Files.createTempDirectory("moerec-demo-") : Files.createDirectories(workDir);
        Thread cleanup = new Thread(() -> deleteTemporary(work, temporary), "moerec-demo-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanup);
        try {
            run(out, work);
        } finally {
            deleteTemporary(work, temporary);
            try {
                Runtime.getRuntime().removeShutdownHook(cleanup);
            } catch (IllegalStateException shuttingDown) {
                LOG.debug("JVM is shutting down; the cleanup hook runs by itself");
            }
        }
        return 0;
    }

    private void run(PrintWriter out, Path work) {
        step(out, "1/5", "starting a Kafka broker (KRaft, single node, 127.0.0.1)");
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder().port(port.port).dataDir(work.resolve("kafka")).start()) {
            Thread stopBroker = new Thread(broker::close, "moerec-demo-broker-shutdown");
            Runtime.getRuntime().addShutdownHook(stopBroker);
            out.printf(Locale.ROOT, "      broker ready at %s in %,d ms%n", broker.bootstrapServers(), broker.startupTime().toMillis());
            step(out, "2/5", "creating topics " + Topics.all().stream().map(Topic::name).toList());
            broker.createMoerecTopics();

            DataSet data = dataSet(out, work);
            String bootstrap = broker.bootstrapServers();
            ReplaySummary catalog;
            ReplaySummary replay;
            try (Producer<byte[], byte[]> producer = ReplayProducers.create(bootstrap)) {
                step(out, "4/5", "publishing the catalog to " + Topics.MOVIES.name());
                catalog = new CatalogLoader(producer, Topics.MOVIES, Topics.VIEWING_EVENTS_DLQ.name()).load(data);
                out.println("      " + ProgressPrinter.summary(catalog, "movies"));
                step(out, "5/5", "replaying events to " + Topics.VIEWING_EVENTS.name());
                boolean terminal = System.console() != null;
                ProgressPrinter progress = new ProgressPrinter(out, terminal);
                ReplayOptions options = ReplayOptions.defaults().withSpeed(speed)
                        .withProgressInterval(terminal ? Duration.ofMillis(250) : Duration.ofSeconds(5));
                try {
                    replay = new Replayer(producer, options).replay(data, progress);
                } finally {
                    progress.done();
                }
                out.println("      " + ProgressPrinter.summary(replay, "events"));
            }
            Map<String, Long> onTopics = recordCounts(bootstrap,
                    List.of(Topics.MOVIES.name(), Topics.VIEWING_EVENTS.name(), Topics.VIEWING_EVENTS_DLQ.name()));
            out.printf(Locale.ROOT, "done: records now on the broker: %s%n", onTopics);
            long expectedDlq = catalog.rejectedTotal() + replay.rejectedTotal();
            boolean accounted = onTopics.get(Topics.VIEWING_EVENTS.name()) == replay.sent()
                    && onTopics.get(Topics.VIEWING_EVENTS_DLQ.name()) == expectedDlq;
            out.printf(Locale.ROOT, "      every line accounted for: %s (%,d events sent + %,d rejected = %,d lines read)%n",
                    accounted ? "yes" : "NO", replay.sent(), replay.rejectedTotal(), replay.read());
            out.println("      stopping the broker");
            out.flush();
            Runtime.getRuntime().removeShutdownHook(stopBroker);
            if (!accounted) {
                throw new IllegalStateException("the topics do not hold what was sent: " + onTopics);
            }
        }
    }

    private DataSet dataSet(PrintWriter out, Path work) {
        if (movielens != null) {
            step(out, "3/5", "opening " + movielens);
            DataSet ds = DataSetOpener.open(movielens, format);
            out.println("      " + ds.description());
            return ds;
        }
        GeneratorConfig config = GeneratorConfig.builder().seed(seed).users(users).targetEvents(events).build();
        Path dir = work.resolve("data");
        step(out, "3/5", String.format(Locale.ROOT, "generating %,d events for %,d users (seed %d) into %s", events, users, seed, dir));
        GenerationResult r = new SyntheticDataGenerator(config).generate(dir);
        out.println("      " + GenerateCommand.describe(r, dir));
        return DataSetOpener.open(dir, Optional.of("jsonl"));
    }

    private static void step(PrintWriter out, String n, String what) {
        out.println("[" + n + "] " + what);
        out.flush();
    }

    /** Records per topic, from end offsets: the producers are idempotent and not transactional. */
    static Map<String, Long> recordCounts(String bootstrap, List<String> topics) {
        Map<String, Object> config = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config)) {
            Map<String, Long> counts = new java.util.LinkedHashMap<>();
            for (String topic : topics) {
                List<TopicPartition> parts = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                        .map((PartitionInfo p) -> new TopicPartition(p.topic(), p.partition())).toList();
                long end = consumer.endOffsets(parts, Duration.ofSeconds(30)).values().stream().mapToLong(Long::longValue).sum();
                long begin = consumer.beginningOffsets(parts, Duration.ofSeconds(30)).values().stream().mapToLong(Long::longValue).sum();
                counts.put(topic, end - begin);
            }
            return counts;
        }
    }

    private static void deleteTemporary(Path dir, boolean temporary) {
        if (!temporary || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete the demo's temporary directory " + dir, e);
        }
    }

    /** {@code --port}, validated: 0 picks a free port. */
    static final class PortOption {
        @Spec(Spec.Target.MIXEE)
        CommandSpec spec;

        int port;

        @Option(names = "--port", paramLabel = "N", description = "Broker port; 0 picks a free one (default: 0).")
        void setPort(int value) {
            if (value < 0 || value > 65535) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                        "Invalid value for option '--port': must be between 0 and 65535, got " + value);
            }
            this.port = value;
        }
    }
}
