package io.moerec.jobs.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.moerec.ingest.domain.EventType;
import io.moerec.ingest.domain.Movie;
import io.moerec.ingest.domain.ViewingEvent;
import io.moerec.ingest.source.DataSet;
import io.moerec.ingest.source.Parsed;
import io.moerec.ingest.source.RecordStream;
import io.moerec.jobs.pipeline.Delivery;
import io.moerec.jobs.pipeline.LivePipeline;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

/** The benchmark's pure pieces: phase planning, probes' parsing, latency summary and report rendering. */
class BenchPureTest {

    @Test
    void phasePlanTakesRateTimesDurationThenTheRestAndKeepsTiesTogether() {
        long[] times = {10, 11, 12, 13, 13, 13, 14, 15, 16, 17};
        OptionalLong noCap = OptionalLong.empty();
        PhasePlan byDuration = PhasePlan.of(times, 2, 0, OptionalDouble.of(2), noCap);
        assertEquals(new PhasePlan(10, 10, 0, 13, 3, Long.MAX_VALUE, 7), byDuration, "2 ev/s x 2 s = 4 wanted; the 13s go together to phase 2");
        PhasePlan half = PhasePlan.of(times, 1000, 0, OptionalDouble.empty(), noCap);
        assertEquals(new PhasePlan(10, 10, 0, 13, 3, Long.MAX_VALUE, 7), half, "half = 5 falls inside the tie at 13");
        PhasePlan six = PhasePlan.of(times, 3, 0, OptionalDouble.of(2), noCap);
        assertEquals(new PhasePlan(10, 10, 0, 14, 6, Long.MAX_VALUE, 4), six);
        PhasePlan capped = PhasePlan.of(times, 2, 0, OptionalDouble.of(2), OptionalLong.of(2));
        assertEquals(new PhasePlan(10, 10, 0, 13, 3, 14, 3), capped, "2 load events end at 14; ties at 13 make them 3");
        PhasePlan all = PhasePlan.of(times, 1000, 0, OptionalDouble.of(60), noCap);
        assertEquals(new PhasePlan(10, 10, 0, Long.MAX_VALUE, 10, Long.MAX_VALUE, 0), all, "more wanted than there are: no load phase");
        assertThrows(IllegalArgumentException.class, () -> PhasePlan.of(new long[] {1}, 1, 0, OptionalDouble.empty(), noCap));
        assertThrows(IllegalArgumentException.class, () -> PhasePlan.of(times, 0, 0, OptionalDouble.empty(), noCap));
    }

    @Test
    void phasePlanSettlesFirstAtTheFixedRateThenPlansTheRest() {
        long[] times = {10, 11, 12, 13, 13, 13, 14, 15, 16, 17};
        OptionalLong noCap = OptionalLong.empty();
        assertEquals(new PhasePlan(10, 12, 2, 14, 4, Long.MAX_VALUE, 4), PhasePlan.of(times, 2, 1, OptionalDouble.of(2), noCap),
                "2 settling, then the 4 fixed-rate events 12, 13, 13, 13");
        assertEquals(new PhasePlan(10, 13, 3, 15, 4, 17, 2), PhasePlan.of(times, 4, 1, OptionalDouble.of(1), OptionalLong.of(2)),
                "4 settling end inside the tie at 13, which goes to the fixed-rate phase; the cap as before");
        assertEquals(new PhasePlan(10, 12, 2, 14, 4, Long.MAX_VALUE, 4), PhasePlan.of(times, 2, 1, OptionalDouble.empty(), noCap),
                "without a duration the fixed-rate phase takes half of what settling left");
        assertThrows(IllegalArgumentException.class, () -> PhasePlan.of(times, 10, 1, OptionalDouble.empty(), noCap),
                "settling may not take the whole live part");
        assertThrows(IllegalArgumentException.class, () -> PhasePlan.of(times, 1, -1, OptionalDouble.empty(), noCap));
    }

