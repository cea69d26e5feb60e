package io.moerec.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.moerec.ingest.domain.Movie;
import io.moerec.ingest.domain.ViewingEvent;
import io.moerec.ingest.generate.GeneratorConfig;
import io.moerec.ingest.generate.SyntheticDataGenerator;
import io.moerec.ingest.topic.Topics;
import io.moerec.jobs.broker.KafkaBrokerExtension;
import io.moerec.moe.MoeModel;
import io.moerec.moe.TrainingConfig;
import io.moerec.moe.streams.ScoringApp;
import io.moerec.moe.streams.ScoringConfig;
import io.moerec.moe.streams.ScoringMetrics;
import io.moerec.moe.train.MoeTrainer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Checks docker/'s monitoring against what runs: every metric name the Prometheus alert rules and the
 * Grafana dashboard use is one a running scoring app (on the embedded broker) serves on
 * {@code /metrics}, or, for {@code flink_*} names, one Flink's Prometheus reporter derives from
 * Flink's documented system metrics or the features job's own counters; Prometheus scrapes the ports
 * the services listen on; Grafana's provisioning points at the files compose mounts.
 */
class MonitoringConfigTest {

    @RegisterExtension
    static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

    /** Flink's Prometheus reporter port in the compose file's FLINK_PROPERTIES (the reporter's default). */
    static final int FLINK_REPORTER_PORT = 9249;

    /**
     * The {@code flink_*} names the rules and the dashboard may use: Flink's system metrics (job
     * manager and task scopes) and the features job's counters ({@code PreferenceFeaturesFunction},
     * {@code DecodeCatalogFunction}), as the reporter names them (scope, then the metric name).
     */
    static final Set<String> FLINK_NAMES = Set.of(
            "flink_jobmanager_job_uptime", "flink_jobmanager_job_numRestarts", "flink_jobmanager_job_lastCheckpointDuration",
            "flink_jobmanager_job_lastCheckpointSize", "flink_jobmanager_job_numberOfFailedCheckpoints",
            "flink_jobmanager_job_numberOfCompletedCheckpoints", "flink_taskmanager_job_task_operator_pendingRecords",
            "flink_taskmanager_job_task_operator_numRecordsInPerSecond", "flink_taskmanager_job_task_operator_numRecordsOutPerSecond",
            "flink_taskmanager_job_task_busyTimeMsPerSecond", "flink_taskmanager_job_task_backPressuredTimeMsPerSecond",
            "flink_taskmanager_job_task_operator_eventsIn", "flink_taskmanager_job_task_operator_featuresOut",
            "flink_taskmanager_job_task_operator_late", "flink_taskmanager_job_task_operator_unknownMovie",
            "flink_taskmanager_job_task_operator_catalogRejected", "flink_taskmanager_Status_JVM_Memory_Heap_Used");

