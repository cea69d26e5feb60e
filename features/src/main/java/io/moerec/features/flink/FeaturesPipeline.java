package io.moerec.features.flink;

import io.moerec.ingest.domain.UserPreferenceFeatures;
import io.moerec.ingest.domain.ViewingEvent;
import java.time.Duration;
import java.util.Objects;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.streaming.api.datastream.BroadcastStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Builds the features job from injected sources and sinks, so that production wires Kafka
 * ({@link KafkaConnectors}) and tests wire bounded in-memory sources and collecting sinks to the
 * very same graph:
 * <pre>
 * events (raw bytes) → decode ──DLQ side output──► deadLetters
 *                        │ event-time watermarks (bounded out-of-orderness, idleness)
 *                        ▼ union ◄── decode ◄── user-deletions (raw bytes, key = user id; optional)
 *                        ▼ keyBy(userId)
 * movies (raw bytes) → decode → broadcast ──► PreferenceFeaturesFunction ──► features
 *                                                      └──late side output──► late
 * </pre>
 * Every operator has a stable {@code uid} (savepoint compatibility: never change them) and a name.
 * Event-time watermarks are assigned after decoding (a record's time is inside its JSON); they drive
 * only timers, since lateness is judged per user (see {@link PreferenceFeaturesFunction}). The
 * catalog stream holds event time back only until the catalog has loaded, then carries the
 * maximum watermark (see {@link #catalogWatermarks(long)}).
 */
public final class FeaturesPipeline {

    public static final String UID_EVENTS_SOURCE = "viewing-events-source";
    public static final String UID_DECODE_EVENTS = "decode-viewing-events";
    public static final String UID_EVENT_TIME = "viewing-events-watermarks";
    public static final String UID_MOVIES_SOURCE = "movies-source";
    public static final String UID_DECODE_MOVIES = "decode-movies";
    public static final String UID_EVENT_INPUT = "viewing-events-as-user-input";
    public static final String UID_DELETIONS_SOURCE = "user-deletions-source";
    public static final String UID_DECODE_DELETIONS = "decode-user-deletions";
    public static final String UID_FEATURES = "user-preference-features";
    public static final String UID_FEATURES_SINK = "user-features-sink";
    public static final String UID_LATE_SINK = "viewing-events-late-sink";
    public static final String UID_DLQ_SINK = "viewing-events-dlq-sink";

    private final FeaturesPipelineConfig config;
    private final Source<RawRecord, ?, ?> events;
    private final Source<RawRecord, ?, ?> movies;
    private final Source<RawRecord, ?, ?> deletions;
    private final Sink<UserPreferenceFeatures> featuresSink;
    private final Sink<ViewingEvent> lateSink;
    private final Sink<RejectedRecord> deadLetterSink;

    /** A pipeline without a deletion input (tests; a deployment passes {@code user-deletions}). */
    public FeaturesPipeline(FeaturesPipelineConfig config, Source<RawRecord, ?, ?> events, Source<RawRecord, ?, ?> movies,
                            Sink<UserPreferenceFeatures> featuresSink, Sink<ViewingEvent> lateSink,
                            Sink<RejectedRecord> deadLetterSink) {
        this(config, events, movies, null, featuresSink, lateSink, deadLetterSink);
    }

    /** @param deletions the {@code user-deletions} records, or {@code null} for none */
    public FeaturesPipeline(FeaturesPipelineConfig config, Source<RawRecord, ?, ?> events, Source<RawRecord, ?, ?> movies,
                            Source<RawRecord, ?, ?> deletions, Sink<UserPreferenceFeatures> featuresSink,
                            Sink<ViewingEvent> lateSink, Sink<RejectedRecord> deadLetterSink) {
        this.config = Objects.requireNonNull(config, "config");
        this.events = Objects.requireNonNull(events, "events");
        this.movies = Objects.requireNonNull(movies, "movies");
        this.deletions = deletions;
        this.featuresSink = Objects.requireNonNull(featuresSink, "featuresSink");
        this.lateSink = Objects.requireNonNull(lateSink, "lateSink");
        this.deadLetterSink = Objects.requireNonNull(deadLetterSink, "deadLetterSink");
    }

    /** Adds the job's graph to {@code env}; the caller executes it. */
    public void build(StreamExecutionEnvironment env) {
        TypeInformation<RawRecord> rawType = TypeInformation.of(RawRecord.class);

        SingleOutputStreamOperator<ViewingEvent> decoded = env
                .fromSource(events, WatermarkStrategy.noWatermarks(), "viewing-events", rawType)
                .uid(UID_EVENTS_SOURCE).name("viewing-events source")
                .process(new DecodeViewingEventFunction(config.maxRecordBytes()), TypeInformation.of(ViewingEvent.class))
                .uid(UID_DECODE_EVENTS).name("decode viewing events");
        decoded.getSideOutput(DecodeViewingEventFunction.DEAD_LETTERS)
                .sinkTo(deadLetterSink).uid(UID_DLQ_SINK).name("viewing-events-dlq sink");

        SingleOutputStreamOperator<ViewingEvent> timed = decoded
                .assignTimestampsAndWatermarks(WatermarkStrategy
                        .<ViewingEvent>forBoundedOutOfOrderness(Duration.ofMillis(config.maxOutOfOrdernessMs()))
                        .withTimestampAssigner((e, recordTimestamp) -> e.eventTime())
                        .withIdleness(Duration.ofMillis(config.idlenessMs())))
                .uid(UID_EVENT_TIME).name("event-time watermarks");

        BroadcastStream<CatalogUpdate> catalog = env
                .fromSource(movies, catalogWatermarks(config.catalogSettleMs()), "movies", rawType)
                .uid(UID_MOVIES_SOURCE).name("movies source")
                .process(new DecodeCatalogFunction(), TypeInformation.of(CatalogUpdate.class))
                .uid(UID_DECODE_MOVIES).name("decode movies")
                .broadcast(PreferenceFeaturesFunction.CATALOG);

        DataStream<UserInput> input = timed.map(UserInput::of, TypeInformation.of(UserInput.class))
                .uid(UID_EVENT_INPUT).name("viewing events as user input");
        if (deletions != null) {
            // A deletion carries no event time: its stream never holds the events' watermark back.
            input = input.union(env.fromSource(deletions, WatermarkStrategy.forGenerator(ctx -> new EndOfTime()), "user-deletions", rawType)
                    .uid(UID_DELETIONS_SOURCE).name("user-deletions source")
                    .process(new DecodeUserDeletionFunction(), TypeInformation.of(UserInput.class))
                    .uid(UID_DECODE_DELETIONS).name("decode user deletions"));
        }
        SingleOutputStreamOperator<UserPreferenceFeatures> features = input
                .keyBy(UserInput::userId, Types.STRING)
                .connect(catalog)
                .process(new PreferenceFeaturesFunction(config), TypeInformation.of(UserPreferenceFeatures.class))
                .uid(UID_FEATURES).name("user preference features");
        features.sinkTo(featuresSink).uid(UID_FEATURES_SINK).name("user-features sink");
        features.getSideOutput(PreferenceFeaturesFunction.LATE)
                .sinkTo(lateSink).uid(UID_LATE_SINK).name("viewing-events-late sink");
    }

    /**
     * The catalog's event time jumps to "the end" once the catalog has loaded, so that it never holds
     * back the events' watermark afterwards; until then it holds event time at the start, so that no
     * unknown-movie wait expires while the catalog is still being read. "Loaded" = no catalog record
     * for {@code settleMs} of processing time (a compacted topic is read in one burst at start-up).
     */
    static WatermarkStrategy<RawRecord> catalogWatermarks(long settleMs) {
        return WatermarkStrategy.forGenerator(ctx -> new CatalogWatermark(settleMs));
    }

    /** Watermarks of a stream without event time: always at the end. */
    private static final class EndOfTime implements WatermarkGenerator<RawRecord> {
        @Override
        public void onEvent(RawRecord event, long eventTimestamp, WatermarkOutput output) {
        }

        @Override
        public void onPeriodicEmit(WatermarkOutput output) {
            output.emitWatermark(new Watermark(Long.MAX_VALUE));
        }
    }

    private static final class CatalogWatermark implements WatermarkGenerator<RawRecord> {
        private final long settleMs;
        private long lastRecordAt = System.currentTimeMillis();
        private boolean loaded;

        CatalogWatermark(long settleMs) {
            this.settleMs = settleMs;
        }

        @Override
        public void onEvent(RawRecord event, long eventTimestamp, WatermarkOutput output) {
            lastRecordAt = System.currentTimeMillis();
        }

        @Override
        public void onPeriodicEmit(WatermarkOutput output) {
            if (loaded || System.currentTimeMillis() - lastRecordAt >= settleMs) {
                loaded = true;
                output.emitWatermark(new Watermark(Long.MAX_VALUE));
            }
        }
    }
}