    @Test
    void probesParseProcStatusAndJstat() {
        assertEquals(OptionalLong.of(123456), ProcessProbe.parseStatusField(
                List.of("Name:\tjava", "VmHWM:\t  200000 kB", "VmRSS:\t  123456 kB"), "VmRSS:"));
        assertEquals(OptionalLong.empty(), ProcessProbe.parseStatusField(List.of("Name:\tjava"), "VmRSS:"));
        String jstat = """
                    S0C         S1C         S0U         S1U          EC           EU           OC           OU          MC         MU       CCSC      CCSU     YGC     YGCT     FGC    FGCT     CGC    CGCT       GCT
                        0.0     4096.0         0.0      4096.0     57344.0      20480.0      69632.0      30720.5     50000.0   49000.0   6000.0    5500.0     12     0.100     0     0.000     4     0.010     0.110
                """;
        assertEquals(OptionalLong.of(55297), ProcessProbe.parseJstatHeapUsed(jstat), "S1U + EU + OU = 4096 + 20480 + 30720.5");
        assertEquals(OptionalLong.empty(), ProcessProbe.parseJstatHeapUsed("12345 not found"));
        assertTrue(ProcessProbe.cpuSeconds(ProcessHandle.current()) > 0);
    }

    @Test
    void latencySummaryOfAHistogram() {
        Histogram h = new Histogram(3_600_000L, 3);
        for (int i = 1; i <= 100; i++) {
            h.recordValue(i * 10L);
        }
        BenchReport.Latency l = PhaseSampler.latency(h);
        assertEquals(100, l.count());
        assertEquals(500, l.p50());
        assertEquals(990, l.p99());
        assertEquals(1000, l.max());
        assertEquals(BenchReport.Latency.NONE, PhaseSampler.latency(new Histogram(3_600_000L, 3)));
    }

    static BenchReport report() {
        BenchReport.ProcessUse use = new BenchReport.ProcessUse(12.5, 480, 500, 130);
        Map<String, BenchReport.ProcessUse> processes = Map.of(Bench.FEATURES_JOB, use, Bench.SCORING_APP, use, Bench.PARENT, use);
        BenchReport.Window w = new BenchReport.Window(0, 30, new BenchReport.Latency(900, 800, 1700, 1900), 700, 300,
                Map.of(Bench.FEATURES_JOB, 480L, Bench.SCORING_APP, 400L, Bench.PARENT, 560L));
        BenchReport.Phase fixed = new BenchReport.Phase("fixed-rate", 1000, 30_000, 30.0, 32.0, 9_000,
                new BenchReport.Latency(9_000, 800, 1700, 1900), processes, 700, 300, 2.0, List.of(w), true);
        BenchReport.Phase max = new BenchReport.Phase("max-load", Double.POSITIVE_INFINITY, 20_000, 2.0, 16.0, 4_000,
                new BenchReport.Latency(4_000, 6000, 12000, 13000), processes, 20_000, 4_000, 14.0,
                List.of(new BenchReport.Window(0, 16, BenchReport.Latency.NONE, 20_000, 4_000, Map.of())), true);
        return new BenchReport(new BenchReport.Setup("test data", 50_000, 50_000, "moe-x (cached)", Map.of("router", "softmax"),
                "2 cores", 40.0), new BenchReport.RoundTrip("t", 100_000, 10.0, 2.5), List.of(fixed, max),
                List.of(new BenchReport.Sample(1.0, "fixed-rate", 10, 2, Map.of(Bench.PARENT, 500L))),
                new BenchReport.FinalAccounting(100_000, 100_000, 0, 0, 0, true, 0));
    }

