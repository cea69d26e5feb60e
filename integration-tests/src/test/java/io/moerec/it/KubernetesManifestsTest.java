package io.moerec.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.moerec.features.flink.FeaturesJobConfig;
import io.moerec.jobs.features.FeaturesJob;
import io.moerec.jobs.trainer.TrainerConfig;
import io.moerec.jobs.trainer.TrainerMain;
import io.moerec.moe.bundle.ModelBundle;
import io.moerec.moe.streams.ScoringApp;
import io.moerec.moe.streams.ScoringConfig;
import io.moerec.moe.streams.ScoringHttpServer;
import io.moerec.moe.streams.ScoringMetrics;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.HighAvailabilityOptions;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Checks docker/kubernetes/ without a cluster, against the build: image names and the job jar as the
 * Dockerfiles and compose file build them, every {@code MOEREC_SCORING_*} and {@code MOEREC_FEATURES_*}
 * variable through the apps' own parsers, ports against the app's configuration, probe paths against
 * a running {@link ScoringHttpServer}, the pod IP as {@code http.advertised-host}, the grace period
 * against the app's close, the trainer's {@code MOEREC_TRAINER_*} variables, its single pod and its store on
 * the scoring pods' models claim, and the FlinkDeployment's Flink options against Flink's own option keys.
 */
class KubernetesManifestsTest {

    static final String POD_IP = "10.1.2.3";
    static Path dir;
    static final List<JsonNode> RESOURCES = new ArrayList<>();

