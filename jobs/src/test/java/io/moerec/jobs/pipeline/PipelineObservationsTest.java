package io.moerec.jobs.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.moerec.features.flink.KafkaConnectors;
import io.moerec.ingest.domain.EventType;
import io.moerec.ingest.domain.Genre;
import io.moerec.ingest.domain.RecommendationList;
import io.moerec.ingest.domain.RecommendationList.ExpertWeight;
import io.moerec.ingest.domain.RecommendationList.RecommendedItem;
import io.moerec.ingest.domain.UserPreferenceFeatures;
import io.moerec.ingest.domain.ViewingEvent;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PipelineObservationsTest {

    private static final long CUT = 1_000_000;

    private static ViewingEvent event(String id, String user, long movie, EventType type, long time) {
        return new ViewingEvent(id, user, movie, type, time, null, null, type == EventType.RATE ? 4.0 : null);
    }

    private static RecommendationList list(String user, String trigger, long... movies) {
        return new RecommendationList(user, 0, "m1", "softmax",
                Arrays.stream(movies).mapToObj(m -> new RecommendedItem(m, 1.0, List.of(new ExpertWeight(Genre.DRAMA, 1.0)))).toList(),
                trigger, 0);
    }

    private static UserPreferenceFeatures features(String user, String trigger) {
        return new UserPreferenceFeatures(user, 0, 1, new double[Genre.COUNT], 0, 0, new long[0], new long[0], new long[EventType.values().length], trigger, 0);
    }

    @Test
    void aHitCountsOnlyTheLatestListMadeBeforeTheEventAndOnlyFirstInteractions() {
        PipelineObservations o = new PipelineObservations(CUT);
        o.eventPublished(event("h1", "u", 1, EventType.PLAY, CUT - 10), 0);
        o.listPublished(list("u", "h1", 5, 6), 10);
        o.eventPublished(event("l1", "u", 5, EventType.PLAY, CUT), 100);      // in the list made after h1: hit
        o.eventPublished(event("l2", "u", 5, EventType.COMPLETE, CUT + 1), 101); // same movie again: not counted
        o.eventPublished(event("l3", "u", 7, EventType.PLAY, CUT + 2), 102);   // not in the list before it: miss
        o.listPublished(list("u", "l3", 7, 8), 200);                           // made after l3: must not count for l3
        o.eventPublished(event("l4", "u", 8, EventType.PLAY, CUT + 3), 103);   // in the list made after l3: hit
        PipelineObservations.Prequential p = o.prequential();
        assertEquals(3, p.events());
        assertEquals(2, p.modelHits());
        assertEquals(3, p.eventsWithList());
    }

    @Test
    void aFirstWatchWithoutAListOfTheUsersOwnIsMeasuredAgainstTheNonPersonalList() {
        PipelineObservations o = new PipelineObservations(CUT);
        o.eventPublished(event("n1", "new", 9, EventType.PLAY, CUT), 100);     // no list yet: 9 is non-personal, a hit
        o.eventPublished(event("n2", "new", 4, EventType.PLAY, CUT + 1), 101); // no list yet, 4 is not in it: a miss
        o.listPublished(list("new", "n2", 4, 5), 200);
        o.eventPublished(event("n3", "new", 5, EventType.PLAY, CUT + 2), 102); // in the user's own list: a hit
        o.eventPublished(event("m1", "other", 3, EventType.PLAY, CUT), 103);   // no list, not non-personal: a miss
        assertEquals(1, o.prequential().modelHits(), "without the non-personal list, only the personal hit counts");
        o.nonPersonalList(new long[] {9, 8});
        PipelineObservations.Prequential p = o.prequential();
        assertTrue(p.nonPersonalMeasured());
        assertEquals(4, p.events());
        assertEquals(2, p.modelHits());
        assertEquals(1, p.eventsWithList());
        assertEquals(1, p.hitsWithList());
        assertEquals(0.5, p.modelHitRate());
        assertEquals(1.0, p.personalHitRate());
    }

    @Test
    void mostPopularCountsEarlierFirstInteractionsAndSkipsTheUsersOwnMovies() {
        PipelineObservations o = new PipelineObservations(CUT);
        for (int u = 0; u < 3; u++) {
            o.eventPublished(event("a" + u, "v" + u, 42, EventType.PLAY, CUT - 100 + u), 0);
            o.eventPublished(event("b" + u, "v" + u, 42, EventType.PROGRESS, CUT - 50 + u), 0); // a repeat: counts once
        }
        o.eventPublished(event("c", "w", 42, EventType.PLAY, CUT), 0);   // 42 is the most popular: hit
        o.eventPublished(event("d", "v0", 43, EventType.PLAY, CUT + 1), 0); // v0 has 42 already, nothing else was watched: a miss
        PipelineObservations.Prequential p = o.prequential();
        assertEquals(2, p.events());
        assertEquals(1, p.popularHits());
        assertEquals(0, p.modelHits(), "no lists at all");
        assertEquals(0, p.eventsWithList());
    }

    @Test
    void accountingBalancesOnlyWhenEveryEventEndsOnceInOnePlace() {
        PipelineObservations o = new PipelineObservations(CUT);
        o.eventPublished(event("e1", "u", 1, EventType.PLAY, CUT), 0);
        o.eventPublished(event("e2", "u", 2, EventType.PLAY, CUT - 7_200_000), 0);
        o.invalidEventPublished("MALFORMED_JSON"); // a bad record written straight to viewing-events
        o.featuresUpdated(features("u", "e1"));
        o.lateEvent(event("e2", "u", 2, EventType.PLAY, CUT - 7_200_000));
        o.deadLetter("replay", "MALFORMED_JSON"); // the replayer's: never on viewing-events
        assertFalse(o.accounting().balanced());
        o.deadLetter(KafkaConnectors.DLQ_STAGE, "MALFORMED_JSON");
        assertTrue(o.accounting().balanced(), o.accounting().toString());
        o.featuresUpdated(features("u", "e1"));
        assertEquals(1, o.accounting().duplicateUpdates());
        assertFalse(o.accounting().balanced());
        assertEquals(Map.of("replay:MALFORMED_JSON", 1L, KafkaConnectors.DLQ_STAGE + ":MALFORMED_JSON", 1L), o.accounting().deadLettersByReason());
    }

    @Test
    void invalidRecordsCountAsPublishedAndMustBeTheFeaturesJobsDeadLettersReasonByReason() {
        PipelineObservations o = new PipelineObservations(CUT);
        o.eventPublished(event("e1", "u", 1, EventType.PLAY, CUT), 0);
        o.invalidEventPublished("MALFORMED_JSON");
        o.invalidEventPublished("MALFORMED_JSON");
        o.invalidEventPublished("KEY_MISMATCH");
        o.invalidEventPublished("EMPTY");
        o.invalidFeaturesPublished("WRONG_TYPE"); // the scoring app's input: no part of this accounting
        o.featuresUpdated(features("u", "e1"));
        PipelineObservations.Accounting a = o.accounting();
        assertEquals(5, a.events(), "every record on viewing-events, valid or not");
        assertEquals(4, a.invalid());
        assertEquals(1, o.eventsSeen(), "valid events only");
        assertFalse(a.balanced(), "nothing dead-lettered yet: " + a);

        // The right count but a wrong reason: the total balances, the reasons do not.
        o.deadLetter(KafkaConnectors.DLQ_STAGE, "MALFORMED_JSON");
        o.deadLetter(KafkaConnectors.DLQ_STAGE, "MALFORMED_JSON");
        o.deadLetter(KafkaConnectors.DLQ_STAGE, "KEY_MISMATCH");
        o.deadLetter(KafkaConnectors.DLQ_STAGE, "INVALID_ID");
        o.deadLetter("scoring", "WRONG_TYPE");
        a = o.accounting();
        assertEquals(a.events(), a.featureUpdates() + a.late() + a.deadLetters());
        assertFalse(a.invalidAreTheDeadLetters());
        assertFalse(a.balanced());

        PipelineObservations right = new PipelineObservations(CUT);
        right.eventPublished(event("e1", "u", 1, EventType.PLAY, CUT), 0);
        for (String reason : List.of("MALFORMED_JSON", "MALFORMED_JSON", "KEY_MISMATCH", "EMPTY")) {
            right.invalidEventPublished(reason);
            right.deadLetter(KafkaConnectors.DLQ_STAGE, reason);
        }
        right.deadLetter("scoring", "WRONG_TYPE");
        right.featuresUpdated(features("u", "e1"));
        a = right.accounting();
        assertTrue(a.balanced(), a.toString());
        assertEquals(Map.of("MALFORMED_JSON", 2L, "KEY_MISMATCH", 1L, "EMPTY", 1L), a.invalidByReason());
        assertEquals(a.invalidByReason(), a.featuresJobDeadLettersByReason());
        assertEquals(Map.of("WRONG_TYPE", 1L), o.invalidFeaturesByReason());
    }

    @Test
    void anInvalidRecordIsNoPartOfAnyUsersHistory() {
        PipelineObservations o = new PipelineObservations(CUT);
        o.eventPublished(event("e1", "u", 1, EventType.PLAY, CUT), 0);
        o.invalidEventPublished("KEY_MISMATCH"); // say, user u watching movie 2 under another user's key
        o.eventPublished(event("e2", "u", 3, EventType.PLAY, CUT + 1), 0);
        o.listPublished(list("u", "e2", 2, 4), 0);
        assertEquals(List.of(), o.listsWithWatchedMovies());
        assertEquals(1, o.activeUsersWithLists()[0]);
    }

    @Test
    void aListHoldingAMovieOfAnyEarlierEventIsReportedSkipsAndLateEventsIncluded() {
        PipelineObservations o = new PipelineObservations(CUT);
        o.eventPublished(event("e1", "u", 1, EventType.PLAY, CUT), 0);
        o.eventPublished(event("e2", "u", 2, EventType.SKIP, CUT + 1), 0);
        o.eventPublished(event("e3", "u", 3, EventType.PLAY, CUT - 9_000_000), 0);
        o.lateEvent(event("e3", "u", 3, EventType.PLAY, CUT - 9_000_000));
        o.eventPublished(event("e4", "u", 4, EventType.PLAY, CUT + 3), 0);
        o.listPublished(list("u", "e3", 4, 5), 0); // 4 is watched only after e3: fine
        assertTrue(o.listsWithWatchedMovies().isEmpty(), o.listsWithWatchedMovies().toString());
        o.listPublished(list("u", "e4", 9, 1, 2, 3), 0);
        assertEquals(List.of("user u, list after e4: movie 1", "user u, list after e4: movie 2", "user u, list after e4: movie 3"),
                o.listsWithWatchedMovies());
        assertEquals(Map.of("u", List.of(9L, 1L, 2L, 3L)), o.finalLists());
    }

    @Test
    void latencyRunsFromTheTriggersPublicationToTheListBeingSeenAndOnlyForLiveEvents() {
        PipelineObservations o = new PipelineObservations(CUT);
        o.eventPublished(event("h", "u", 1, EventType.PLAY, CUT - 1), 1_000);
        o.listPublished(list("u", "h", 5), 9_000); // a history event: not measured
        o.eventPublished(event("l", "u", 2, EventType.PLAY, CUT), 10_000);
        o.listPublished(list("u", "l", 5), 10_250);
        LiveSnapshot s = o.snapshot(11_000, Map.of("DRAMA", 2.0));
        assertEquals(1, s.latencySamples());
        assertEquals(250, s.latencyP50Ms(), 1);
        assertEquals(2, s.lists());
        assertEquals(1, s.liveEvents());
        assertEquals(List.of("u"), s.featured().stream().map(RecommendationList::userId).toList());
    }
}
