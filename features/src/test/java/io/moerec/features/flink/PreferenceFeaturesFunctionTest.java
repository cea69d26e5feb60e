package io.moerec.features.flink;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.moerec.features.FeatureConfig;
import io.moerec.features.PreferenceFeatureLogic;
import io.moerec.ingest.domain.EventType;
import io.moerec.ingest.domain.Genre;
import io.moerec.ingest.domain.GenreSet;
import io.moerec.ingest.domain.Movie;
import io.moerec.ingest.domain.UserPreferenceFeatures;
import io.moerec.ingest.domain.ViewingEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.state.heap.HeapKeyedStateBackend;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The keyed operator on Flink's broadcast harness: one update per applied event equal to the pure
 * logic, late events to the side output, catalog updates applied to buffered events, state and
 * timers gone after the event-time TTL, and the optional rate limit.
 */
class PreferenceFeaturesFunctionTest {

    static final long T = 1_700_000_000_000L;
    static final long MIN = 60_000L;
    static final long DAY = 24 * 60 * MIN;

    static final Movie ACTION = new Movie(1, "A", 2000, GenreSet.of(Genre.ACTION));
    static final Movie DRAMA = new Movie(2, "D", 2000, GenreSet.of(Genre.DRAMA));
    static final Movie COMEDY = new Movie(7, "C", 2000, GenreSet.of(Genre.COMEDY));

    final FeaturesPipelineConfig config = FeaturesPipelineConfig.defaults();
    final PreferenceFeatureLogic logic = new PreferenceFeatureLogic(config.features());
    KeyedBroadcastOperatorTestHarness<String, UserInput, CatalogUpdate, UserPreferenceFeatures> harness;

    KeyedBroadcastOperatorTestHarness<String, UserInput, CatalogUpdate, UserPreferenceFeatures> open(
            FeaturesPipelineConfig c, Movie... catalog) throws Exception {
        harness = ProcessFunctionTestHarnesses.forKeyedBroadcastProcessFunction(
                new PreferenceFeaturesFunction(c), UserInput::userId, Types.STRING, PreferenceFeaturesFunction.CATALOG);
        for (Movie m : catalog) {
            harness.processBroadcastElement(CatalogUpdate.of(m), 0);
        }
        harness.processBroadcastWatermark(Long.MAX_VALUE); // as the pipeline's loaded catalog does
        return harness;
    }

    @AfterEach
    void close() throws Exception {
        if (harness != null) {
            harness.close();
        }
    }

    void send(ViewingEvent e) throws Exception {
        harness.processElement(UserInput.of(e), e.eventTime());
    }

    int keyedStateEntries() {
        AbstractStreamOperator<?> op = (AbstractStreamOperator<?>) harness.getTwoInputOperator();
        return ((HeapKeyedStateBackend<?>) op.getKeyedStateBackend()).numKeyValueStateEntries();
    }

    static double affinity(UserPreferenceFeatures f, Genre g) {
        return f.genreAffinity()[g.ordinal()];
    }

    @Test
    void emitsOneUpdatePerEventEqualToThePureLogic() throws Exception {
        open(config, ACTION, DRAMA);
        List<ViewingEvent> events = List.of(
                ViewingEvent.play("e1", "u1", 1, T),
                ViewingEvent.complete("e2", "u1", 1, T + MIN),
                ViewingEvent.rate("e3", "u2", 2, T + 2 * MIN, 4.5),
                ViewingEvent.skip("e4", "u1", 2, T + 3 * MIN),
                ViewingEvent.progress("e5", "u1", 2, T + 2 * MIN, 600, 1200)); // out of order, within lateness
        for (ViewingEvent e : events) {
            send(e);
        }
        List<UserPreferenceFeatures> expected = new ArrayList<>();
        Map<Long, Movie> catalog = Map.of(1L, ACTION, 2L, DRAMA);
        logic.replay(events, catalog::get, expected::add);
        assertEquals(expected, harness.extractOutputValues());
        assertEquals(0, harness.getSideOutput(PreferenceFeaturesFunction.LATE) == null ? 0
                : harness.getSideOutput(PreferenceFeaturesFunction.LATE).size());
    }