    @BeforeAll
    static void read() throws IOException {
        DockerComposeTest.readCompose();
        dir = DockerComposeTest.dockerDir.resolve("kubernetes");
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
        JsonNode kustomization = yaml.readTree(dir.resolve("kustomization.yaml").toFile());
        List<String> listed = DockerComposeTest.list(kustomization.path("resources"));
        try (Stream<Path> files = Files.list(dir)) {
            Set<String> present = files.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(".yaml") && !n.equals("kustomization.yaml")).collect(Collectors.toCollection(TreeSet::new));
            assertEquals(present, new TreeSet<>(listed), "kustomization.yaml lists every manifest");
        }
        for (String file : listed) {
            try (JsonParser p = yaml.getFactory().createParser(dir.resolve(file).toFile())) {
                yaml.readValues(p, JsonNode.class).forEachRemaining(doc -> {
                    if (doc != null && !doc.isNull() && !doc.isEmpty()) {
                        RESOURCES.add(doc);
                    }
                });
            }
        }
    }

    static JsonNode resource(String kind, String name) {
        return RESOURCES.stream().filter(r -> r.path("kind").asText().equals(kind) && r.path("metadata").path("name").asText().equals(name))
                .findFirst().orElseThrow(() -> new AssertionError("no " + kind + " " + name));
    }

    static JsonNode container(JsonNode podSpec, String name) {
        for (JsonNode c : podSpec.path("containers")) {
            if (c.path("name").asText().equals(name)) {
                return c;
            }
        }
        throw new AssertionError("no container " + name);
    }

    /** The container's environment: its config maps' data, then its own variables (a downward-API field as a sample value). */
    static Map<String, String> environment(JsonNode container) {
        Map<String, String> env = new LinkedHashMap<>();
        for (JsonNode from : container.path("envFrom")) {
            String map = from.path("configMapRef").path("name").asText();
            resource("ConfigMap", map).path("data").properties().forEach(e -> env.put(e.getKey(), e.getValue().asText()));
        }
        for (JsonNode e : container.path("env")) {
            String field = e.path("valueFrom").path("fieldRef").path("fieldPath").asText();
            env.put(e.path("name").asText(), field.equals("status.podIP") ? POD_IP : e.path("value").asText());
        }
        return env;
    }

    /** The container paths a pod spec's container mounts, by volume name. */
    static Map<String, String> mounts(JsonNode container) {
        Map<String, String> m = new LinkedHashMap<>();
        container.path("volumeMounts").forEach(v -> m.put(v.path("name").asText(), v.path("mountPath").asText()));
        return m;
    }

    static JsonNode scoringSet() {
        return resource("StatefulSet", "moerec-scoring");
    }

    static JsonNode scoringContainer() {
        return container(scoringSet().path("spec").path("template").path("spec"), "scoring");
    }

    static ScoringConfig scoringConfig() throws IOException {
        return ScoringApp.parseArgs(new String[0], environment(scoringContainer())).orElseThrow();
    }

    @Test
    void theScoringPodsRunTheBuildsImageWithVariablesTheAppKnows() throws IOException {
        String image = "moerec/scoring-app:" + DockerComposeTest.property("moerec.project.version");
        assertEquals(DockerComposeTest.image("scoring"), image, "the image compose builds");
        assertEquals(image, scoringContainer().path("image").asText());
        Map<String, String> env = environment(scoringContainer());
        assertTrue(env.keySet().stream().allMatch(k -> k.startsWith(ScoringConfig.ENV_PREFIX)), env.keySet().toString());
        // Every variable names a key (MOEREC_SCORING_<KEY>, upper case, . and - as _) and reaches it unchanged.
        Map<String, String> keys = ScoringConfig.SPEC.fromEnvironment(env);
        assertEquals(env.size(), keys.size());
        keys.forEach((key, value) -> {
            assertEquals(value, env.get(ScoringConfig.SPEC.environmentVariable(key)), key);
        });
        ScoringConfig c = scoringConfig();
        assertEquals(POD_IP, c.advertisedHost(), "each pod advertises its own IP");
        assertEquals("status.podIP", scoringContainer().path("env").get(0).path("valueFrom").path("fieldRef").path("fieldPath").asText());
        assertEquals(ScoringConfig.SPEC.environmentVariable(ScoringConfig.HTTP_ADVERTISED_HOST), scoringContainer().path("env").get(0)
                .path("name").asText());
        assertEquals("0.0.0.0", c.httpHost(), "reachable from the other pods");
    }

    @Test
    void portsProbesAndServicesMatchTheApp() throws Exception {
        ScoringConfig c = scoringConfig();
        JsonNode port = scoringContainer().path("ports").get(0);
        assertEquals(c.httpPort(), port.path("containerPort").asInt());
        String portName = port.path("name").asText();
        JsonNode headless = resource("Service", "moerec-scoring-headless");
        assertEquals("None", headless.path("spec").path("clusterIP").asText());
        assertEquals(headless.path("metadata").path("name").asText(), scoringSet().path("spec").path("serviceName").asText());
        JsonNode podLabels = scoringSet().path("spec").path("template").path("metadata").path("labels");
        assertEquals(podLabels, scoringSet().path("spec").path("selector").path("matchLabels"));
        for (JsonNode svc : List.of(headless, resource("Service", "moerec-scoring"))) {
            assertEquals(podLabels, svc.path("spec").path("selector"), svc.path("metadata").path("name").asText());
            assertEquals(portName, svc.path("spec").path("ports").get(0).path("targetPort").asText());
        }
        assertEquals(podLabels, resource("PodDisruptionBudget", "moerec-scoring").path("spec").path("selector").path("matchLabels"));
        assertTrue(resource("PodDisruptionBudget", "moerec-scoring").path("spec").path("maxUnavailable").asInt()
                < scoringSet().path("spec").path("replicas").asInt(), "a drain never takes every replica");
        assertEquals(String.valueOf(c.httpPort()), scoringSet().path("spec").path("template").path("metadata").path("annotations")
                .path("prometheus.io/port").asText());

        // The probes: liveness and start-up on /livez, readiness on /readyz, on the app's port, and the
        // paths the app's HTTP server answers (503 before it is attached, never 404).
        Map<String, String> probes = new LinkedHashMap<>();
        for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
            JsonNode get = scoringContainer().path(probe).path("httpGet");
            assertEquals(portName, get.path("port").asText(), probe);
            probes.put(probe, get.path("path").asText());
        }
        assertEquals(Map.of("startupProbe", "/livez", "livenessProbe", "/livez", "readinessProbe", "/readyz"), probes);
        HttpClient http = HttpClient.newHttpClient();
        try (ScoringMetrics metrics = new ScoringMetrics();
             ScoringHttpServer server = new ScoringHttpServer("127.0.0.1", 0, metrics, () -> "moe-test")) {
            for (String path : new TreeSet<>(probes.values())) {
                int status = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode();
                assertNotEquals(404, status, path);
            }
            int status = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/nothing")).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
            assertEquals(404, status, "the check would see a wrong path");
        }
        // Kubernetes waits longer than the app's own close (Kafka Streams up to 30 s, the hook up to 40 s).
        assertTrue(scoringSet().path("spec").path("template").path("spec").path("terminationGracePeriodSeconds").asInt() > 40);
    }

    @Test
    void stateIsPerPodAndModelsAreShared() throws Exception {
        ScoringConfig c = scoringConfig();
        Map<String, String> mounts = mounts(scoringContainer());
        JsonNode claims = scoringSet().path("spec").path("volumeClaimTemplates");
        assertEquals(1, claims.size());
        String claim = claims.get(0).path("metadata").path("name").asText();
        assertEquals(c.stateDir().toString(), mounts.get(claim), "RocksDB state on the pod's own claim");
        assertEquals("ReadWriteOnce", claims.get(0).path("spec").path("accessModes").get(0).asText());
        String models = mounts.get("models");
        assertEquals(c.modelWatchDir().toString(), models);
        assertTrue(c.modelPath().startsWith(c.modelWatchDir()));
        String pvc = "moerec-models";
        assertEquals(pvc, volume(scoringSet().path("spec").path("template").path("spec"), "models"));
        assertEquals("ReadWriteMany", resource("PersistentVolumeClaim", pvc).path("spec").path("accessModes").get(0).asText());
        // The pods wait for the bundle model-init writes at model.path.
        JsonNode wait = scoringSet().path("spec").path("template").path("spec").path("initContainers").get(0);
        assertTrue(wait.path("command").toString().contains(c.modelPath().resolve(ModelBundle.MANIFEST).toString()), wait.toString());
        JsonNode job = resource("Job", "moerec-model-init");
        JsonNode init = job.path("spec").path("template").path("spec").path("containers").get(0);
        assertEquals(scoringContainer().path("image").asText(), init.path("image").asText());
        List<String> command = DockerComposeTest.list(init.path("command"));
        assertEquals(DockerComposeTest.list(DockerComposeTest.service("model-init").path("entrypoint")), command, "as compose runs it");
        assertTrue(Class.forName(command.get(command.size() - 1)).getMethod("main", String[].class) != null);
        assertEquals(List.of(c.modelPath().toString()), DockerComposeTest.list(init.path("args")));
        assertEquals(models, mounts(init).get("models"));
        assertEquals(pvc, volume(job.path("spec").path("template").path("spec"), "models"));
    }

    static String volume(JsonNode podSpec, String name) {
        for (JsonNode v : podSpec.path("volumes")) {
            if (v.path("name").asText().equals(name)) {
                return v.path("persistentVolumeClaim").path("claimName").asText();
            }
        }
        throw new AssertionError("no volume " + name);
    }

    @Test
    void memoryLeavesRoomForRocksDb() throws IOException {
        // The image gives the heap 75 % of the container's memory; the rest must hold the RocksDB budget.
        long limit = bytes(scoringContainer().path("resources").path("limits").path("memory").asText());
        assertTrue(limit / 4 > scoringConfig().rocksDbMemoryBytes(), "limit " + limit);
        assertTrue(DockerComposeTest.dockerfile("Dockerfile.scoring").contains("-XX:MaxRAMPercentage=75"));
    }

    static long bytes(String quantity) {
        Matcher m = Pattern.compile("(\\d+)(Mi|Gi)").matcher(quantity);
        assertTrue(m.matches(), quantity);
        return Long.parseLong(m.group(1)) << (m.group(2).equals("Gi") ? 30 : 20);
    }

    @Test
    void theFeaturesJobIsTheBuildsJarOnTheBuildsFlink() throws Exception {
        JsonNode fd = resource("FlinkDeployment", "moerec-features");
        assertEquals("flink.apache.org/v1beta1", fd.path("apiVersion").asText());
        JsonNode spec = fd.path("spec");
        assertEquals(DockerComposeTest.image("jobmanager"), spec.path("image").asText(), "the image compose builds");
        String[] flink = DockerComposeTest.property("moerec.flink.version").split("\\.");
        assertEquals("v" + flink[0] + "_" + flink[1], spec.path("flinkVersion").asText());
        JsonNode job = spec.path("job");
        Matcher copy = Pattern.compile("(?m)^COPY .* (/opt/flink/usrlib/\\S+\\.jar)$").matcher(DockerComposeTest.dockerfile("Dockerfile.flink-job"));
        assertTrue(copy.find());
        assertEquals("local://" + copy.group(1), job.path("jarURI").asText());
        assertEquals(FeaturesJob.class.getName(), job.path("entryClass").asText());
        assertEquals("savepoint", job.path("upgradeMode").asText());
        assertEquals("running", job.path("state").asText());

        Map<String, String> conf = new LinkedHashMap<>();
        spec.path("flinkConfiguration").properties().forEach(e -> conf.put(e.getKey(), e.getValue().asText()));
        // Only keys Flink defines (a mistyped key would be ignored silently), and the reporter as in compose.
        Set<String> known = Set.of(TaskManagerOptions.NUM_TASK_SLOTS.key(), StateBackendOptions.STATE_BACKEND.key(),
                CheckpointingOptions.INCREMENTAL_CHECKPOINTS.key(), CheckpointingOptions.CHECKPOINTS_DIRECTORY.key(),
                CheckpointingOptions.SAVEPOINT_DIRECTORY.key(), PipelineOptions.MAX_PARALLELISM.key(),
                HighAvailabilityOptions.HA_MODE.key(), HighAvailabilityOptions.HA_STORAGE_PATH.key(),
                "metrics.reporter.prom.factory.class", "metrics.reporter.prom.port");
        assertEquals(known, conf.keySet());
        assertEquals("rocksdb", conf.get(StateBackendOptions.STATE_BACKEND.key()));
        Map<String, String> compose = DockerComposeTest.flinkProperties("jobmanager");
        for (String k : List.of("metrics.reporter.prom.factory.class", "metrics.reporter.prom.port")) {
            assertEquals(compose.get(k), conf.get(k), k);
        }
        int parallelism = job.path("parallelism").asInt();
        int slots = Integer.parseInt(conf.get(TaskManagerOptions.NUM_TASK_SLOTS.key()));
        assertTrue(parallelism >= 1 && parallelism <= Integer.parseInt(conf.get(PipelineOptions.MAX_PARALLELISM.key())));
        assertTrue(slots >= 1);

        // Checkpoints, savepoints and HA data on the volume the pods mount.
        JsonNode main = container(spec.path("podTemplate").path("spec"), "flink-main-container");
        Map<String, String> mounts = mounts(main);
        for (String k : List.of(CheckpointingOptions.CHECKPOINTS_DIRECTORY.key(), CheckpointingOptions.SAVEPOINT_DIRECTORY.key(),
                HighAvailabilityOptions.HA_STORAGE_PATH.key())) {
            String path = URI.create(conf.get(k)).getPath();
            assertTrue(mounts.values().stream().anyMatch(path::startsWith), k + " " + path + " on a mounted volume " + mounts);
        }
        String claim = volume(spec.path("podTemplate").path("spec"), mounts.keySet().iterator().next());
        assertEquals("ReadWriteMany", resource("PersistentVolumeClaim", claim).path("spec").path("accessModes").get(0).asText(),
                "JobManager and TaskManagers share it");

        // The job's own configuration, through its own parser: the variables name keys, and parallelism
        // and the checkpoint directory stay the cluster's (the operator sets them).
        Map<String, String> env = environment(main);
        assertTrue(env.keySet().stream().allMatch(k -> k.startsWith(FeaturesJobConfig.ENV_PREFIX)), env.keySet().toString());
        String[] args = DockerComposeTest.list(job.path("args")).toArray(String[]::new);
        FeaturesJobConfig c = FeaturesJob.parseArgs(args, env).orElseThrow();
        assertTrue(c.parallelism().isEmpty() && c.checkpointDir().isEmpty(), "the job overrides none of the cluster's settings");
        assertNotNull(c.bootstrapServers());
        assertEquals(scoringConfig().bootstrapServers(), c.bootstrapServers(), "one Kafka for both jobs");
    }

    static JsonNode trainerDeployment() {
        return resource("Deployment", "moerec-trainer");
    }

    static JsonNode trainerContainer() {
        return container(trainerDeployment().path("spec").path("template").path("spec"), "trainer");
    }

    @Test
    void theTrainerIsOnePodOfTheBuildsImageWithVariablesItKnows() throws IOException {
        String image = "moerec/trainer:" + DockerComposeTest.property("moerec.project.version");
        assertEquals(DockerComposeTest.image("trainer"), image, "the image compose builds");
        assertEquals(image, trainerContainer().path("image").asText());
        // One writer per store, also during an upgrade: the old pod is gone before the new one starts.
        assertEquals(1, trainerDeployment().path("spec").path("replicas").asInt());
        assertEquals("Recreate", trainerDeployment().path("spec").path("strategy").path("type").asText());
        JsonNode podLabels = trainerDeployment().path("spec").path("template").path("metadata").path("labels");
        assertEquals(podLabels, trainerDeployment().path("spec").path("selector").path("matchLabels"));
        Map<String, String> env = environment(trainerContainer());
        assertTrue(env.keySet().stream().allMatch(k -> k.startsWith(TrainerConfig.ENV_PREFIX)), env.keySet().toString());
        Map<String, String> keys = TrainerConfig.SPEC.fromEnvironment(env);
        assertEquals(env.size(), keys.size(), "every variable names a key");
        keys.forEach((key, value) -> assertEquals(value, env.get(TrainerConfig.SPEC.environmentVariable(key)), key));
        TrainerConfig c = TrainerMain.parseArgs(new String[0], env).orElseThrow();
        assertEquals(scoringConfig().bootstrapServers(), c.bootstrapServers(), "one Kafka for the trainer and the scoring pods");
        assertEquals(scoringConfig().modelsTopic(), c.modelsTopic(), "the scoring pods follow the topic the trainer announces on");
        assertTrue(scoringConfig().watchModelsTopic(), "the scoring pods' model.watch-topic");
        // Kubernetes waits longer than the trainer's own stop (a cycle in progress finishes and commits).
        assertTrue(trainerDeployment().path("spec").path("template").path("spec").path("terminationGracePeriodSeconds").asLong()
                > TrainerMain.SHUTDOWN_WAIT_SECONDS);
        // The same user as the scoring pods and model-init: all of them use the models claim.
        assertEquals(scoringSet().path("spec").path("template").path("spec").path("securityContext"),
                trainerDeployment().path("spec").path("template").path("spec").path("securityContext"));
    }

    @Test
    void theTrainersStoreIsOnTheScoringPodsModelsClaimAtTheSamePath() throws IOException {
        TrainerConfig t = TrainerMain.parseArgs(new String[0], environment(trainerContainer())).orElseThrow();
        ScoringConfig s = scoringConfig();
        JsonNode podSpec = trainerDeployment().path("spec").path("template").path("spec");
        Map<String, String> mounts = mounts(trainerContainer());
        String models = mounts.get("models");
        assertEquals(mounts(scoringContainer()).get("models"), models, "mounted where the scoring pods mount it");
        assertEquals(volume(scoringSet().path("spec").path("template").path("spec"), "models"), volume(podSpec, "models"), "one claim");
        assertTrue(t.storeDir().startsWith(models), "the store " + t.storeDir() + " on the models claim at " + models);
        for (JsonNode m : trainerContainer().path("volumeMounts")) {
            assertTrue(!m.path("readOnly").asBoolean(false), "the trainer writes its store: " + m);
        }
        for (JsonNode v : podSpec.path("volumes")) {
            assertTrue(!v.path("persistentVolumeClaim").path("readOnly").asBoolean(false), "the trainer writes its store: " + v);
        }
        assertEquals("ReadWriteMany", resource("PersistentVolumeClaim", volume(podSpec, "models")).path("spec").path("accessModes").get(0)
                .asText(), "the trainer and the scoring pods on several nodes mount it at once");
        // As in compose: a direct sub-directory of the watched directory, apart from the start-up bundle,
        // so that the directory watcher never picks a candidate out of the store.
        assertEquals(s.modelWatchDir(), t.storeDir().getParent());
        assertTrue(!s.modelPath().startsWith(t.storeDir()) && !t.storeDir().startsWith(s.modelPath()));
        assertEquals(DockerComposeTest.environment("trainer").get(TrainerConfig.SPEC.environmentVariable(TrainerConfig.STORE_DIR)),
                t.storeDir().toString(), "the store where compose keeps it");
    }
}