    @Test
    void markdownShowsThePhasesTheBrokerShareAndWhatIsMeasured() {
        String md = BenchReportWriter.markdown(report());
        assertTrue(md.contains("| fixed-rate | 1,000 | 30,000 | 1,000 | 938 | 9,000 | 281 | 800 | 1,700 | 1,900 | 700 | 300 | 2.0 | yes |"), md);
        assertTrue(md.contains("| max-load | max | 20,000 | 10,000 | 1,250 |"), md);
        // Broker: 100,000 / (10 + 2.5) s = 8,000 ev/s; the fixed phase's 937.5 ev/s is 11.7 % of it.
        assertTrue(md.contains("| 100,000 | 10,000 | 40,000 | 8,000 | 11.7 % | 15.6 % |"), md);
        assertTrue(md.contains("| fixed-rate | features-job | 12.5 | 0.39 | 417 | 480 | 500 | 130 |"), md);
        assertTrue(md.contains("| 0–30 | 900 | 800 | 1,700 | 1,900 | 700 | 300 | 480 / 400 / 560 |"), md);
        assertTrue(md.contains("| 0–16 | 0 | – | – | – | 20,000 | 4,000 | – / – / – |"), md);
        assertTrue(md.contains("read_committed"), md);
        assertTrue(md.contains("balanced"), md);
    }

    @Test
    void cpuPerThousandEventsPerProcessAndPhase() {
        BenchReport r = report();
        // 12.5 CPU s over 30,000 events = 417 ms per 1,000; over 20,000 = 625.
        assertEquals(12.5e6 / 30_000, r.phases().get(0).cpuMsPerThousandEvents(Bench.SCORING_APP), 1e-9);
        assertTrue(Double.isNaN(r.phases().get(0).cpuMsPerThousandEvents("no such process")));
        String md = BenchReportWriter.markdown(r);
        assertTrue(md.contains("| phase | events | features-job | scoring-app | parent (broker, replayer, monitor) | all |"), md);
        assertTrue(md.contains("| fixed-rate | 30,000 | 417 | 417 | 417 | 1,250 |"), md);
        assertTrue(md.contains("| max-load | 20,000 | 625 | 625 | 625 | 1,875 |"), md);
    }

    @Test
    void aTimeLimitedPhaseThatRanOutOfEventsIsFlagged() {
        BenchReport r = report();
        BenchReport.Phase p = r.phases().get(1);
        BenchReport.Phase sustained = new BenchReport.Phase(p.name(), p.offeredRate(), p.events(), 29.0, p.drainedSeconds(), p.lists(),
                p.latency(), p.processes(), p.maxFeaturesLag(), p.maxScoringLag(), p.recoverySeconds(), p.windows(), true, 30);
        BenchReport.Phase burst = new BenchReport.Phase(p.name(), p.offeredRate(), p.events(), 2.0, p.drainedSeconds(), p.lists(),
                p.latency(), p.processes(), p.maxFeaturesLag(), p.maxScoringLag(), p.recoverySeconds(), p.windows(), true, 30);
        assertTrue(!p.endedByData() && !sustained.endedByData() && burst.endedByData());
        BenchReport flagged = new BenchReport(r.setup(), r.broker(), List.of(r.phases().get(0), burst), r.timeline(), r.finalAccounting());
        assertTrue(BenchReportWriter.markdown(flagged).contains("**max-load ran out of events after 2.0 s of the 30 s asked**"));
        assertTrue(!BenchReportWriter.markdown(r).contains("**max-load ran out"));
    }