    @Test
    void lateEventsGoToTheSideOutputAndChangeNothing() throws Exception {
        open(config, ACTION);
        send(ViewingEvent.complete("e1", "u1", 1, T + 2 * 3_600_000L));
        ViewingEvent late = ViewingEvent.play("late", "u1", 1, T);
        send(late);
        send(ViewingEvent.play("other-user", "u2", 1, T)); // lateness is per user
        assertEquals(2, harness.extractOutputValues().size());
        List<ViewingEvent> sideOutput = new ArrayList<>();
        for (StreamRecord<ViewingEvent> r : harness.getSideOutput(PreferenceFeaturesFunction.LATE)) {
            sideOutput.add(r.getValue());
        }
        assertEquals(List.of(late), sideOutput);
    }

    @Test
    void bufferedUnknownMovieEventIsAppliedOnceTheCatalogHasIt() throws Exception {
        open(config, ACTION);
        send(ViewingEvent.complete("e1", "u1", 7, T));           // movie 7 unknown: buffered, nothing emitted
        assertEquals(0, harness.extractOutputValues().size());
        harness.processBroadcastElement(CatalogUpdate.of(COMEDY), T);
        send(ViewingEvent.play("e2", "u1", 1, T + MIN));          // next event applies the buffered one first
        List<UserPreferenceFeatures> out = harness.extractOutputValues();
        assertEquals(2, out.size());
        assertEquals("e1", out.get(0).triggerEventId());
        UserPreferenceFeatures last = out.get(1);
        assertEquals(1.0 * logic.decay(MIN), affinity(last, Genre.COMEDY), 1e-12);
        assertEquals(0.2, affinity(last, Genre.ACTION), 1e-12);
        assertArrayEquals(new long[] {1, 7}, last.recentWatches());
    }

    @Test
    void anOldEventIsJudgedLateAgainstTheBufferedEventsItsMovieArrivalReleased() throws Exception {
        open(config, ACTION);
        send(ViewingEvent.complete("e1", "u1", 7, T + 2 * 3_600_000L)); // movie 7 unknown: buffered
        harness.processBroadcastElement(CatalogUpdate.of(COMEDY), T);
        ViewingEvent late = ViewingEvent.play("late", "u1", 1, T);       // two hours older than e1
        send(late);
        // e1 is applied first, so the old event is late, as it would be had the catalog been complete.
        assertEquals(List.of("e1"), harness.extractOutputValues().stream().map(UserPreferenceFeatures::triggerEventId).toList());
        assertEquals(List.of(late), harness.getSideOutput(PreferenceFeaturesFunction.LATE).stream().map(StreamRecord::getValue).toList());
    }

    @Test
    void bufferedEventIsAppliedByItsTimerWithOrWithoutTheMovie() throws Exception {
        open(config);
        send(ViewingEvent.complete("e1", "u1", 7, T));
        send(ViewingEvent.complete("e2", "u1", 8, T + MIN));
        harness.processBroadcastElement(CatalogUpdate.of(COMEDY), T);
        harness.processWatermark(T + config.unknownMovieMaxWaitMs() + MIN); // both waits are over
        List<UserPreferenceFeatures> out = harness.extractOutputValues();
        assertEquals(2, out.size());
        UserPreferenceFeatures last = out.get(1);
        assertEquals(logic.decay(MIN), affinity(last, Genre.COMEDY), 1e-12); // movie 7 known by then
        assertEquals(2, last.eventCounts()[EventType.COMPLETE.ordinal()]);    // movie 8 applied without genres
        assertArrayEquals(new long[] {8, 7}, last.recentWatches());
    }

    @Test
    void afterTheEventTimeTtlOnlyTheWatchedSetAndRecentListStayAndNoTimer() throws Exception {
        open(config, ACTION);
        send(ViewingEvent.complete("e1", "u1", 1, T));
        send(ViewingEvent.complete("e2", "u2", 1, T + 100 * DAY));
        assertTrue(keyedStateEntries() >= 2);
        long ttl = config.features().stateTtlMs();

        harness.processWatermark(T + ttl - 1);
        assertEquals(2, harness.numEventTimeTimers());
        harness.processWatermark(T + ttl);                        // u1 expires, u2 does not
        assertEquals(1, harness.numEventTimeTimers());
        assertEquals(3, keyedStateEntries());                     // u1's kept watched set; u2's state and timer time

        send(ViewingEvent.play("e3", "u2", 1, T + 150 * DAY));    // u2 active again: its timer moves on
        harness.processWatermark(T + 100 * DAY + ttl);            // the old timer fires, re-registers
        assertEquals(1, harness.numEventTimeTimers());
        harness.processWatermark(T + 150 * DAY + ttl);
        assertEquals(2, keyedStateEntries());                     // two watched sets, nothing else
        assertEquals(0, harness.numEventTimeTimers());
        assertEquals(0, tombstones().size(), "idle is not deleted");
    }

