package io.moerec.jobs.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Set;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.Logger;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The demo's and bench's broker log: while redirected, the broker's retriable ERROR lines and the Kafka
 * libraries' messages reach only the file, moerec's own still reach the console; closing restores both.
 */
class BrokerLogTest {

    /** Names of the appenders an event of {@code logger} reaches (its logger config and the additive parents'). */
    static Set<String> appendersOf(String logger) {
        Set<String> names = new LinkedHashSet<>();
        for (LoggerConfig c = ((Logger) LogManager.getLogger(logger)).get(); c != null; c = c.getParent()) {
            names.addAll(c.getAppenders().keySet());
            if (!c.isAdditive()) {
                break;
            }
        }
        return names;
    }

    @Test
    void theBrokersLinesGoToTheFileOnlyAndMoerecsStayOnTheConsole(@TempDir Path work) throws Exception {
        Set<String> moerecBefore = appendersOf("io.moerec.jobs.pipeline.Demo");
        Set<String> brokerBefore = appendersOf("kafka.server.ReplicaManager");
        Path file = work.resolve("logs").resolve("kafka-broker.log");
        String line = "[ReplicaManager broker=1] Error processing append operation on partition user-features-0: "
                + "org.apache.kafka.common.errors.OutOfOrderSequenceException (transactions v2)";
        try (BrokerLog log = BrokerLog.toFile(file)) {
            assertEquals(file, log.file());
            for (String broker : new String[] {"kafka.server.ReplicaManager", "org.apache.kafka.controller.QuorumController",
                    "org.apache.kafka.coordinator.transaction.TransactionStateManager", "org.apache.kafka.storage.internals.log.UnifiedLog"}) {
                Set<String> appenders = appendersOf(broker);
                assertEquals(1, appenders.size(), broker + " reaches " + appenders);
                assertTrue(appenders.iterator().next().startsWith("moerec-broker-log"), broker + " reaches " + appenders);
            }
            assertEquals(moerecBefore, appendersOf("io.moerec.jobs.pipeline.Demo"), "moerec's own lines stay where they were");
            LoggerFactory.getLogger("kafka.server.ReplicaManager").error(line);
            LoggerFactory.getLogger("org.apache.kafka.server.SomeBrokerClass").warn("a WARN line for diagnosis");
        }
        String written = Files.readString(file);
        assertTrue(written.contains("ERROR") && written.contains(line), written);
        assertTrue(written.contains("a WARN line for diagnosis"), written);
        // Closed: the routing is what it was, and nothing more reaches the file.
        assertEquals(brokerBefore, appendersOf("kafka.server.ReplicaManager"));
        LoggerFactory.getLogger("kafka.server.ReplicaManager").error("after close");
        assertFalse(Files.readString(file).contains("after close"));
    }
}