    @Test
    void aTimeBoxedDataSetEndsItsEventsAtTheLimitKeepingTheirOrder() {
        long[] now = {0};
        List<ViewingEvent> events = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            events.add(new ViewingEvent("e" + i, "u" + (i % 3), 1, EventType.PLAY,
                    1000L + i, null, null, null));
        }
        DataSet base = new DataSet() {
            @Override
            public String description() {
                return "ten events";
            }

            @Override
            public RecordStream<Movie> movies() {
                throw new UnsupportedOperationException();
            }

            @Override
            public RecordStream<ViewingEvent> events() {
                Iterator<ViewingEvent> it = events.iterator();
                return new RecordStream<>() {
                    @Override
                    public boolean hasNext() {
                        return it.hasNext();
                    }

                    @Override
                    public Parsed<ViewingEvent> next() {
                        return new Parsed.Ok<>(it.next(), "test", 0);
                    }

                    @Override
                    public void close() {
                    }
                };
            }
        };
        TimeBoxedDataSet boxed = new TimeBoxedDataSet(base, Duration.ofSeconds(3), () -> now[0]);
        List<String> read = new ArrayList<>();
        try (var s = boxed.events()) {
            while (s.hasNext()) {
                read.add(((Parsed.Ok<ViewingEvent>) s.next()).value().eventId());
                now[0] += 1_000_000_000L; // each event takes a second
            }
        }
        assertEquals(List.of("e0", "e1", "e2"), read);
        // The limit passing between hasNext and next does not lose the event hasNext promised.
        now[0] = 0;
        try (var s = boxed.events()) {
            assertTrue(s.hasNext());
            now[0] = 5_000_000_000L;
            assertEquals("e0", ((Parsed.Ok<ViewingEvent>) s.next()).value().eventId());
            assertTrue(!s.hasNext());
        }
        // A limit longer than the data: every event, in order.
        now[0] = 0;
        List<String> all = new ArrayList<>();
        try (var s = new TimeBoxedDataSet(base, Duration.ofHours(1), () -> now[0]).events()) {
            s.forEachRemaining(p -> all.add(((Parsed.Ok<ViewingEvent>) p).value().eventId()));
        }
        assertEquals(10, all.size());
        assertEquals("e9", all.get(9));
        assertThrows(IllegalArgumentException.class, () -> new TimeBoxedDataSet(base, Duration.ZERO, () -> 0));
    }

    @Test
    void deliverySetsBothJobsGuarantees() {
        assertEquals(Delivery.AT_LEAST_ONCE, Delivery.parse("at_least_once"));
        assertEquals(Delivery.EXACTLY_ONCE, Delivery.parse("Exactly-Once"));
        assertThrows(IllegalArgumentException.class, () -> Delivery.parse("none"));
        assertEquals(Map.of("sink.delivery-guarantee", "at-least-once"),
                Delivery.AT_LEAST_ONCE.featuresSettings());
        assertEquals("at_least_once", Delivery.AT_LEAST_ONCE.scoringSettings().get("processing.guarantee"));
        assertEquals("exactly_once_v2", Delivery.EXACTLY_ONCE.scoringSettings().get("processing.guarantee"));
        // Both jobs accept what --delivery sets; a bad extra setting fails naming its key before anything starts.
        for (Delivery d : Delivery.values()) {
            LivePipeline.validate(d.featuresSettings(), d.scoringSettings());
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LivePipeline.validate(Map.of("sink.compression", "brotli"), Map.of()));
        assertTrue(e.getMessage().contains("sink.compression"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> LivePipeline.validate(Map.of(), Map.of("processing.guarantee", "exactly_once")));
        assertTrue(e.getMessage().contains("processing.guarantee"), e.getMessage());
    }

    @Test
    void jsonCarriesTheDerivedFiguresAndNoInfinity() throws Exception {
        String json = BenchReportWriter.json(report());
        JsonNode n = new ObjectMapper().readTree(json);
        assertEquals(8000.0, n.get("broker").get("roundTripPerSecond").asDouble(), 1e-9);
        JsonNode max = n.get("phases").get(1);
        assertTrue(max.get("offeredRate").isNull());
        assertEquals(1250.0, max.get("sustainedPerSecond").asDouble(), 1e-9);
        assertEquals(1250.0 / 8000.0, max.get("shareOfBrokerRoundTrip").asDouble(), 1e-9);
        assertEquals(1700, n.get("phases").get(0).get("windows").get(0).get("latency").get("p99").asLong());
        assertTrue(n.get("finalAccounting").get("balanced").asBoolean());
        assertTrue(!json.contains("Infinity"), json);
        assertEquals(12.5e6 / 20_000, max.get("cpuMsPerThousandEvents").get(Bench.FEATURES_JOB).asDouble(), 1e-9);
        assertTrue(!max.get("endedByData").asBoolean());
    }
}