    @Test
    void aUserIdleBeyondTheTtlComesBackWithTheWholeWatchedSetAndNoTombstoneInBetween() throws Exception {
        open(config, ACTION, DRAMA, COMEDY);
        long ttl = config.features().stateTtlMs();
        send(ViewingEvent.complete("e1", "u1", 1, T));
        send(ViewingEvent.skip("e2", "u1", 2, T + DAY));
        send(ViewingEvent.complete("e3", "u2", 2, T + 100 * DAY));
        assertEquals(3, harness.extractOutputValues().size());
        assertArrayEquals(new long[] {1, 2}, harness.extractOutputValues().get(1).watched());

        harness.processWatermark(T + DAY + ttl + 10 * DAY);        // u1 expires, u2 does not
        assertEquals(3, harness.extractOutputValues().size(), "an expiry emits nothing");
        assertEquals(1, harness.numEventTimeTimers());

        // u1 comes back: fresh feature values, but the watched set and the recent list are kept.
        ViewingEvent back = ViewingEvent.play("e4", "u1", 7, T + DAY + ttl + 20 * DAY);
        send(back);
        List<UserPreferenceFeatures> all = harness.extractOutputValues();
        UserPreferenceFeatures fresh = all.get(all.size() - 1);
        assertEquals(1, fresh.eventCounts()[EventType.PLAY.ordinal()]);
        assertEquals(0, fresh.eventCounts()[EventType.COMPLETE.ordinal()]);
        assertEquals(back.eventTime(), fresh.firstEventTime());
        assertArrayEquals(new long[] {7, 1}, fresh.recentWatches());
        assertArrayEquals(new long[] {1, 2, 7}, fresh.watched());
        assertEquals(2, harness.numEventTimeTimers(), "the returning user has a TTL timer again");
        // The same as the pure logic, which expires a state the same way.
        List<UserPreferenceFeatures> expected = new ArrayList<>();
        logic.replay(List.of(ViewingEvent.complete("e1", "u1", 1, T), ViewingEvent.skip("e2", "u1", 2, T + DAY), back),
                Map.of(1L, ACTION, 2L, DRAMA, 7L, COMEDY)::get, expected::add);
        assertEquals(expected.get(2), fresh);
        assertEquals(0, tombstones().size());
    }

    @Test
    void lateAndBufferedEventsJoinTheWatchedSetAtOnce() throws Exception {
        open(config, ACTION);
        send(ViewingEvent.complete("e1", "u1", 1, T + 2 * 3_600_000L));
        send(ViewingEvent.play("late", "u1", 5, T));               // late: not applied, but watched
        send(ViewingEvent.complete("e2", "u1", 9, T + 3 * 3_600_000L)); // movie 9 unknown: buffered
        send(ViewingEvent.play("e3", "u1", 1, T + 4 * 3_600_000L));
        List<UserPreferenceFeatures> out = harness.extractOutputValues();
        assertEquals(2, out.size());
        assertArrayEquals(new long[] {1, 5, 9}, out.get(1).watched());
        assertArrayEquals(new long[] {1}, out.get(1).recentWatches());
    }

    @Test
    void aDeletionRequestClearsEveryStateAndTimerOfTheUserAndEmitsOneTombstone() throws Exception {
        open(config.withEmitMinIntervalMs(10 * MIN), ACTION);
        send(ViewingEvent.complete("e1", "u1", 1, T));              // emitted; TTL timer
        send(ViewingEvent.play("e2", "u1", 1, T + MIN));            // held back: emission timer
        send(ViewingEvent.complete("e3", "u1", 7, T + 2 * MIN));    // unknown movie: buffered, its timer
        send(ViewingEvent.complete("e4", "u2", 1, T));              // another user, untouched
        assertEquals(4, harness.numEventTimeTimers());
        int before = keyedStateEntries();

        harness.processElement(UserInput.deletion("u1"), T + 3 * MIN);
        assertEquals(List.of(UserPreferenceFeatures.tombstone("u1", T + 3 * MIN)), tombstones());
        assertEquals(1, harness.numEventTimeTimers(), "only u2's TTL timer is left");
        assertTrue(keyedStateEntries() < before);
        harness.processWatermark(T + config.features().stateTtlMs() - 1);
        assertEquals(1, tombstones().size(), "nothing of u1 fires later");
        int outputs = harness.extractOutputValues().size();

        // u1 comes back: from nothing, the deleted watches included.
        send(ViewingEvent.play("e5", "u1", 1, T + 200 * DAY));
        List<UserPreferenceFeatures> out = harness.extractOutputValues();
        assertEquals(outputs + 1, out.size());
        assertArrayEquals(new long[] {1}, out.get(out.size() - 1).watched());
        assertEquals(1, out.get(out.size() - 1).eventCounts()[EventType.PLAY.ordinal()]);

        // A deletion of a user never seen still tells downstream (the scoring app ignores what it does not know).
        harness.processElement(UserInput.deletion("nobody"), T + 200 * DAY);
        assertEquals(2, tombstones().size());
    }

