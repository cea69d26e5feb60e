package io.moerec.ingest.replay;

import io.moerec.ingest.json.RejectReason;
import io.moerec.ingest.source.Parsed;
import io.moerec.ingest.topic.DeadLetters;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * One run of publishing a source: sends valid records and dead letters through one producer, counts
 * what was read and what the broker acknowledged, and remembers the first delivery failure so that
 * the run stops at the next record instead of carrying on past a hole. Single use, driven by one
 * thread; the callbacks run on the producer's I/O thread, hence the concurrent counters.
 */
final class Publication {

    private final Producer<byte[], byte[]> producer;
    private final String dlqTopic;
    private final String stage;
    private final MonotonicClock clock;
    private final ReplayProgressListener listener;
    private final long progressIntervalNanos;
    private final long expectedRecords;
    private final long startNanos;
    private final LongAdder sent = new LongAdder();
    private final Map<RejectReason, LongAdder> rejected = new ConcurrentHashMap<>();
    private final AtomicReference<Exception> failure = new AtomicReference<>();
    private long read;
    private long nextReportNanos;

    Publication(Producer<byte[], byte[]> producer, String dlqTopic, String stage, MonotonicClock clock,
                ReplayProgressListener listener, Duration progressInterval, long expectedRecords) {
        this.producer = producer;
        this.dlqTopic = dlqTopic;
        this.stage = stage;
        this.clock = clock;
        this.listener = listener;
        this.progressIntervalNanos = progressInterval.toNanos();
        this.expectedRecords = expectedRecords;
        this.startNanos = clock.nanoTime();
        this.nextReportNanos = startNanos + progressIntervalNanos;
    }

    /** Counts one record read from the source; call before sending it. */
    void countRead() {
        failIfDeliveryFailed();
        read++;
    }

    void sendValid(String topic, byte[] key, byte[] value) {
        send(new ProducerRecord<>(topic, key, value), null);
    }

    /** The original bytes to the dead-letter topic, with reason, detail, file and line in headers. */
    void sendRejected(Parsed.Rejected<?> r) {
        send(DeadLetters.record(dlqTopic, null, r.original(), r.reason(), r.detail(), r.source(),
                Long.toString(r.position()), stage), r.reason());
    }

    private void send(ProducerRecord<byte[], byte[]> record, RejectReason reason) {
        try {
            producer.send(record, (metadata, exception) -> {
                if (exception != null) {
                    failure.compareAndSet(null, exception);
                } else if (reason == null) {
                    sent.increment();
                } else {
                    rejected.computeIfAbsent(reason, k -> new LongAdder()).increment();
                }
            });
        } catch (RuntimeException e) {
            throw new ReplayException("cannot send to " + record.topic() + ": " + e, read, acknowledged(), e);
        }
    }

    void maybeReportProgress() {
        long now = clock.nanoTime();
        if (now - nextReportNanos >= 0) {
            nextReportNanos = now + progressIntervalNanos;
            listener.onProgress(progress(now));
        }
    }

    /** Flushes, fails if anything was not delivered, reports once more and returns the summary. */
    ReplaySummary finish(String source) {
        try {
            producer.flush();
        } catch (RuntimeException e) {
            throw new ReplayException("flushing the producer failed: " + e, read, acknowledged(), e);
        }
        failIfDeliveryFailed();
        long now = clock.nanoTime();
        listener.onProgress(progress(now));
        Map<RejectReason, Long> byReason = new EnumMap<>(RejectReason.class);
        rejected.forEach((k, v) -> byReason.put(k, v.sum()));
        return new ReplaySummary(source, read, sent.sum(), byReason, Duration.ofNanos(now - startNanos));
    }

    ReplayException interrupted(InterruptedException e) {
        Thread.currentThread().interrupt();
        return new ReplayException("interrupted", read, acknowledged(), e);
    }

    private void failIfDeliveryFailed() {
        Exception e = failure.get();
        if (e != null) {
            throw new ReplayException("a record was not delivered: " + e, read, acknowledged(), e);
        }
    }

    private long acknowledged() {
        return sent.sum() + rejected.values().stream().mapToLong(LongAdder::sum).sum();
    }

    private ReplayProgress progress(long now) {
        long rej = rejected.values().stream().mapToLong(LongAdder::sum).sum();
        return new ReplayProgress(read, sent.sum(), rej, Duration.ofNanos(now - startNanos), expectedRecords);
    }
}
