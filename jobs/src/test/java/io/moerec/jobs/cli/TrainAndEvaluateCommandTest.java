package io.moerec.jobs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.moerec.ingest.generate.GeneratorConfig;
import io.moerec.ingest.generate.SyntheticDataGenerator;
import io.moerec.moe.bundle.ModelBundle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code moerec train} and {@code moerec evaluate} on tiny data, run as a user runs them. */
class TrainAndEvaluateCommandTest {

    /** Few epochs: the tests check the wiring, not the quality (moe-scoring's tests do that). */
    private static final String[] QUICK = {"-s", "expert.epochs=2", "-s", "train.gateEpochs=2"};

    @TempDir
    static Path tmp;
    static Path data;

    @BeforeAll
    static void generate() {
        data = tmp.resolve("data");
        new SyntheticDataGenerator(GeneratorConfig.builder().seed(3).users(60).movies(150).targetEvents(6_000)
                .tasteClusters(3).build()).generate(data);
    }

    private static String[] with(String[] quick, String... args) {
        String[] all = new String[args.length + quick.length];
        System.arraycopy(args, 0, all, 0, args.length);
        System.arraycopy(quick, 0, all, args.length, quick.length);
        return all;
    }

    @Test
    void trainWritesALoadableBundleAndASummary() {
        Path bundle = tmp.resolve("bundle");
        MoerecCliTest.Run r = MoerecCliTest.run(with(QUICK, "train", data.toString(), "--out", bundle.toString(), "--seed", "5"));
        assertEquals(0, r.exit(), r.out() + r.err());
        String version = ModelBundle.load(bundle).version();
        assertTrue(r.out().contains("trained " + version), r.out());
        assertTrue(r.out().contains(" users, 150 movies"), r.out());
        assertTrue(Files.isRegularFile(bundle.resolve(ModelBundle.MANIFEST)));
    }

    @Test
    void cutKeepsOnlyEarlierEvents() {
        Path bundle = tmp.resolve("cut");
        String cut = GeneratorConfig.DEFAULT_START.plus(java.time.Duration.ofDays(15)).toString();
        MoerecCliTest.Run r = MoerecCliTest.run(with(QUICK, "train", data.toString(), "--out", bundle.toString(), "--cut", cut));
        assertEquals(0, r.exit(), r.out() + r.err());
        long events = ModelBundle.load(bundle).provenance().events();
        assertTrue(events > 0 && events < 6_000, "events before the cut: " + events);
        assertTrue(ModelBundle.load(bundle).provenance().lastEventTime() < java.time.Instant.parse(cut).toEpochMilli());
    }

    @Test
    void evaluateWritesTheThreeReportsAndTheDump() throws Exception {
        Path reports = tmp.resolve("reports");
        // A dump in a directory that does not exist yet: evaluate creates it, as it does the report directory.
        Path dump = tmp.resolve("new").resolve("dir").resolve("recs.tsv");
        MoerecCliTest.Run r = MoerecCliTest.run(with(QUICK, "evaluate", data.toString(), "--routers", "softmax,dense",
                "--report-dir", reports.toString(), "--dump-recs", dump.toString()));
        assertEquals(0, r.exit(), r.out() + r.err());
        String md = Files.readString(reports.resolve("report.md"));
        for (String method : List.of("most-popular", "item-knn", "global-single-stage", "global-two-stage", "moe-softmax", "moe-dense",
                "| ease |", "| ease-recency |", "| item-knn-recency |")) {
            assertTrue(md.contains(method), method + " in\n" + md);
        }
        assertTrue(md.contains("chosen on the validation cut"), md);
        assertFalse(md.contains("moe-eigen"), md);
        assertTrue(md.contains("NDCG@10"), md);
        assertTrue(Files.readString(reports.resolve("report.json")).contains("\"moe-dense\""));
        assertTrue(Files.readString(reports.resolve("report.html")).contains("<html"));
        List<String> lines = Files.readAllLines(dump);
        assertFalse(lines.isEmpty());
        assertTrue(lines.get(0).matches("[^\t]+\t\\d+\t1"), lines.get(0));
    }

    @Test
    void evaluateReadsAnOutsideSplitInTheMl100kLayout() throws Exception {
        Path ml = tmp.resolve("ml100k");
        Files.createDirectories(ml);
        StringBuilder items = new StringBuilder();
        for (int m = 1; m <= 40; m++) {
            StringBuilder flags = new StringBuilder();
            for (int g = 0; g < 19; g++) {
                flags.append('|').append(g == 1 + m % 4 || g == 5 + m % 3 ? '1' : '0');
            }
            items.append(m).append("|Movie ").append(m).append(" (1995)|01-Jan-1995||http://x").append(flags).append('\n');
        }
        Files.writeString(ml.resolve("u.item"), items, StandardCharsets.ISO_8859_1);
        StringBuilder base = new StringBuilder();
        StringBuilder test = new StringBuilder();
        SplittableRandom rnd = new SplittableRandom(1);
        for (int u = 1; u <= 40; u++) {
            int taste = u % 4;
            for (int i = 0; i < 14; i++) {
                int movie = 1 + taste + 4 * ((i * 7 + u) % 10);
                (i < 12 ? base : test).append(u).append('\t').append(movie).append('\t').append(1 + rnd.nextInt(5))
                        .append('\t').append(880_000_000L + u * 1000L + i).append('\n');
            }
        }
        Files.writeString(ml.resolve("u1.base"), base);
        Files.writeString(ml.resolve("u1.test"), test);
        Path reports = tmp.resolve("outside");
        MoerecCliTest.Run r = MoerecCliTest.run(with(QUICK, "evaluate", "--train", ml.resolve("u1.base").toString(),
                "--test", ml.resolve("u1.test").toString(), "--catalog", ml.resolve("u.item").toString(),
                "--routers", "softmax", "-s", "train.minPositivesPerExpert=5", "--report-dir", reports.toString()));
        assertEquals(0, r.exit(), r.out() + r.err());
        String md = Files.readString(reports.resolve("report.md"));
        assertTrue(md.contains("moe-softmax"), md);
        // The peers are chosen on a per-user time cut of the given training file.
        assertTrue(md.contains("| ease-recency |"), md);
    }