    @Test
    void theEndOfInputWatermarkExpiresNobody() throws Exception {
        open(config, ACTION);
        send(ViewingEvent.complete("e1", "u1", 1, T));
        harness.processWatermark(Long.MAX_VALUE);                  // a bounded source ends / stop --drain
        assertEquals(0, tombstones().size());
        assertEquals(1, harness.extractOutputValues().size());
        assertTrue(keyedStateEntries() >= 1);
    }

    @Test
    void theFeaturesSerializerWritesATombstoneAsANullValueAndFeaturesInTheBinaryForm() throws Exception {
        KafkaConnectors.FeaturesSerializer s = new KafkaConnectors.FeaturesSerializer("user-features");
        var record = s.serialize(UserPreferenceFeatures.tombstone("u1", T), null, T);
        assertEquals("user-features", record.topic());
        assertArrayEquals("u1".getBytes(java.nio.charset.StandardCharsets.UTF_8), record.key());
        assertEquals(null, record.value());
        ViewingEvent e1 = ViewingEvent.play("e1", "u1", 1, T);
        UserPreferenceFeatures real = logic.features(logic.apply(null, e1, ACTION), e1);
        byte[] value = s.serialize(real, null, T).value();
        assertEquals(2, value[0], "the binary form's format byte");
        assertEquals(real, new io.moerec.ingest.json.UserFeaturesCodec().decode(value));
    }

    List<UserPreferenceFeatures> tombstones() {
        return harness.extractOutputValues().stream().filter(UserPreferenceFeatures::isTombstone).toList();
    }

    @Test
    void rateLimitHoldsUpdatesBackAndAlwaysEmitsTheLast() throws Exception {
        open(config.withEmitMinIntervalMs(10 * MIN), ACTION);
        send(ViewingEvent.play("e1", "u1", 1, T));
        send(ViewingEvent.play("e2", "u1", 1, T + MIN));
        send(ViewingEvent.complete("e3", "u1", 1, T + 2 * MIN));
        assertEquals(1, harness.extractOutputValues().size());
        harness.processWatermark(T + 10 * MIN);
        List<UserPreferenceFeatures> out = harness.extractOutputValues();
        assertEquals(2, out.size());
        assertEquals("e3", out.get(1).triggerEventId());
        assertEquals(3, out.get(1).eventCounts()[EventType.PLAY.ordinal()] + out.get(1).eventCounts()[EventType.COMPLETE.ordinal()]);
        send(ViewingEvent.play("e4", "u1", 1, T + 21 * MIN));     // the interval has passed: emitted at once
        assertEquals(3, harness.extractOutputValues().size());
    }

    @Test
    void catalogDeletionMakesAMovieUnknownAgain() throws Exception {
        FeaturesPipelineConfig noBuffer = config.withUnknownMovie(0, 0);
        open(noBuffer, ACTION);
        harness.processBroadcastElement(CatalogUpdate.deletion(1), T);
        send(ViewingEvent.complete("e1", "u1", 1, T));
        UserPreferenceFeatures f = harness.extractOutputValues().get(0);
        assertEquals(0.0, affinity(f, Genre.ACTION), 0.0);
        assertEquals(1, f.eventCounts()[EventType.COMPLETE.ordinal()]);
    }

    @Test
    void configurationFromKeys() {
        FeaturesPipelineConfig c = FeaturesPipelineConfig.fromMap(Map.of(
                FeaturesPipelineConfig.EMIT_MIN_INTERVAL_MS, "1000", FeatureConfig.HALF_LIFE_MS, "5000"));
        assertEquals(1000, c.emitMinIntervalMs());
        assertEquals(5000, c.features().halfLifeMs());
        assertEquals(c, FeaturesPipelineConfig.fromMap(c.toMap()));
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> FeaturesPipelineConfig.fromMap(Map.of(FeaturesPipelineConfig.IDLENESS_MS, "0")));
        assertTrue(e.getMessage().contains(FeaturesPipelineConfig.IDLENESS_MS));
    }
}
