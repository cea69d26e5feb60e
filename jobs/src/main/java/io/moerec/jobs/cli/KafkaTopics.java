package io.moerec.jobs.cli;

import io.moerec.ingest.topic.Topic;
import io.moerec.jobs.broker.TopicSetup;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/** The CLI's topic creation against any cluster: bounded waits and errors that name the cluster. */
final class KafkaTopics {

    static final Duration TIMEOUT = Duration.ofSeconds(30);

    private KafkaTopics() {
    }

    /** @param clientProperties {@code bootstrap.servers} and the connection (security) settings */
    static void ensure(Map<String, Object> clientProperties, Collection<? extends Topic<?, ?>> topics) {
        Object bootstrap = clientProperties.get(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG);
        Map<String, Object> props = new HashMap<>(clientProperties);
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) TIMEOUT.toMillis());
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        Admin admin = Admin.create(props);
        try {
            TopicSetup.ensureTopics(admin, topics, TIMEOUT);
        } catch (IllegalStateException e) {
            throw new IllegalStateException("Kafka at " + bootstrap + ": " + e.getMessage(), e);
        } finally {
            // Do not wait out pending calls of an unreachable cluster a second time.
            admin.close(Duration.ofSeconds(2));
        }
    }
}
