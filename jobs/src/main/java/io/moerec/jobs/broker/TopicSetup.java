package io.moerec.jobs.broker;

import io.moerec.ingest.topic.Topic;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.LogDirDescription;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates topics from their typed descriptors (name, partitions, topic config) on any Kafka cluster,
 * with the cluster's default replication factor, and returns only when every replica of every
 * partition has its log on its broker. Idempotent: a topic that exists is left as it is (its partition
 * count and config are not reconciled). Fails within the timeout with the topic's name.
 *
 * <p>Why wait for the replicas' logs and not only for the create call: a broker announces a new
 * partition's leader in its metadata a moment before its replica manager can take writes, and an
 * idempotent producer whose first batch to a partition meets that moment
 * ({@code NOT_LEADER_OR_FOLLOWER}) may get its later batches in first; the retried first batch then
 * fails with {@code OUT_OF_ORDER_SEQUENCE_NUMBER} until its delivery timeout (KAFKA-14359). Seen here in
 * 7 of 30 replays started right after topic creation.
 */
public final class TopicSetup {

    private static final Logger LOG = LoggerFactory.getLogger(TopicSetup.class);

    private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

    private TopicSetup() {
    }

    /** Creates the topics that do not exist yet and waits until the cluster has them. */
    public static void ensureTopics(Admin admin, Collection<? extends Topic<?, ?>> topics, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            Set<String> existing = admin.listTopics().names().get(remaining(deadline), TimeUnit.NANOSECONDS);
            List<NewTopic> missing = new ArrayList<>();
            for (Topic<?, ?> t : topics) {
                if (!existing.contains(t.name())) {
                    missing.add(new NewTopic(t.name(), Optional.of(t.partitions()), Optional.empty()).configs(t.config()));
                }
            }
            if (missing.isEmpty()) {
                return;
            }
            var results = admin.createTopics(missing).values();
            List<String> created = new ArrayList<>();
            for (var e : results.entrySet()) {
                try {
                    e.getValue().get(remaining(deadline), TimeUnit.NANOSECONDS);
                    created.add(e.getKey());
                    LOG.info("created topic {}", e.getKey());
                } catch (ExecutionException ex) {
                    // Another client created it between our listing and our request: that is the goal.
                    if (!(ex.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException("cannot create topic " + e.getKey() + ": " + ex.getCause(), ex.getCause());
                    }
                } catch (TimeoutException ex) {
                    throw new IllegalStateException("topic " + e.getKey() + " was not created within " + timeout.toSeconds() + " s", ex);
                }
            }
            awaitReplicaLogs(admin, created, deadline, timeout);
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot list topics: " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("cannot list topics within " + timeout.toSeconds() + " s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topics", e);
        }
    }

    /** Polls until each replica of each partition shows up in its broker's log directories. */
    private static void awaitReplicaLogs(Admin admin, Collection<String> topics, long deadline, Duration timeout)
            throws InterruptedException, ExecutionException, TimeoutException {
        if (topics.isEmpty()) {
            return;
        }
        Set<String> missing = Set.of();
        do {
            Map<String, TopicDescription> described;
            try {
                described = admin.describeTopics(topics).allTopicNames().get(remaining(deadline), TimeUnit.NANOSECONDS);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                    missing = Set.copyOf(topics); // metadata not propagated yet
                    continue;
                }
                throw e;
            }
            Map<Integer, Set<TopicPartition>> wanted = new HashMap<>();
            for (TopicDescription d : described.values()) {
                for (TopicPartitionInfo p : d.partitions()) {
                    for (Node replica : p.replicas()) {
                        wanted.computeIfAbsent(replica.id(), id -> new HashSet<>()).add(new TopicPartition(d.name(), p.partition()));
                    }
                }
            }
            Map<Integer, Map<String, LogDirDescription>> dirs =
                    admin.describeLogDirs(wanted.keySet()).allDescriptions().get(remaining(deadline), TimeUnit.NANOSECONDS);
            missing = new TreeSet<>();
            for (var w : wanted.entrySet()) {
                Set<TopicPartition> present = new HashSet<>();
                dirs.getOrDefault(w.getKey(), Map.of()).values().forEach(d -> present.addAll(d.replicaInfos().keySet()));
                for (TopicPartition tp : w.getValue()) {
                    if (!present.contains(tp)) {
                        missing.add(tp + " on broker " + w.getKey());
                    }
                }
            }
            if (missing.isEmpty()) {
                return;
            }
        } while (pause(deadline));
        throw new IllegalStateException("replicas not ready within " + timeout.toSeconds() + " s: " + missing);
    }

    /** A short pause between polls of a condition; false once the deadline has passed. */
    private static boolean pause(long deadline) throws InterruptedException {
        if (System.nanoTime() >= deadline) {
            return false;
        }
        TimeUnit.NANOSECONDS.sleep(Math.min(POLL_NANOS, remaining(deadline)));
        return true;
    }

    private static long remaining(long deadline) {
        return Math.max(0, deadline - System.nanoTime());
    }
}
