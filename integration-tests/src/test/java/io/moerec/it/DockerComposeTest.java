package io.moerec.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.moerec.ingest.topic.Topic;
import io.moerec.ingest.topic.Topics;
import io.moerec.jobs.features.FeaturesJob;
import io.moerec.jobs.trainer.TrainerConfig;
import io.moerec.jobs.trainer.TrainerMain;
import io.moerec.features.flink.FeaturesJobConfig;
import io.moerec.moe.streams.ScoringApp;
import io.moerec.moe.streams.ScoringConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Checks docker/ without a Docker engine: the compose file's and Dockerfiles' images and versions
 * against the build's (Kafka, Flink, the project version passed by Maven), published ports against
 * the services' own configuration, the topics against {@link Topics#all()}, and the features job's
 * configuration (properties file, environment, {@code -s} arguments, as the submission service
 * passes them) through {@link FeaturesJob#parseArgs}, the job's own parser, and the scoring app's
 * {@code MOEREC_SCORING_*} variables through {@link ScoringApp#parseArgs}, the app's own parser, and
 * the trainer's {@code MOEREC_TRAINER_*} variables through {@link TrainerMain#parseArgs}, with its model
 * store on the volume, at the path, that the scoring service reads bundles from.
 */
class DockerComposeTest {

    /** Prometheus and Grafana, pinned to a release (never latest). */
    static final Pattern MONITORING_IMAGE = Pattern.compile("(prom/prometheus:v|grafana/grafana:)\\d+\\.\\d+\\.\\d+");

    static Path dockerDir;
    static JsonNode services;
    static JsonNode compose;

    static String property(String name) {
        String v = System.getProperty(name);
        assertNotNull(v, "system property " + name + " (set by the Maven build)");
        return v;
    }

    @BeforeAll
    static void readCompose() throws IOException {
        dockerDir = Path.of(property("moerec.docker.dir"));
        compose = new ObjectMapper(new YAMLFactory()).readTree(dockerDir.resolve("docker-compose.yml").toFile());
        services = compose.path("services");
        assertTrue(services.isObject() && services.size() > 0, "services in docker-compose.yml");
    }

    static JsonNode service(String name) {
        JsonNode s = services.path(name);
        assertTrue(s.isObject(), "service " + name);
        return s;
    }

    static Map<String, String> environment(String service) {
        JsonNode env = service(service).path("environment");
        Map<String, String> m = new LinkedHashMap<>();
        if (env.isMissingNode()) {
            return m;
        }
        assertTrue(env.isObject(), service + ": environment as a map");
        env.properties().forEach(e -> m.put(e.getKey(), e.getValue().asText()));
        return m;
    }

    static List<String> list(JsonNode node) {
        List<String> out = new ArrayList<>();
        node.forEach(n -> out.add(n.asText()));
        return out;
    }

    /** The service's {@code image}, or that of the service whose build produces it. */
    static String image(String service) {
        return service(service).path("image").asText();
    }

    static String dockerfile(String name) throws IOException {
        return Files.readString(dockerDir.resolve(name), StandardCharsets.UTF_8);
    }

    static String from(String dockerfile) {
        Matcher m = Pattern.compile("(?m)^FROM\\s+(\\S+)").matcher(dockerfile);
        assertTrue(m.find(), "FROM line");
        return m.group(1);
    }

    static String argDefault(String dockerfile, String arg) {
        Matcher m = Pattern.compile("(?m)^ARG\\s+" + arg + "=(\\S+)").matcher(dockerfile);
        assertTrue(m.find(), "ARG " + arg);
        return m.group(1);
    }

    /** "host:container" port mappings of a service. */
    static Map<Integer, Integer> ports(String service) {
        Map<Integer, Integer> m = new TreeMap<>();
        for (String p : list(service(service).path("ports"))) {
            String[] parts = p.split(":");
            assertEquals(2, parts.length, service + " port " + p);
            m.put(Integer.parseInt(parts[0]), Integer.parseInt(parts[1]));
        }
        return m;
    }

    @Test
    void kafkaIsTheBuildsVersionInKRaftMode() {
        assertEquals("apache/kafka:" + property("moerec.kafka.version"), image("kafka"));
        assertEquals(image("kafka"), image("kafka-topics"), "topics created with the broker's own tools");
        Map<String, String> env = environment("kafka");
        assertEquals("broker,controller", env.get("KAFKA_PROCESS_ROLES"), "KRaft, no ZooKeeper");
        assertTrue(env.containsKey("CLUSTER_ID"));
        assertTrue(env.get("KAFKA_CONTROLLER_QUORUM_VOTERS").startsWith(env.get("KAFKA_NODE_ID") + "@kafka:"));
        // The published port is the EXTERNAL listener, advertised to the host as localhost.
        Map<String, String> listeners = listeners(env.get("KAFKA_LISTENERS"));
        Map<String, String> advertised = listeners(env.get("KAFKA_ADVERTISED_LISTENERS"));
        assertEquals(Map.of(9092, 9092), ports("kafka"));
        assertEquals(":9092", listeners.get("EXTERNAL"));
        assertEquals("localhost:9092", advertised.get("EXTERNAL"));
        assertTrue(env.get("KAFKA_LISTENER_SECURITY_PROTOCOL_MAP").contains(env.get("KAFKA_CONTROLLER_LISTENER_NAMES") + ":"));
        // One node: every internal topic with one replica, as the embedded broker has them.
        for (String internal : List.of("KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR", "KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR",
                "KAFKA_TRANSACTION_STATE_LOG_MIN_ISR", "KAFKA_SHARE_COORDINATOR_STATE_TOPIC_REPLICATION_FACTOR",
                "KAFKA_SHARE_COORDINATOR_STATE_TOPIC_MIN_ISR", "KAFKA_DEFAULT_REPLICATION_FACTOR")) {
            assertEquals("1", env.get(internal), internal);
        }

    }

    static Map<String, String> listeners(String spec) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String l : spec.split(",")) {
            String[] nameAndAddress = l.trim().split("://");
            m.put(nameAndAddress[0], nameAndAddress[1]);
        }
        return m;
    }

    /** host:port a container on the compose network reaches the broker at (the inter-broker listener). */
    static String internalBootstrap() {
        Map<String, String> env = environment("kafka");
        return listeners(env.get("KAFKA_ADVERTISED_LISTENERS")).get(env.get("KAFKA_INTER_BROKER_LISTENER_NAME"));
    }

    @Test
    void theTopicsAreTheCodesTopics() {
        Map<String, String> env = environment("kafka-topics");
        assertEquals(internalBootstrap(), env.get("BOOTSTRAP_SERVERS"));
        Set<String> declared = new LinkedHashSet<>(Arrays.asList(env.get("MOEREC_TOPICS").trim().split("\\s+")));
        Set<String> expected = new LinkedHashSet<>();
        for (Topic<?, ?> t : Topics.all()) {
            StringBuilder spec = new StringBuilder(t.name() + ":" + t.partitions() + ":" + t.config().getOrDefault("cleanup.policy", "delete"));
            // Any further topic setting as one extra field (the script takes one).
            t.config().entrySet().stream().filter(e -> !e.getKey().equals("cleanup.policy")).sorted(Map.Entry.comparingByKey())
                    .forEach(e -> spec.append(':').append(e.getKey()).append('=').append(e.getValue()));
            expected.add(spec.toString());
        }
        assertEquals(expected, declared);
        // Everything that uses the topics waits for their creation.
        for (String s : List.of("features-job", "scoring", "trainer")) {
            assertEquals("service_completed_successfully", service(s).path("depends_on").path("kafka-topics").path("condition").asText(), s);
        }
    }

    @Test
    void flinkImagesAreTheBuildsFlinkWithTheJobJar() throws IOException {
        String df = dockerfile("Dockerfile.flink-job");
        assertEquals("flink:" + property("moerec.flink.version") + "-java17", from(df));
        assertEquals(property("moerec.project.version"), argDefault(df, "MOEREC_VERSION"));
        assertTrue(df.contains("COPY --chown=flink:flink jobs/target/moerec-jobs-${MOEREC_VERSION}-flink-job.jar /opt/flink/usrlib/moerec-features-job.jar"),
                "the shaded job jar goes to usrlib");
        JsonNode build = service("jobmanager").path("build");
        assertEquals("..", build.path("context").asText());
        assertEquals("docker/Dockerfile.flink-job", build.path("dockerfile").asText());
        String image = image("jobmanager");
        assertEquals("moerec/flink-job:" + property("moerec.project.version"), image);
        for (String s : List.of("taskmanager", "features-job")) {
            assertEquals(image, image(s), s + " runs the image the jobmanager service builds");
        }
        assertEquals("jobmanager", service("jobmanager").path("command").asText());
        assertEquals("taskmanager", service("taskmanager").path("command").asText());
        // The REST port: published, configured, and the one the submission talks to.
        Map<String, String> jm = flinkProperties("jobmanager");
        assertEquals("jobmanager", jm.get("jobmanager.rpc.address"));
        assertEquals("jobmanager", flinkProperties("taskmanager").get("jobmanager.rpc.address"));
        int restPort = Integer.parseInt(jm.getOrDefault("rest.port", "8081"));
        assertEquals(Map.of(restPort, restPort), ports("jobmanager"));
        List<String> cmd = list(service("features-job").path("command"));
        assertEquals(List.of("flink", "run", "-d"), cmd.subList(0, 3));
        assertEquals("jobmanager:" + restPort, cmd.get(cmd.indexOf("-m") + 1));
    }

    @Test
    void flinkReportsToPrometheusThroughItsOwnReporter() throws Exception {
        // The factory named in the cluster's configuration is the build's flink-metrics-prometheus
        // (same Flink version), and Flink's plugin loader finds it by its service entry.
        Set<String> factories = new LinkedHashSet<>();
        java.util.ServiceLoader.load(org.apache.flink.metrics.reporter.MetricReporterFactory.class)
                .forEach(f -> factories.add(f.getClass().getName()));
        for (String s : List.of("jobmanager", "taskmanager")) {
            Map<String, String> p = flinkProperties(s);
            String factory = p.get("metrics.reporter.prom.factory.class");
            assertEquals(org.apache.flink.metrics.prometheus.PrometheusReporterFactory.class.getName(), factory, s);
            assertTrue(factories.contains(factory), s + ": " + factory + " among " + factories);
            assertEquals(String.valueOf(MonitoringConfigTest.FLINK_REPORTER_PORT), p.get("metrics.reporter.prom.port"), s);
            // Nothing else under metrics.reporter.prom.: a mistyped option would be ignored silently.
            assertEquals(Set.of("metrics.reporter.prom.factory.class", "metrics.reporter.prom.port"), p.keySet().stream()
                    .filter(k -> k.startsWith("metrics.reporter.")).collect(Collectors.toSet()), s);
        }
        assertTrue(org.apache.flink.metrics.prometheus.PrometheusReporterFactory.class.getProtectionDomain().getCodeSource()
                .getLocation().getPath().contains("flink-metrics-prometheus-" + property("moerec.flink.version")),
                "the reporter of the build's Flink version");
        // The image brings the reporter plugin of its own Flink distribution.
        assertTrue(dockerfile("Dockerfile.flink-job").contains("RUN ls /opt/flink/plugins/metrics-prometheus/flink-metrics-prometheus-*.jar"));
    }

    static Map<String, String> flinkProperties(String service) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String line : environment(service).getOrDefault("FLINK_PROPERTIES", "").split("\n")) {
            if (!line.isBlank()) {
                int colon = line.indexOf(':');
                m.put(line.substring(0, colon).trim(), line.substring(colon + 1).trim());
            }
        }
        return m;
    }

    @Test
    void everyReferenceResolves() {
        Set<String> names = new LinkedHashSet<>();
        services.fieldNames().forEachRemaining(names::add);
        Set<String> declaredVolumes = new LinkedHashSet<>();
        compose.path("volumes").fieldNames().forEachRemaining(declaredVolumes::add);
        Set<String> built = new LinkedHashSet<>();
        for (String s : names) {
            if (service(s).has("build")) {
                built.add(image(s));
                assertTrue(Files.isRegularFile(dockerDir.resolve("..").resolve(service(s).path("build").path("dockerfile").asText())), s);
            }
        }
        for (String s : names) {
            service(s).path("depends_on").fieldNames().forEachRemaining(d -> assertTrue(names.contains(d), s + " depends on " + d));
            String image = image(s);
            assertTrue(built.contains(image) || image.startsWith("apache/kafka:") || MONITORING_IMAGE.matcher(image).matches(),
                    s + ": image " + image + " is built here, official Kafka, or a pinned monitoring image");
            for (String v : list(service(s).path("volumes"))) {
                String source = v.split(":")[0];
                if (!v.contains(":")) {
                    assertTrue(v.startsWith("/"), s + ": an anonymous volume at an absolute path: " + v);
                } else if (source.startsWith("./")) {
                    assertTrue(Files.exists(dockerDir.resolve(source)), s + " mounts " + source);
                } else {
                    assertTrue(declaredVolumes.contains(source), s + " uses undeclared volume " + source);
                }
            }
        }
    }

    @Test
    void eachImageSendsOnlyItsJarAsBuildContext() throws IOException {
        // BuildKit reads <Dockerfile>.dockerignore; the context is the repository root.
        assertEquals(List.of("*", "!jobs/target/moerec-jobs-*-flink-job.jar"), ignoreRules("Dockerfile.flink-job"));
        assertEquals(List.of("*", "!jobs/target/moerec-jobs-*-scoring-app.jar"), ignoreRules("Dockerfile.scoring"));
        assertEquals(List.of("*", "!jobs/target/moerec-jobs-*-trainer.jar"), ignoreRules("Dockerfile.trainer"));
    }

    static List<String> ignoreRules(String dockerfile) throws IOException {
        return Files.readAllLines(dockerDir.resolve(dockerfile + ".dockerignore")).stream()
                .filter(l -> !l.isBlank() && !l.startsWith("#")).toList();
    }

    @Test
    void scoringImageRunsTheScoringAppJar() throws IOException {
        String df = dockerfile("Dockerfile.scoring");
        assertEquals("eclipse-temurin:17-jre", from(df));
        assertEquals(property("moerec.project.version"), argDefault(df, "MOEREC_VERSION"));
        assertTrue(df.contains("jobs/target/moerec-jobs-${MOEREC_VERSION}-scoring-app.jar"), "the scoring app jar");
        assertTrue(df.contains("\"-jar\", \"/opt/moerec/moerec-scoring-app.jar\""), "java -jar");
        assertEquals("docker/Dockerfile.scoring", service("scoring").path("build").path("dockerfile").asText());
        assertEquals("moerec/scoring-app:" + property("moerec.project.version"), image("scoring"));
        Matcher expose = Pattern.compile("(?m)^EXPOSE\\s+(\\d+)").matcher(df);
        assertTrue(expose.find());
        int port = Integer.parseInt(expose.group(1));
        assertEquals(Map.of(port, port), ports("scoring"));
        assertEquals(internalBootstrap(), environment("scoring").get("MOEREC_SCORING_BOOTSTRAP_SERVERS"));
    }

    /** The program arguments after the jar, with bind-mounted container paths mapped to this checkout. */
    static String[] featuresJobArgs() {
        List<String> cmd = list(service("features-job").path("command"));
        int jar = cmd.indexOf("/opt/flink/usrlib/moerec-features-job.jar");
        assertTrue(jar > 0, "the job jar in usrlib is what flink run submits: " + cmd);
        Map<String, Path> mounts = new LinkedHashMap<>();
        for (String v : list(service("features-job").path("volumes"))) {
            String[] parts = v.split(":");
            if (parts[0].startsWith("./")) {
                mounts.put(parts[1], dockerDir.resolve(parts[0]).normalize());
            }
        }
        return cmd.subList(jar + 1, cmd.size()).stream().map(a -> mounts.containsKey(a) ? mounts.get(a).toString() : a)
                .toArray(String[]::new);
    }

    @Test
    void theFeaturesJobAcceptsEveryKeyTheComposeFileGivesIt() throws IOException {
        String[] args = featuresJobArgs();
        Map<String, String> env = environment("features-job");
        Optional<FeaturesJobConfig> parsed = FeaturesJob.parseArgs(args, env);
        FeaturesJobConfig c = parsed.orElseThrow();
        assertTrue(List.of(args).contains("--config") && Files.isRegularFile(Path.of(args[List.of(args).indexOf("--config") + 1])),
                "the properties file is mounted from docker/");
        assertTrue(env.keySet().stream().allMatch(k -> k.startsWith(FeaturesJobConfig.ENV_PREFIX)),
                "only the job's own variables: " + env.keySet());

        assertEquals(internalBootstrap(), c.bootstrapServers());
        // The exactly-once sinks keep transactions open up to transaction.timeout-ms, which must not
        // exceed the broker's transaction.max.timeout.ms (default 15 min).
        long maxTxMs = Long.parseLong(environment("kafka").getOrDefault("KAFKA_TRANSACTION_MAX_TIMEOUT_MS", "900000"));
        assertTrue(c.transactionTimeoutMs() <= maxTxMs, "transaction.timeout-ms " + c.transactionTimeoutMs());
        assertEquals(Topics.VIEWING_EVENTS.name(), c.eventsTopic());
        assertEquals(Topics.MOVIES.name(), c.moviesTopic());
        assertEquals(Topics.USER_FEATURES.name(), c.featuresTopic());
        assertEquals(Topics.VIEWING_EVENTS_LATE.name(), c.lateTopic());
        assertEquals(Topics.VIEWING_EVENTS_DLQ.name(), c.dlqTopic());
        // Parallelism and the checkpoint directory are the cluster's: flink run -p and execution.checkpointing.dir.
        assertTrue(c.parallelism().isEmpty() && c.checkpointDir().isEmpty(), "the job overrides none of the cluster's settings");
        List<String> cmd = list(service("features-job").path("command"));
        int parallelism = Integer.parseInt(cmd.get(cmd.indexOf("-p") + 1));
        assertTrue(cmd.indexOf("-p") < cmd.indexOf("/opt/flink/usrlib/moerec-features-job.jar"), "-p is flink run's option");
        int slots = Integer.parseInt(flinkProperties("taskmanager").get("taskmanager.numberOfTaskSlots"));
        assertTrue(parallelism <= slots, "parallelism " + parallelism + " fits the TaskManager's " + slots + " slots");
        // Checkpoints on a volume that both the JobManager and the TaskManager mount.
        String checkpoints = flinkProperties("jobmanager").get("execution.checkpointing.dir");
        assertNotNull(checkpoints, "the cluster's execution.checkpointing.dir");
        assertEquals(checkpoints, flinkProperties("taskmanager").get("execution.checkpointing.dir"));
        // Savepoints (flink stop) in the same volume, under Flink's own key.
        assertTrue(flinkProperties("jobmanager").get("execution.checkpointing.savepoint-dir").startsWith(checkpoints + "/"));
        String dir = checkpoints.replaceFirst("^file://", "");
        for (String s : List.of("jobmanager", "taskmanager")) {
            Set<String> mounted = mountPoints(s);
            assertTrue(mounted.stream().anyMatch(dir::startsWith), s + " mounts " + dir + ": " + mounted);
        }
    }

    @Test
    void theCheckWouldCatchAMistypedKey() {
        String[] args = featuresJobArgs();
        String[] typo = Arrays.copyOf(args, args.length + 2);
        typo[args.length] = "-s";
        typo[args.length + 1] = "checkpoint.intervall-ms=5000";
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> FeaturesJob.parseArgs(typo, environment("features-job")));
        assertTrue(e.getMessage().contains("checkpoint.intervall-ms"), e.getMessage());
        Map<String, String> env = new LinkedHashMap<>(environment("features-job"));
        env.put("MOEREC_FEATURES_BOOTSTRAP_SERVER", "kafka:19092");
        e = assertThrows(IllegalArgumentException.class, () -> FeaturesJob.parseArgs(args, env));
        assertTrue(e.getMessage().contains("MOEREC_FEATURES_BOOTSTRAP_SERVER"), e.getMessage());
    }

    /** The container paths a service mounts (bind mounts, named and anonymous volumes). */
    static Set<String> mountPoints(String service) {
        return list(service(service).path("volumes")).stream().map(DockerComposeTest::mountPoint).collect(Collectors.toSet());
    }

    /** The container path of a short-syntax volume entry: {@code source:target[:mode]}, or {@code target} (anonymous). */
    static String mountPoint(String volume) {
        String[] parts = volume.split(":");
        return parts.length == 1 ? parts[0] : parts[1];
    }

    /** The named volume (or ./ bind mount) a service mounts at {@code target}; empty for an anonymous volume. */
    static Optional<String> mountSource(String service, String target) {
        for (String v : list(service(service).path("volumes"))) {
            if (mountPoint(v).equals(target)) {
                return v.contains(":") ? Optional.of(v.split(":")[0]) : Optional.empty();
            }
        }
        throw new AssertionError(service + " mounts nothing at " + target);
    }

    /** Seconds of a compose duration such as {@code 45s}, {@code 1m30s}. */
    static long seconds(String duration) {
        Matcher m = Pattern.compile("(?:(\\d+)m)?(?:(\\d+)s)?").matcher(duration);
        assertTrue(m.matches() && !duration.isEmpty(), "a duration: " + duration);
        return (m.group(1) == null ? 0 : Long.parseLong(m.group(1)) * 60) + (m.group(2) == null ? 0 : Long.parseLong(m.group(2)));
    }

    @Test
    void scoringReplicasKeepTheirOwnStateAndAdvertiseTheirOwnHost() throws IOException {
        ScoringConfig c = ScoringApp.parseArgs(new String[0], environment("scoring")).orElseThrow();
        // Kafka Streams locks its state directory: replicas sharing one named volume would refuse to start.
        assertEquals(Optional.empty(), mountSource("scoring", c.stateDir().toString()),
                "the state directory is an anonymous volume, one per container");
        // Bound to every interface, each replica advertises its own host name, never the shared wildcard.
        assertTrue(!environment("scoring").containsKey(ScoringConfig.SPEC.environmentVariable(ScoringConfig.HTTP_ADVERTISED_HOST)),
                "no fixed advertised host: every replica would claim it");
        String advertised = c.advertisedHost();
        assertTrue(!advertised.equals(c.httpHost()) && !advertised.startsWith("0.") && !advertised.contains("::"), advertised);
    }

    @Test
    void composeUpStartsWithABundleAndKeepsRunning() throws Exception {
        ScoringConfig c = ScoringApp.parseArgs(new String[0], environment("scoring")).orElseThrow();
        // No bundle ships with the repository: model-init trains one into the volume model.path lives on.
        assertEquals(image("scoring"), image("model-init"));
        List<String> entrypoint = list(service("model-init").path("entrypoint"));
        String main = entrypoint.get(entrypoint.size() - 1);
        assertEquals("io.moerec.moe.streams.StarterBundle", main);
        assertTrue(Class.forName(main).getMethod("main", String[].class) != null);
        assertTrue(entrypoint.contains("/opt/moerec/moerec-scoring-app.jar"), "runs from the scoring app's jar: " + entrypoint);
        assertEquals(List.of(c.modelPath().toString()), list(service("model-init").path("command")));
        String modelsMount = c.modelWatchDir().toString();
        assertEquals(mountSource("scoring", modelsMount), mountSource("model-init", modelsMount), "one models volume");
        assertTrue(mountSource("scoring", modelsMount).isPresent() && compose.path("volumes").has(mountSource("scoring", modelsMount).get()));
        assertEquals("service_completed_successfully", service("scoring").path("depends_on").path("model-init").path("condition").asText());
        // Long-running services come back after a crash or a host restart; one-shots run once.
        for (String s : List.of("kafka", "jobmanager", "taskmanager", "scoring", "trainer")) {
            assertTrue(Set.of("always", "unless-stopped", "on-failure").contains(service(s).path("restart").asText()), s + " restarts");
        }
        for (String s : List.of("kafka-topics", "features-job", "model-init")) {
            assertEquals("no", service(s).path("restart").asText(), s + " is a one-shot");
        }
        // Healthy means ready: the probe asks /readyz on the app's own port.
        String probe = String.join(" ", list(service("scoring").path("healthcheck").path("test")));
        assertTrue(probe.contains("/dev/tcp/127.0.0.1/" + c.httpPort()) && probe.contains("GET /readyz"), probe);
        // docker stop waits longer than the app's own close (Kafka Streams: up to 30 s) before SIGKILL.
        assertTrue(seconds(service("scoring").path("stop_grace_period").asText()) > 40, "scoring's stop_grace_period");
        // The broker's log on a named volume: topics and offsets outlive the container.
        String logDir = environment("kafka").get("KAFKA_LOG_DIRS");
        assertNotNull(logDir, "KAFKA_LOG_DIRS");
        Optional<String> kafkaVolume = mountSource("kafka", logDir);
        assertTrue(kafkaVolume.isPresent() && compose.path("volumes").has(kafkaVolume.get()), "kafka's log on a named volume");
    }

    @Test
    void theScoringAppAcceptsEveryVariableTheComposeFileGivesIt() throws IOException {
        Map<String, String> env = environment("scoring");
        assertTrue(env.keySet().stream().allMatch(k -> k.startsWith(ScoringConfig.ENV_PREFIX)),
                "only the app's own variables: " + env.keySet());
        assertTrue(service("scoring").path("command").isMissingNode(), "the image's entrypoint runs with no arguments");
        ScoringConfig c = ScoringApp.parseArgs(new String[0], env).orElseThrow();
        // Every variable reached a key: none was ignored and none fell back to a default.
        for (Map.Entry<String, String> e : env.entrySet()) {
            String key = ScoringConfig.SPEC.defaults().keySet().stream()
                    .filter(k -> ScoringConfig.SPEC.environmentVariable(k).equals(e.getKey())).findFirst().orElseThrow();
            assertEquals(e.getValue(), ScoringConfig.SPEC.layers(null, env, Map.of()).get(key), e.getKey());
        }

        assertEquals(internalBootstrap(), c.bootstrapServers());
        assertEquals("0.0.0.0", c.httpHost(), "reachable through the published port from outside the container");
        assertEquals(Map.of(c.httpPort(), c.httpPort()), ports("scoring"));
        assertEquals(Topics.USER_FEATURES.name(), c.featuresTopic());
        assertEquals(Topics.MOVIES.name(), c.moviesTopic());
        assertEquals(Topics.RECOMMENDATIONS.name(), c.recommendationsTopic());
        assertEquals(Topics.MODELS.name(), c.modelsTopic());
        assertEquals(Topics.VIEWING_EVENTS_DLQ.name(), c.dlqTopic());
        // The bundle, the watched directory and the RocksDB state live on mounted volumes.
        Set<String> mounted = mountPoints("scoring");
        for (Path p : List.of(c.modelPath(), c.modelWatchDir(), c.stateDir())) {
            assertTrue(mounted.stream().anyMatch(m -> p.startsWith(m)), "scoring mounts " + p + ": " + mounted);
        }
        assertTrue(c.modelPath().startsWith(c.modelWatchDir()), "the start-up bundle is one of the watched directory's");
    }

    @Test
    void theScoringCheckWouldCatchAMistypedVariable() {
        Map<String, String> env = new LinkedHashMap<>(environment("scoring"));
        env.put("MOEREC_SCORING_MODEL_DIR", "/opt/moerec/models");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ScoringApp.parseArgs(new String[0], env));
        assertTrue(e.getMessage().contains("MOEREC_SCORING_MODEL_DIR"), e.getMessage());
    }

    @Test
    void trainerImageRunsTheTrainerJarAsTheScoringImagesUser() throws IOException {
        String df = dockerfile("Dockerfile.trainer");
        String scoring = dockerfile("Dockerfile.scoring");
        assertEquals(from(scoring), from(df));
        assertEquals(property("moerec.project.version"), argDefault(df, "MOEREC_VERSION"));
        assertTrue(df.contains("COPY --chown=moerec jobs/target/moerec-jobs-${MOEREC_VERSION}-trainer.jar /opt/moerec/moerec-trainer.jar"),
                "the trainer jar");
        assertTrue(df.contains("\"-jar\", \"/opt/moerec/moerec-trainer.jar\""), "java -jar");
        assertEquals("docker/Dockerfile.trainer", service("trainer").path("build").path("dockerfile").asText());
        assertEquals("moerec/trainer:" + property("moerec.project.version"), image("trainer"));
        // One user id in both images: the trainer writes the models volume the scoring containers read.
        Pattern uid = Pattern.compile("--uid (\\d+)");
        Matcher a = uid.matcher(df);
        Matcher b = uid.matcher(scoring);
        assertTrue(a.find() && b.find(), "useradd --uid in both Dockerfiles");
        assertEquals(b.group(1), a.group(1));
        assertTrue(Pattern.compile("(?m)^USER moerec$").matcher(df).find(), "runs as that user");
    }

    @Test
    void theTrainerAcceptsEveryVariableTheComposeFileGivesIt() throws IOException {
        Map<String, String> env = environment("trainer");
        assertTrue(env.keySet().stream().allMatch(k -> k.startsWith(TrainerConfig.ENV_PREFIX)), "only the trainer's own variables: " + env.keySet());
        assertTrue(service("trainer").path("command").isMissingNode(), "the image's entrypoint runs with no arguments");
        TrainerConfig c = TrainerMain.parseArgs(new String[0], env).orElseThrow();
        // Every variable names a real key: none was ignored and none fell back to a default.
        for (Map.Entry<String, String> e : env.entrySet()) {
            String key = TrainerConfig.SPEC.defaults().keySet().stream()
                    .filter(k -> TrainerConfig.SPEC.environmentVariable(k).equals(e.getKey())).findFirst()
                    .orElseThrow(() -> new AssertionError(e.getKey() + " is no trainer key"));
            assertEquals(e.getValue(), TrainerConfig.SPEC.layers(null, env, Map.of()).get(key), e.getKey());
        }
        assertEquals(internalBootstrap(), c.bootstrapServers());
        assertEquals(Topics.VIEWING_EVENTS.name(), c.eventsTopic());
        assertEquals(Topics.MOVIES.name(), c.moviesTopic());
        assertEquals(Topics.MODELS.name(), c.modelsTopic());
        // docker stop waits longer than the trainer's own stop (a cycle in progress finishes and commits).
        assertTrue(seconds(service("trainer").path("stop_grace_period").asText()) > TrainerMain.SHUTDOWN_WAIT_SECONDS,
                "trainer's stop_grace_period");
        Map<String, String> typo = new LinkedHashMap<>(env);
        typo.put("MOEREC_TRAINER_STORE_DIRECTORY", "/opt/moerec/models/store");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TrainerMain.parseArgs(new String[0], typo));
        assertTrue(e.getMessage().contains("MOEREC_TRAINER_STORE_DIRECTORY"), e.getMessage());
    }

    @Test
    void theTrainersStoreIsWhereTheScoringServiceReadsItsAnnouncements() throws IOException {
        TrainerConfig t = TrainerMain.parseArgs(new String[0], environment("trainer")).orElseThrow();
        ScoringConfig s = ScoringApp.parseArgs(new String[0], environment("scoring")).orElseThrow();
        // The scoring service follows the topic the trainer announces on.
        assertTrue(s.watchModelsTopic(), "scoring's model.watch-topic");
        assertEquals(s.modelsTopic(), t.modelsTopic());
        // Announcements carry absolute paths into the store: the store lies on the volume the scoring
        // service mounts, at the same path, and the trainer mounts it writable.
        String mount = mountPoints("trainer").stream().filter(m -> t.storeDir().startsWith(m)).findFirst()
                .orElseThrow(() -> new AssertionError("the trainer mounts nothing that holds " + t.storeDir()));
        Optional<String> volume = mountSource("trainer", mount);
        assertTrue(volume.isPresent() && compose.path("volumes").has(volume.get()), "the store on a named volume");
        assertEquals(volume, mountSource("scoring", mount), "the scoring service mounts the trainer's volume at " + mount);
        assertTrue(list(service("trainer").path("volumes")).contains(volume.get() + ":" + mount), "read-write in the trainer");
        // The watched directory looks at its direct sub-directories only: the store must be one of
        // them (its bundles then sit two levels down, never picked), not the watched directory itself
        // nor inside the start-up bundle.
        assertEquals(s.modelWatchDir(), t.storeDir().getParent(), "the store is a sub-directory of model.watch-dir");
        assertTrue(!t.storeDir().equals(s.modelPath()) && !s.modelPath().startsWith(t.storeDir()) && !t.storeDir().startsWith(s.modelPath()),
                "store " + t.storeDir() + " apart from the start-up bundle " + s.modelPath());
    }
}