    static Path dockerDir;
    static Path tmp;
    static ScoringApp app;
    static String scrape;
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll
    static void scrapeARunningScoringApp(@TempDir Path dir) throws Exception {
        DockerComposeTest.readCompose();
        dockerDir = DockerComposeTest.dockerDir;
        tmp = dir;
        List<Movie> movies = new ArrayList<>();
        List<ViewingEvent> events = new ArrayList<>();
        new SyntheticDataGenerator(GeneratorConfig.builder().seed(7).users(120).movies(150).targetEvents(6_000).build())
                .generate(movies::add, events::add);
        MoeModel model = MoeTrainer.train("monitoring-test", movies, events, TrainingConfig.defaults().withMinPositivesPerExpert(5));
        Map<String, String> s = new LinkedHashMap<>();
        s.put(ScoringConfig.BOOTSTRAP_SERVERS, KAFKA.bootstrapServers());
        s.put(ScoringConfig.APPLICATION_ID, "monitoring-test");
        s.put(ScoringConfig.MODEL_PATH, dir.resolve("unused-bundle").toString());
        s.put(ScoringConfig.STATE_DIR, dir.resolve("state").toString());
        s.put(ScoringConfig.HTTP_HOST, "127.0.0.1");
        s.put(ScoringConfig.HTTP_PORT, "0");
        s.put(ScoringConfig.TOPIC_FEATURES, KAFKA.createUniqueTopic(Topics.USER_FEATURES).name());
        s.put(ScoringConfig.TOPIC_MOVIES, KAFKA.createUniqueTopic(Topics.MOVIES).name());
        s.put(ScoringConfig.TOPIC_RECOMMENDATIONS, KAFKA.createUniqueTopic(Topics.RECOMMENDATIONS).name());
        s.put(ScoringConfig.TOPIC_MODELS, KAFKA.createUniqueTopic(Topics.MODELS).name());
        s.put(ScoringConfig.TOPIC_DLQ, KAFKA.createUniqueTopic(Topics.VIEWING_EVENTS_DLQ).name());
        s.put("streams.replication.factor", "1");
        s.put(ScoringConfig.METRICS_KAFKA_REFRESH_MS, "1000");
        app = new ScoringApp(ScoringConfig.fromMap(s), model).start();
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        // Per-partition lag and the stores' RocksDB metrics exist once the tasks run and fetch; Micrometer's
        // Kafka binder picks up metrics created after it was bound on its next refresh (every second here).
        while (true) {
            if (app.streams().state() == KafkaStreams.State.RUNNING) {
                http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.httpPort() + "/livez")).build(),
                        HttpResponse.BodyHandlers.discarding());
                scrape = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.httpPort() + "/metrics")).build(),
                        HttpResponse.BodyHandlers.ofString()).body();
                if (scrape.contains("kafka_consumer_fetch_manager_records_lag{") && scrape.contains("kafka_stream_state_")) {
                    break;
                }
            }
            if (System.nanoTime() > deadline) {
                fail("no lag or RocksDB metrics within 90 s; state " + app.streams().state() + ", last scrape:\n" + scrape);
            }
            Thread.sleep(1000); // polling interval of a deadline-bounded wait
        }
        Files.writeString(Path.of("target", "scoring-metrics.txt"), scrape, StandardCharsets.UTF_8);
    }

    @AfterAll
    static void stop() {
        if (app != null) {
            app.close();
        }
    }

    /** Metric families the scrape declares ({@code # TYPE name type}). */
    static Set<String> families(String text) {
        Set<String> s = new TreeSet<>();
        Matcher m = Pattern.compile("(?m)^# TYPE (\\S+) \\S+$").matcher(text);
        while (m.find()) {
            s.add(m.group(1));
        }
        return s;
    }

    static final Pattern METRIC = Pattern.compile("\\b((?:moerec|kafka|jvm|process|system|http|flink)_[A-Za-z0-9_:]*)");
    static final Pattern LABEL_NAME_CONTEXT = Pattern.compile("(?:by|without|on|ignoring|group_left|group_right)\\s*\\(([^)]*)\\)");

    /** Metric names in a PromQL expression (label names inside by (...) and friends are not metrics). */
    static Set<String> metricNames(String promql) {
        String stripped = LABEL_NAME_CONTEXT.matcher(promql).replaceAll("()").replaceAll("\\{[^}]*}", "{}")
                .replaceAll("\"[^\"]*\"", "\"\"");
        Set<String> names = new TreeSet<>();
        Matcher m = METRIC.matcher(stripped);
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }

    /** A histogram's series name maps to its family (the scrape declares the base name). */
    static String family(String series) {
        return series.replaceFirst("_(bucket|count|sum)$", "");
    }

    /** Every PromQL expression in the alert rules. */
    static List<String> ruleExpressions() throws IOException {
        JsonNode rules = YAML.readTree(dockerDir.resolve("prometheus/alerts.yml").toFile());
        List<String> out = new ArrayList<>();
        for (JsonNode group : rules.path("groups")) {
            for (JsonNode rule : group.path("rules")) {
                out.add(rule.path("expr").asText());
            }
        }
        return out;
    }

    static JsonNode dashboard() throws IOException {
        return JSON.readTree(dockerDir.resolve("grafana/dashboards/moerec.json").toFile());
    }

    static List<String> dashboardExpressions() throws IOException {
        List<String> out = new ArrayList<>();
        for (JsonNode panel : dashboard().path("panels")) {
            for (JsonNode target : panel.path("targets")) {
                out.add(target.path("expr").asText());
            }
        }
        return out;
    }

    static void assertExported(String where, String expr, Set<String> scraped) {
        Set<String> names = metricNames(expr);
        assertFalse(names.isEmpty(), where + ": no metric in " + expr);
        for (String n : names) {
            if (n.startsWith("flink_")) {
                assertTrue(FLINK_NAMES.contains(n), where + ": " + n + " is not a Flink metric this test knows: " + expr);
            } else {
                assertTrue(scraped.contains(family(n)), where + ": the scoring app exports no " + n + " (" + expr + ")");
            }
        }
    }

    @Test
    void everyMetricTheAlertsUseIsExported() throws IOException {
        Set<String> scraped = families(scrape);
        List<String> exprs = ruleExpressions();
        assertTrue(exprs.size() >= 6, "alert rules: " + exprs);
        for (String e : exprs) {
            if (!e.startsWith("up{")) {
                assertExported("alerts.yml", e, scraped);
            }
        }
        // The alerts operators were promised.
        JsonNode rules = YAML.readTree(dockerDir.resolve("prometheus/alerts.yml").toFile());
        Set<String> alerts = new TreeSet<>();
        for (JsonNode group : rules.path("groups")) {
            for (JsonNode rule : group.path("rules")) {
                alerts.add(rule.path("alert").asText());
                assertTrue(Set.of("critical", "warning", "info").contains(rule.path("labels").path("severity").asText()), rule.toString());
                assertFalse(rule.path("annotations").path("summary").asText().isBlank(), rule.toString());
            }
        }
        assertTrue(alerts.containsAll(Set.of("MoerecScoringLagGrowing", "MoerecNoListsPublished", "MoerecModelRejected",
                "MoerecStreamThreadsReplaced", "MoerecDeadLetters")), alerts.toString());
    }

    @Test
    void everyMetricTheDashboardUsesIsExported() throws IOException {
        Set<String> scraped = families(scrape);
        List<String> exprs = dashboardExpressions();
        assertTrue(exprs.size() >= 8, "dashboard queries: " + exprs);
        Set<String> used = new TreeSet<>();
        for (String e : exprs) {
            assertExported("moerec.json", e, scraped);
            used.addAll(metricNames(e));
        }
        // Throughput, latency, lag, expert load, model version and age, dead letters.
        for (String n : List.of("moerec_events_scored_total", "moerec_event_to_list_latency_seconds_bucket",
                "kafka_consumer_fetch_manager_records_lag", "moerec_expert_load_total", "moerec_model_info",
                "moerec_model_age_seconds", "moerec_dead_letters_total")) {
            assertTrue(used.contains(n), "the dashboard shows " + n + ": " + used);
        }
        // Every panel queries the provisioned data source.
        String uid = YAML.readTree(dockerDir.resolve("grafana/provisioning/datasources/prometheus.yml").toFile())
                .path("datasources").get(0).path("uid").asText();
        for (JsonNode panel : dashboard().path("panels")) {
            if (!"row".equals(panel.path("type").asText())) {
                assertEquals(uid, panel.path("datasource").path("uid").asText(), panel.path("title").asText());
            }
        }
    }

    @Test
    void theDeclaredNamesAreWhatTheAppServes() {
        Set<String> scraped = families(scrape);
        for (String n : ScoringMetrics.NAMES) {
            assertTrue(scraped.contains(n), n);
        }
    }

    @Test
    void prometheusScrapesWhatTheServicesServe() throws IOException {
        JsonNode prom = YAML.readTree(dockerDir.resolve("prometheus/prometheus.yml").toFile());
        Map<String, JsonNode> jobs = new LinkedHashMap<>();
        prom.path("scrape_configs").forEach(j -> jobs.put(j.path("job_name").asText(), j));
        assertEquals(Set.of("scoring", "flink-jobmanager", "flink-taskmanager"), jobs.keySet());
        ScoringConfig c = ScoringApp.parseArgs(new String[0], DockerComposeTest.environment("scoring")).orElseThrow();
        JsonNode scoring = jobs.get("scoring").path("dns_sd_configs").get(0);
        assertEquals("scoring", scoring.path("names").get(0).asText());
        assertEquals(c.httpPort(), scoring.path("port").asInt());
        assertEquals("/metrics", jobs.get("scoring").path("metrics_path").asText());
        assertEquals(List.of("jobmanager:" + FLINK_REPORTER_PORT), DockerComposeTest.list(jobs.get("flink-jobmanager")
                .path("static_configs").get(0).path("targets")));
        assertEquals(FLINK_REPORTER_PORT, jobs.get("flink-taskmanager").path("dns_sd_configs").get(0).path("port").asInt());
        // The rule file Prometheus loads is the one compose mounts.
        String ruleFile = prom.path("rule_files").get(0).asText();
        assertTrue(DockerComposeTest.list(DockerComposeTest.service("prometheus").path("volumes"))
                .contains("./prometheus/alerts.yml:" + ruleFile + ":ro"), ruleFile);
    }

    @Test
    void grafanaIsProvisionedFromTheRepository() throws IOException {
        List<String> volumes = DockerComposeTest.list(DockerComposeTest.service("grafana").path("volumes"));
        assertTrue(volumes.contains("./grafana/provisioning:/etc/grafana/provisioning:ro"), volumes.toString());
        String dashboards = YAML.readTree(dockerDir.resolve("grafana/provisioning/dashboards/moerec.yml").toFile())
                .path("providers").get(0).path("options").path("path").asText();
        assertTrue(volumes.contains("./grafana/dashboards:" + dashboards + ":ro"), volumes.toString());
        JsonNode d = dashboard();
        assertNotNull(d.get("uid"));
        assertEquals("moerec", d.path("uid").asText());
    }

    @Test
    void theParserSeesMetricsNotLabels() {
        assertEquals(Set.of("moerec_expert_load_total"), metricNames("sum by (expert) (rate(moerec_expert_load_total{job=\"scoring\"}[5m]))"));
        assertEquals(Set.of("moerec_event_to_list_latency_seconds_bucket"),
                metricNames("histogram_quantile(0.99, sum by (le) (rate(moerec_event_to_list_latency_seconds_bucket[5m])))"));
    }
}
