package io.moerec.jobs.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.moerec.ingest.topic.Topic;
import io.moerec.ingest.topic.Topics;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class KafkaBrokerExtensionTest {

    @RegisterExtension
    static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

    @Test
    void injectsTheClassBrokerAndCreatesUniqueTopics(EmbeddedKafkaBroker injected) throws Exception {
        assertSame(KAFKA.broker(), injected);
        Topic<String, ?> a = KAFKA.createUniqueTopic(Topics.VIEWING_EVENTS);
        Topic<String, ?> b = KAFKA.createUniqueTopic(Topics.VIEWING_EVENTS);
        assertNotEquals(a.name(), b.name());
        try (KafkaProducer<String, String> producer = EmbeddedKafkaBrokerTest.producer(injected)) {
            producer.send(new ProducerRecord<>(a.name(), "u1", "hello")).get(10, TimeUnit.SECONDS);
        }
        assertEquals(List.of("hello"), EmbeddedKafkaBrokerTest.consumeAll(injected, a.name(), 1));
    }
}
