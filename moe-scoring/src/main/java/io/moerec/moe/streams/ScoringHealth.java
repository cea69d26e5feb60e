package io.moerec.moe.streams;

import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;
import org.apache.kafka.streams.KafkaStreams;

/**
 * The scoring app's probes, from Kafka Streams' state changes (it is the client's state listener).
 * <ul>
 *   <li>Ready ({@code /readyz}) only while Kafka Streams is {@code RUNNING} and a model is loaded: a
 *   load balancer sends look-ups only then.</li>
 *   <li>Live ({@code /livez}) through start-up, rebalances and restores ({@code CREATED},
 *   {@code REBALANCING}, {@code RUNNING}) and an orderly shutdown; no longer once Kafka Streams has
 *   failed for good ({@code PENDING_ERROR}, {@code ERROR}, as after a {@code SHUTDOWN_CLIENT}): its
 *   client never recovers, so the process should be restarted. {@link #failure()} then completes and
 *   the app's {@code main} exits non-zero.</li>
 * </ul>
 * Thread-safe.
 */
public final class ScoringHealth implements KafkaStreams.StateListener {

    private final BooleanSupplier modelLoaded;
    private final CompletableFuture<KafkaStreams.State> failure = new CompletableFuture<>();
    private volatile KafkaStreams.State state = KafkaStreams.State.CREATED;

    /** @param modelLoaded whether a model is there to score with */
    public ScoringHealth(BooleanSupplier modelLoaded) {
        this.modelLoaded = Objects.requireNonNull(modelLoaded, "modelLoaded");
    }

    @Override
    public void onChange(KafkaStreams.State newState, KafkaStreams.State oldState) {
        state = newState;
        if (newState == KafkaStreams.State.PENDING_ERROR || newState == KafkaStreams.State.ERROR) {
            failure.complete(newState);
        }
    }

    public KafkaStreams.State state() {
        return state;
    }

    /** Whether the process is worth keeping: false once Kafka Streams has failed for good. */
    public boolean live() {
        return !failure.isDone();
    }

    /** Whether look-ups can be answered: Kafka Streams running, a model loaded, no failure. */
    public boolean ready() {
        return live() && state == KafkaStreams.State.RUNNING && modelLoaded.getAsBoolean();
    }

    /** Completes with the failed state ({@code PENDING_ERROR} or {@code ERROR}) when Kafka Streams fails for good. */
    public CompletableFuture<KafkaStreams.State> failure() {
        return failure;
    }
}
