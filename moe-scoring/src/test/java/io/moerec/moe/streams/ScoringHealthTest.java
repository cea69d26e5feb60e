package io.moerec.moe.streams;

import static org.apache.kafka.streams.KafkaStreams.State.CREATED;
import static org.apache.kafka.streams.KafkaStreams.State.ERROR;
import static org.apache.kafka.streams.KafkaStreams.State.NOT_RUNNING;
import static org.apache.kafka.streams.KafkaStreams.State.PENDING_ERROR;
import static org.apache.kafka.streams.KafkaStreams.State.PENDING_SHUTDOWN;
import static org.apache.kafka.streams.KafkaStreams.State.REBALANCING;
import static org.apache.kafka.streams.KafkaStreams.State.RUNNING;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** Liveness and readiness over Kafka Streams' state changes, and the exit on a failure for good. */
class ScoringHealthTest {

    @Test
    void readyOnlyWhenRunningWithAModelLiveThroughRebalancesAndRestores() {
        AtomicBoolean model = new AtomicBoolean(true);
        ScoringHealth h = new ScoringHealth(model::get);
        assertTrue(h.live());
        assertFalse(h.ready(), "CREATED: not ready");
        h.onChange(REBALANCING, CREATED);
        assertTrue(h.live());
        assertFalse(h.ready(), "rebalancing (restoring stores): live, not ready");
        h.onChange(RUNNING, REBALANCING);
        assertTrue(h.ready());
        model.set(false);
        assertFalse(h.ready(), "no model, nothing to score with");
        model.set(true);
        h.onChange(REBALANCING, RUNNING); // a member joined: partitions move, stores restore
        assertTrue(h.live());
        assertFalse(h.ready());
        h.onChange(RUNNING, REBALANCING);
        assertTrue(h.ready());
        // An orderly shutdown is no failure.
        h.onChange(PENDING_SHUTDOWN, RUNNING);
        h.onChange(NOT_RUNNING, PENDING_SHUTDOWN);
        assertTrue(h.live());
        assertFalse(h.ready());
        assertFalse(h.failure().isDone());
    }

    @Test
    void aFailureForGoodEndsLivenessAndTheWait() throws Exception {
        ScoringHealth h = new ScoringHealth(() -> true);
        h.onChange(RUNNING, REBALANCING);
        h.onChange(PENDING_ERROR, RUNNING); // SHUTDOWN_CLIENT from the uncaught-exception handler
        assertFalse(h.live());
        assertFalse(h.ready());
        assertEquals(PENDING_ERROR, h.failure().getNow(null));
        h.onChange(ERROR, PENDING_ERROR);
        assertFalse(h.live());
        // main's wait returns the failure status without a stop request.
        assertEquals(ScoringApp.FAILED, ScoringApp.awaitStopOrFailure(h, new CountDownLatch(1)));
    }

    @Test
    void aStopRequestEndsTheWaitWithStatusZero() throws Exception {
        ScoringHealth h = new ScoringHealth(() -> true);
        h.onChange(RUNNING, REBALANCING);
        CountDownLatch stopped = new CountDownLatch(1);
        stopped.countDown();
        assertEquals(0, ScoringApp.awaitStopOrFailure(h, stopped));
    }
}