    @Test
    void noPeersLeavesThePeersOut() throws Exception {
        Path reports = tmp.resolve("nopeers");
        MoerecCliTest.Run r = MoerecCliTest.run(with(QUICK, "evaluate", data.toString(), "--routers", "softmax", "--no-peers",
                "--report-dir", reports.toString()));
        assertEquals(0, r.exit(), r.out() + r.err());
        String md = Files.readString(reports.resolve("report.md"));
        assertTrue(md.contains("| item-knn |") && md.contains("| moe-softmax |"), md);
        assertFalse(md.contains("ease") || md.contains("item-knn-recency") || md.contains("validation cut"), md);
    }

    @Test
    void validationMeasuresTheCutOfTheTrainingPartNotTheTestPart() throws Exception {
        long[] trainingEvents = new long[2];
        int i = 0;
        for (boolean validation : new boolean[] {false, true}) {
            Path reports = tmp.resolve("validation-" + validation);
            List<String> args = new java.util.ArrayList<>(List.of("evaluate", data.toString(), "--routers", "softmax", "--no-peers",
                    "--report-dir", reports.toString()));
            if (validation) {
                args.add("--validation");
            }
            MoerecCliTest.Run r = MoerecCliTest.run(with(QUICK, args.toArray(new String[0])));
            assertEquals(0, r.exit(), r.out() + r.err());
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("Training events (\\d+)")
                    .matcher(Files.readString(reports.resolve("report.md")));
            assertTrue(m.find());
            trainingEvents[i++] = Long.parseLong(m.group(1));
        }
        // The validation cut trains on the training part's own earlier events only.
        assertTrue(trainingEvents[1] > 0 && trainingEvents[1] < trainingEvents[0], java.util.Arrays.toString(trainingEvents));
    }

    @Test
    void helpMentionsTheOptions() {
        MoerecCliTest.Run train = MoerecCliTest.run("train", "--help");
        assertEquals(0, train.exit());
        for (String o : List.of("--out", "--format", "--seed", "--cut", "--set")) {
            assertTrue(train.out().contains(o), o + " in\n" + train.out());
        }
        MoerecCliTest.Run eval = MoerecCliTest.run("evaluate", "--help");
        for (String o : List.of("--split", "--train", "--test", "--catalog", "--routers", "--report-dir", "--dump-recs", "--no-peers",
                "--validation")) {
            assertTrue(eval.out().contains(o), o + " in\n" + eval.out());
        }
        assertTrue(MoerecCliTest.run("--help").out().contains("evaluate"));
    }

    @Test
    void aBadFlagNamesItself() {
        MoerecCliTest.Run r = MoerecCliTest.run("evaluate", data.toString(), "--routers", "softmax,nope");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("--routers"), r.err());
        r = MoerecCliTest.run("evaluate", data.toString(), "--split", "random");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("--split"), r.err());
        r = MoerecCliTest.run("train", data.toString(), "--out", tmp.resolve("x").toString(), "-s", "train.topK=zero");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("train.topK"), r.err());
        r = MoerecCliTest.run("train", data.toString(), "--out", tmp.resolve("x").toString(), "--cut", "yesterday");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("--cut"), r.err());
        r = MoerecCliTest.run("evaluate", "--train", data.toString());
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("--test"), r.err());
    }

    /** An output path that cannot be written stops before any data is read, naming its option. */
    @Test
    void anUnwritableOutputStopsBeforeTraining() throws Exception {
        Path file = Files.writeString(tmp.resolve("a-file"), "x");
        MoerecCliTest.Run r = MoerecCliTest.run("evaluate", data.toString(), "--dump-recs", file.resolve("recs.tsv").toString());
        assertEquals(2, r.exit(), r.out() + r.err());
        assertTrue(r.err().contains("--dump-recs") && r.err().contains(file.toString()), r.err());
        r = MoerecCliTest.run("evaluate", data.toString(), "--dump-recs", tmp.toString());
        assertEquals(2, r.exit(), r.out() + r.err());
        assertTrue(r.err().contains("--dump-recs") && r.err().contains("is a directory"), r.err());
        r = MoerecCliTest.run("evaluate", data.toString(), "--report-dir", file.resolve("reports").toString());
        assertEquals(2, r.exit(), r.out() + r.err());
        assertTrue(r.err().contains("--report-dir"), r.err());
    }
}
