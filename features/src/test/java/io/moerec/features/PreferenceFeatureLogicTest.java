package io.moerec.features;

import static io.moerec.ingest.domain.Genre.ACTION;
import static io.moerec.ingest.domain.Genre.COMEDY;
import static io.moerec.ingest.domain.Genre.DRAMA;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.moerec.ingest.domain.EventType;
import io.moerec.ingest.domain.Genre;
import io.moerec.ingest.domain.GenreSet;
import io.moerec.ingest.domain.Movie;
import io.moerec.ingest.domain.UserPreferenceFeatures;
import io.moerec.ingest.domain.ViewingEvent;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class PreferenceFeatureLogicTest {

    static final long T = 1_700_000_000_000L;
    static final long DAY = 24L * 3600 * 1000;
    static final double EPS = 1e-12;

    static final Movie ACTION_MOVIE = new Movie(1, "A", 2000, GenreSet.of(ACTION));
    static final Movie DRAMA_MOVIE = new Movie(2, "D", 2000, GenreSet.of(DRAMA));
    static final Movie THREE_GENRES = new Movie(3, "ACD", 2000, GenreSet.of(ACTION, COMEDY, DRAMA));
    static final Movie NO_GENRES = new Movie(4, "none", 2000, GenreSet.EMPTY);

    final PreferenceFeatureLogic logic = new PreferenceFeatureLogic(FeatureConfig.defaults());

    static double affinity(UserPreferenceFeatures f, Genre g) {
        return f.genreAffinity()[g.ordinal()];
    }

    @Test
    void aStateOfFeatureVersion2GetsItsWatchedSetFromTheRecentList() {
        UserPreferenceState old = new UserPreferenceState();
        old.setRecentMovieIds(new long[] {7, 3, 7, 5});
        old.setRecentTimes(new long[] {4, 3, 2, 1});
        assertArrayEquals(new long[] {3, 5, 7}, PreferenceFeatureLogic.upgraded(old).getWatched());
        // A state of this version (a watched set, or nothing watched) is left as it is.
        UserPreferenceState current = old.copy();
        current.setWatched(new long[] {3, 5, 7, 9});
        assertArrayEquals(new long[] {3, 5, 7, 9}, PreferenceFeatureLogic.upgraded(current).getWatched());
        assertArrayEquals(new long[0], PreferenceFeatureLogic.upgraded(new UserPreferenceState()).getWatched());
        assertEquals(null, PreferenceFeatureLogic.upgraded(null));
    }

    @Test
    void decayMatchesHandComputedValues() {
        // 30-day half-life: 30 days halve, 60 days quarter, 10 days give 2^(-1/3).
        assertEquals(0.5, logic.decay(30 * DAY), 1e-15);
        assertEquals(0.25, logic.decay(60 * DAY), 1e-15);
        assertEquals(0.7937005259840998, logic.decay(10 * DAY), 1e-15);
        assertEquals(1.0, logic.decay(0), 0.0);

        UserPreferenceState s = logic.apply(null, ViewingEvent.complete("e1", "u", 1, T), ACTION_MOVIE);
        ViewingEvent play = ViewingEvent.play("e2", "u", 2, T + 30 * DAY);
        s = logic.apply(s, play, DRAMA_MOVIE);
        UserPreferenceFeatures f = logic.features(s, play);
        assertEquals(T + 30 * DAY, f.asOf());
        assertEquals(0.5, affinity(f, ACTION), EPS);   // COMPLETE 1.0 halved
        assertEquals(0.2, affinity(f, DRAMA), EPS);    // PLAY 0.2, fresh
        assertEquals(1.5, f.activity(), EPS);          // 1 · 0.5 + 1
        assertEquals(T, f.firstEventTime());

        // Ten more days of a SKIP on the action movie: 0.5 · 2^(-1/3) - 0.5.
        ViewingEvent skip = ViewingEvent.skip("e3", "u", 1, T + 40 * DAY);
        s = logic.apply(s, skip, ACTION_MOVIE);
        f = logic.features(s, skip);
        assertEquals(0.5 * 0.7937005259840998 - 0.5, affinity(f, ACTION), EPS);
        assertEquals(0.2 * 0.7937005259840998, affinity(f, DRAMA), EPS);
        assertEquals(1.5 * 0.7937005259840998 + 1, f.activity(), EPS);
    }

    @Test
    void engagementIsSplitEquallyOverTheMoviesGenres() {
        ViewingEvent e = ViewingEvent.complete("e1", "u", 3, T);
        UserPreferenceFeatures f = logic.features(logic.apply(null, e, THREE_GENRES), e);
        assertEquals(1.0 / 3, affinity(f, ACTION), EPS);
        assertEquals(1.0 / 3, affinity(f, COMEDY), EPS);
        assertEquals(1.0 / 3, affinity(f, DRAMA), EPS);
        double total = 0;
        for (double a : f.genreAffinity()) {
            total += a;
        }
        assertEquals(1.0, total, EPS);
        assertEquals(1.0 / 3, f.genreAffinityNormalised()[ACTION.ordinal()], EPS);
    }

    @Test
    void movieWithoutGenresOrUnknownChangesEverythingButAffinity() {
        ViewingEvent e1 = ViewingEvent.complete("e1", "u", 4, T);
        ViewingEvent e2 = ViewingEvent.play("e2", "u", 99, T + 1);
        UserPreferenceState s = logic.apply(null, e1, NO_GENRES);
        s = logic.apply(s, e2, null);
        UserPreferenceFeatures f = logic.features(s, e2);
        assertArrayEquals(new double[Genre.COUNT], f.genreAffinity(), 0.0);
        assertArrayEquals(new long[] {99, 4}, f.recentWatches());
        assertEquals(1, f.eventCounts()[EventType.COMPLETE.ordinal()]);
        assertEquals(1, f.eventCounts()[EventType.PLAY.ordinal()]);
        assertTrue(f.activity() > 1.99);
    }

    @Test
    void typeWeightsAreOrderedCompleteProgressPlaySkip() {
        double complete = logic.engagementWeight(ViewingEvent.complete("e", "u", 1, T));
        double half = logic.engagementWeight(ViewingEvent.progress("e", "u", 1, T, 3000, 6000));
        double none = logic.engagementWeight(ViewingEvent.progress("e", "u", 1, T, 0, 6000));
        double over = logic.engagementWeight(ViewingEvent.progress("e", "u", 1, T, 9000, 6000));
        double play = logic.engagementWeight(ViewingEvent.play("e", "u", 1, T));
        double skip = logic.engagementWeight(ViewingEvent.skip("e", "u", 1, T));
        assertEquals(1.0, complete, 0.0);
        assertEquals(0.2 + 0.5 * (0.8 - 0.2), half, EPS);
        assertEquals(0.2, none, EPS);           // PROGRESS at 0% = PLAY
        assertEquals(0.8, over, EPS);           // fraction clamped at 1
        assertEquals(0.2, play, 0.0);
        assertEquals(-0.5, skip, 0.0);
        assertTrue(complete > over && over > half && half > play && play > 0 && skip < 0);
    }

    @Test
    void ratingsAreScaledAroundTheUsersCurrentMean() {
        // Prior mean 3 with weight 1. One 5-star: mean (3 + 5) / 2 = 4, affinity 0.5 · (5 - 4) = 0.5.
        ViewingEvent r1 = ViewingEvent.rate("r1", "u", 1, T, 5.0);
        UserPreferenceState s = logic.apply(null, r1, ACTION_MOVIE);
        assertEquals(4.0, logic.meanRating(s), EPS);
        assertEquals(0.5, affinity(logic.features(s, r1), ACTION), EPS);
        // A 1-star on drama: mean (3 + 6) / 3 = 3; action 0.5 · (5 - 3) = 1, drama 0.5 · (1 - 3) = -1.
        ViewingEvent r2 = ViewingEvent.rate("r2", "u", 2, T, 1.0);
        s = logic.apply(s, r2, DRAMA_MOVIE);
        UserPreferenceFeatures f = logic.features(s, r2);
        assertEquals(1.0, affinity(f, ACTION), EPS);
        assertEquals(-1.0, affinity(f, DRAMA), EPS);
        // Decay applies to ratings as to everything else: 30 days later both halve.
        ViewingEvent later = ViewingEvent.play("p", "u", 4, T + 30 * DAY);
        s = logic.apply(s, later, NO_GENRES);
        f = logic.features(s, later);
        assertEquals(0.5, affinity(f, ACTION), EPS);
        assertEquals(-0.5, affinity(f, DRAMA), EPS);
        assertEquals(2, f.eventCounts()[EventType.RATE.ordinal()]);
    }

    @Test
    void recentWatchesAreBoundedDistinctAndMostRecentFirst() {
        PreferenceFeatureLogic small = new PreferenceFeatureLogic(FeatureConfig.defaults().withRecentWatchesSize(3));
        UserPreferenceState s = null;
        for (int m = 1; m <= 4; m++) {
            s = small.apply(s, ViewingEvent.play("p" + m, "u", m, T + m), null);
        }
        assertArrayEquals(new long[] {4, 3, 2}, s.getRecentMovieIds());
        s = small.apply(s, ViewingEvent.complete("c2", "u", 2, T + 10), null);    // re-watch moves to front
        assertArrayEquals(new long[] {2, 4, 3}, s.getRecentMovieIds());
        s = small.apply(s, ViewingEvent.skip("s9", "u", 9, T + 11), null);        // a skip is not a watch
        assertArrayEquals(new long[] {2, 4, 3}, s.getRecentMovieIds());
        s = small.apply(s, ViewingEvent.play("p5", "u", 5, T + 3), null);         // older than all: evicted at once
        assertArrayEquals(new long[] {2, 4, 3}, s.getRecentMovieIds());
        s = small.apply(s, ViewingEvent.play("p6", "u", 6, T + 5), null);         // out of order, fits in the middle
        assertArrayEquals(new long[] {2, 6, 4}, s.getRecentMovieIds());
        s = small.apply(s, ViewingEvent.play("p4", "u", 4, T + 1), null);         // older re-watch: no change
        assertArrayEquals(new long[] {2, 6, 4}, s.getRecentMovieIds());
        assertArrayEquals(new long[] {T + 10, T + 5, T + 4}, s.getRecentTimes());
        s = small.apply(s, ViewingEvent.play("p7", "u", 7, T + 5), null);         // tie on time: smaller id first
        assertArrayEquals(new long[] {2, 6, 7}, s.getRecentMovieIds());
    }

    @Test
    void aBurstOfWatchesInOneSecondShowsEveryMovieInItsOwnUpdateAndEndsTheSameInAnyOrder() {
        PreferenceFeatureLogic small = new PreferenceFeatureLogic(FeatureConfig.defaults().withRecentWatchesSize(3));
        List<ViewingEvent> burst = new ArrayList<>();
        for (int m = 100; m > 90; m--) { // larger ids first: with a plain bound they would never be listed
            burst.add(ViewingEvent.rate("r" + m, "u", m, T + 7, 4.0));
        }
        UserPreferenceState s = small.apply(null, ViewingEvent.play("p1", "u", 1, T), null);
        for (ViewingEvent e : burst) {
            s = small.apply(s, e, null);
            long id = e.movieId();
            assertTrue(Arrays.stream(s.getRecentMovieIds()).anyMatch(x -> x == id), "movie " + id + " is in its own update");
        }
        assertEquals(10, s.getRecentMovieIds().length, "the whole newest second stays");
        s = small.apply(s, ViewingEvent.play("p2", "u", 2, T + 8), null);         // a newer second: back to the bound
        assertArrayEquals(new long[] {2, 91, 92}, s.getRecentMovieIds());
        Collections.shuffle(burst, new Random(3));
        UserPreferenceState t = small.apply(null, ViewingEvent.play("p2", "u", 2, T + 8), null);
        for (ViewingEvent e : burst) {
            t = small.apply(t, e, null);
        }
        t = small.apply(t, ViewingEvent.play("p1", "u", 1, T), null);
        assertArrayEquals(s.getRecentMovieIds(), t.getRecentMovieIds());
        PreferenceFeatureLogic tiny = new PreferenceFeatureLogic(FeatureConfig.defaults().withRecentWatchesSize(1));
        UserPreferenceState capped = null;
        for (ViewingEvent e : burst) {
            capped = tiny.apply(capped, e, null);
        }
        assertEquals(PreferenceFeatureLogic.TIED_FACTOR, capped.getRecentMovieIds().length, "bounded even in a burst");
    }

    @Test
    void outOfOrderEventsDecayFromTheirOwnTimestamp() {
        // A COMPLETE 30 days before the latest event arrives last: it counts half.
        PreferenceFeatureLogic lenient = new PreferenceFeatureLogic(
                FeatureConfig.defaults().withAllowedLatenessMs(60 * DAY));
        ViewingEvent newer = ViewingEvent.play("e2", "u", 2, T + 30 * DAY);
        ViewingEvent older = ViewingEvent.complete("e1", "u", 1, T);
        UserPreferenceState s = lenient.apply(null, newer, DRAMA_MOVIE);
        assertFalse(lenient.isLate(s, older));
        s = lenient.apply(s, older, ACTION_MOVIE);
        UserPreferenceFeatures f = lenient.features(s, older);
        assertEquals(T + 30 * DAY, f.asOf());       // asOf never goes back
        assertEquals(T, f.firstEventTime());
        assertEquals(0.5, affinity(f, ACTION), EPS);
        assertEquals(0.2, affinity(f, DRAMA), EPS);
        assertEquals(1.5, f.activity(), EPS);
        assertEquals(older.eventId(), f.triggerEventId());
        assertArrayEquals(new long[] {2, 1}, f.recentWatches());
    }

    @Test
    void finalStateDoesNotDependOnArrivalOrderUpToRounding() {
        PreferenceFeatureLogic lenient = new PreferenceFeatureLogic(
                FeatureConfig.defaults().withAllowedLatenessMs(365 * DAY).withRecentWatchesSize(5));
        Map<Long, Movie> catalog = ViewingLogFixture.catalog(30, 3);
        List<ViewingEvent> events = ViewingLogFixture.events(1, 200, 30, 90 * DAY, 7);
        UserPreferenceState reference = replayOne(lenient, events, catalog);
        ViewingEvent last = events.get(events.size() - 1);
        UserPreferenceFeatures expected = lenient.features(reference, last);
        for (long seed = 1; seed <= 5; seed++) {
            List<ViewingEvent> shuffled = new ArrayList<>(events);
            Collections.shuffle(shuffled, new Random(seed));
            UserPreferenceState s = replayOne(lenient, shuffled, catalog);
            UserPreferenceFeatures f = lenient.features(s, last);
            assertEquals(expected.asOf(), f.asOf());
            assertEquals(expected.firstEventTime(), f.firstEventTime());
            assertArrayEquals(expected.eventCounts(), f.eventCounts());
            assertArrayEquals(expected.recentWatches(), f.recentWatches());
            assertArrayEquals(reference.getRecentTimes(), s.getRecentTimes());
            assertArrayEquals(expected.genreAffinity(), f.genreAffinity(), 1e-9);
            assertEquals(expected.activity(), f.activity(), 1e-9);
        }
    }

    @Test
    void sameEventsInSameOrderGiveBitIdenticalFeatures() {
        Map<Long, Movie> catalog = ViewingLogFixture.catalog(30, 3);
        List<ViewingEvent> events = ViewingLogFixture.events(1, 500, 30, 400 * DAY, 11);
        List<UserPreferenceFeatures> a = new ArrayList<>();
        List<UserPreferenceFeatures> b = new ArrayList<>();
        logic.replay(events, catalog::get, a::add);
        logic.replay(events, catalog::get, b::add);
        assertEquals(a.size(), b.size());
        assertEquals(a, b); // record equality compares doubles bit for bit
    }

    @Test
    void lateEventsAreRecognisedAndSkippedByReplay() {
        ViewingEvent first = ViewingEvent.play("e1", "u", 1, T + 2 * 3_600_000L);
        ViewingEvent withinLateness = ViewingEvent.play("e2", "u", 2, T + 3_600_000L);
        ViewingEvent late = ViewingEvent.play("e3", "u", 3, T + 3_600_000L - 1);
        UserPreferenceState s = logic.apply(null, first, null);
        assertFalse(logic.isLate(null, late));
        assertFalse(logic.isLate(s, withinLateness));
        assertTrue(logic.isLate(s, late));
        List<UserPreferenceFeatures> out = new ArrayList<>();
        Map<String, UserPreferenceState> states = logic.replay(List.of(first, withinLateness, late), m -> null, out::add);
        assertEquals(2, out.size());
        assertArrayEquals(new long[] {1, 2}, states.get("u").getRecentMovieIds());
    }

    @Test
    void anIdleUserStartsAfreshAfterTheTtl() {
        ViewingEvent e1 = ViewingEvent.complete("e1", "u", 1, T);
        UserPreferenceState s = logic.apply(null, e1, ACTION_MOVIE);
        assertEquals(T + 180 * DAY, logic.expiryTime(s));
        ViewingEvent justBefore = ViewingEvent.play("e2", "u", 2, T + 180 * DAY - 1);
        UserPreferenceState copy = s.copy();
        assertSame(copy, logic.apply(copy, justBefore, DRAMA_MOVIE)); // updated in place, not expired
        assertFalse(logic.isExpired(s, justBefore.eventTime()));
        ViewingEvent after = ViewingEvent.play("e3", "u", 2, T + 180 * DAY);
        UserPreferenceState fresh = logic.apply(s, after, DRAMA_MOVIE);
        assertNotSame(s, fresh);
        UserPreferenceFeatures f = logic.features(fresh, after);
        assertEquals(T + 180 * DAY, f.firstEventTime());
        assertEquals(0.0, affinity(f, ACTION), 0.0);
        assertEquals(1, f.eventCounts()[EventType.PLAY.ordinal()]);
        assertEquals(0, f.eventCounts()[EventType.COMPLETE.ordinal()]);
        // Kept across the expiry: what the user watched, and the recent list.
        assertArrayEquals(new long[] {1, 2}, f.watched());
        assertArrayEquals(new long[] {2, 1}, f.recentWatches());
    }

    @Test
    void theWatchedSetHoldsEveryEventsMovieSortedAndBounded() {
        UserPreferenceState s = logic.apply(null, ViewingEvent.skip("e1", "u", 9, T), ACTION_MOVIE);
        s = logic.apply(s, ViewingEvent.rate("e2", "u", 3, T + 1, 2.0), ACTION_MOVIE);
        s = logic.noteWatched(s, 5);
        long[] before = s.getWatched();
        s = logic.apply(s, ViewingEvent.play("e3", "u", 3, T + 2), ACTION_MOVIE);
        assertSame(before, s.getWatched(), "a movie watched again leaves the set as it is");
        assertArrayEquals(new long[] {3, 5, 9}, logic.features(s, "u", "e3", T + 2).watched());
        assertArrayEquals(new long[] {3}, s.getRecentMovieIds(), "a skip is no recent watch");

        long[] full = new long[UserPreferenceFeatures.MAX_WATCHED];
        for (int i = 0; i < full.length; i++) {
            full[i] = 10 + 2L * i;
        }
        long[] more = PreferenceFeatureLogic.withWatched(full, 13);
        assertEquals(full.length, more.length);
        assertEquals(12, more[0], "the lowest id is dropped");
        assertEquals(13, more[1]);
        assertSame(full, PreferenceFeatureLogic.withWatched(full, 5), "below every kept id: nothing changes");
        assertEquals(full[full.length - 1] + 1, PreferenceFeatureLogic.withWatched(full, full[full.length - 1] + 1)[full.length - 1]);
    }

    @Test
    void featuresDoNotShareArraysWithTheState() {
        ViewingEvent e1 = ViewingEvent.complete("e1", "u", 1, T);
        UserPreferenceState s = logic.apply(null, e1, ACTION_MOVIE);
        UserPreferenceFeatures f = logic.features(s, e1);
        logic.apply(s, ViewingEvent.complete("e2", "u", 2, T + 1), DRAMA_MOVIE);
        assertArrayEquals(new long[] {1}, f.recentWatches());
        assertEquals(1, f.eventCounts()[EventType.COMPLETE.ordinal()]);
        assertThrows(IllegalArgumentException.class, () -> logic.features(new UserPreferenceState(), e1));
    }

    static UserPreferenceState replayOne(PreferenceFeatureLogic l, List<ViewingEvent> events, Map<Long, Movie> catalog) {
        UserPreferenceState s = null;
        for (ViewingEvent e : events) {
            assertFalse(l.isLate(s, e));
            s = l.apply(s, e, catalog.get(e.movieId()));
        }
        return s;
    }
}
