package io.moerec.moe.streams;

import io.moerec.ingest.domain.ModelAnnouncement;
import io.moerec.ingest.topic.Topic;
import io.moerec.ingest.topic.Topics;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordDeserializationException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows the {@code models} topic on its own thread and hands the newest announcement of each poll
 * to a {@link ModelUpdater}. Every instance reads every partition from the beginning, without a
 * consumer group, so all instances of an application converge on the latest announced model, a
 * restarted one included. A record that cannot be decoded is skipped with a warning.
 */
public final class ModelTopicWatcher implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ModelTopicWatcher.class);

    private final KafkaConsumer<String, ModelAnnouncement> consumer;
    private final ModelUpdater updater;
    private final Thread thread;
    private volatile boolean running = true;

    /** @param clientProperties {@code bootstrap.servers} and connection settings (security) of the consumer */
    public ModelTopicWatcher(Map<String, String> clientProperties, String topicName, ModelUpdater updater) {
        Topic<String, ModelAnnouncement> topic = Topics.MODELS.withName(topicName);
        Properties p = new Properties();
        p.putAll(clientProperties);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "moerec-model-watcher");
        this.consumer = new KafkaConsumer<>(p, topic.keySerde().deserializer(), topic.valueSerde().deserializer());
        this.updater = updater;
        this.thread = new Thread(() -> run(topicName), "moerec-model-watcher");
        this.thread.setDaemon(true);
    }

    public void start() {
        thread.start();
    }

    private void run(String topicName) {
        try {
            List<TopicPartition> partitions = consumer.partitionsFor(topicName, Duration.ofSeconds(30)).stream()
                    .map(i -> new TopicPartition(i.topic(), i.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            LOG.info("following model announcements on {} ({} partitions)", topicName, partitions.size());
            while (running) {
                ConsumerRecords<String, ModelAnnouncement> records;
                try {
                    records = consumer.poll(Duration.ofMillis(500));
                } catch (RecordDeserializationException e) {
                    LOG.warn("skipping an undecodable model announcement at {}@{}: {}", e.topicPartition(), e.offset(), e.getMessage());
                    consumer.seek(e.topicPartition(), e.offset() + 1);
                    continue;
                }
                ModelAnnouncement latest = null;
                for (ConsumerRecord<String, ModelAnnouncement> r : records) {
                    if (r.value() != null && (latest == null || r.value().announcedAt() >= latest.announcedAt())) {
                        latest = r.value();
                    }
                }
                if (latest != null) {
                    updater.apply(latest);
                }
            }
        } catch (WakeupException e) {
            // close() woke the poll up
        } catch (RuntimeException e) {
            LOG.error("the model watcher stopped; the serving model stays: {}", e.toString(), e);
        } finally {
            consumer.close(org.apache.kafka.clients.consumer.CloseOptions.timeout(Duration.ofSeconds(5)));
        }
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // keep the caller's interrupt; the watcher thread is a daemon
        }
    }
}
