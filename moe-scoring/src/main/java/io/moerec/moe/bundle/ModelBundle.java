package io.moerec.moe.bundle;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.moerec.features.PreferenceFeatureLogic;
import io.moerec.ingest.domain.Genre;
import io.moerec.moe.MoeModel;
import io.moerec.moe.model.CompiledExpert;
import io.moerec.moe.model.CompiledFmExpert;
import io.moerec.moe.model.CompiledLinearExpert;
import io.moerec.moe.model.ExpertKind;
import io.moerec.moe.model.GenreClassifier;
import io.moerec.moe.model.GenreExpert;
import io.moerec.moe.model.ItemNeighbours;
import io.moerec.moe.model.MovieTable;
import io.moerec.moe.model.UserVector;
import io.moerec.moe.routing.EigenBasis;
import io.moerec.moe.train.TrainingConfig;
import io.moerec.moe.train.TrainingProvenance;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.tribuo.Model;
import org.tribuo.classification.Label;

/**
 * A trained {@link MoeModel} on disk: a directory holding the Tribuo models (Tribuo's protobuf
 * format, never Java serialization), the compiled weights, the movie table, the eigenbasis and the
 * balanced bias and the item neighbourhoods as versioned binary arrays, {@code provenance.json}, {@code bundle.json} (format,
 * vocabulary, feature-logic and user-vector versions, configuration) and {@code MANIFEST.sha256}
 * covering every other file. The bundle's version is {@code moe-} plus a hash of its content.
 * {@link #load} first verifies every checksum, then every version, and fails with
 * {@link InvalidBundleException} naming what is wrong; nothing is deserialized from an unverified file.
 *
 * <p>No file of a bundle is read with Java serialization ({@code ObjectInputStream}): the Tribuo
 * models are protobuf, the rest JSON and the length-checked binary arrays of {@link BinaryArrays}
 * ({@code ModelBundleTest} checks this with a JVM-wide serial filter). Tribuo's protobuf loader does
 * resolve the class name written in a model file ({@code Class.forName}, then checks it is a Tribuo
 * {@code ProtoSerializable}); that is one more reason why checksums are verified first. The manifest
 * proves integrity against the manifest, not who wrote it: whoever can rewrite the whole directory can
 * rewrite the manifest too. Live updates therefore also pin the manifest's own sha256 in the
 * announcement; the start-up bundle ({@code model.path}) is trusted as operator configuration.
 */
public final class ModelBundle {

    /** Format of the directory layout; bumped on any incompatible change. */
    public static final int FORMAT_VERSION = 2;
    public static final String MANIFEST = "MANIFEST.sha256";
    public static final String DESCRIPTOR = "bundle.json";
    static final String PROVENANCE = "provenance.json";
    static final String MOVIES = "movies.bin";
    static final String EIGEN = "eigen.bin";
    static final String BALANCED = "balanced.bin";
    static final String NEIGHBOURS = "neighbours.bin";
    static final String GATE = "tribuo/gate.tribuo";
    static final String ENERGY = "tribuo/eigen-energy.tribuo";
    /**
     * The shared, always-on expert (format 2), present exactly when {@code train.sharedWeight} > 0 or
     * {@code train.residualExperts}; a residual expert's compiled file holds its weights with the shared
     * expert folded in.
     */
    static final String SHARED = "tribuo/shared.tribuo";
    static final String SHARED_COMPILED = "compiled/shared.bin";

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);

    private ModelBundle() {
    }

    static String expertModelFile(Genre g) {
        return "tribuo/expert-" + g.wireName() + ".tribuo";
    }

    static String compiledFile(Genre g) {
        return "compiled/expert-" + g.wireName() + ".bin";
    }

    /** Writes the bundle into {@code dir} (created; must not exist or be empty); returns its version. */
    public static String save(MoeModel model, Path dir) {
        try {
            if (Files.exists(dir)) {
                try (var s = Files.list(dir)) {
                    if (s.findAny().isPresent()) {
                        throw new IllegalArgumentException("bundle directory " + dir + " is not empty");
                    }
                }
            }
            Files.createDirectories(dir.resolve("tribuo"));
            Files.createDirectories(dir.resolve("compiled"));
            List<String> experts = new ArrayList<>();
            for (Genre g : Genre.values()) {
                GenreExpert e = model.expert(g.ordinal());
                if (e == null) {
                    continue;
                }
                experts.add(g.wireName());
                e.model().serializeToFile(dir.resolve(expertModelFile(g)));
                writeCompiled(dir.resolve(compiledFile(g)), model.compiledExpert(g.ordinal()));
            }
            if (model.sharedExpert() != null) {
                model.sharedExpert().model().serializeToFile(dir.resolve(SHARED));
                writeCompiled(dir.resolve(SHARED_COMPILED), model.sharedCompiled());
            }
            model.gate().model().serializeToFile(dir.resolve(GATE));
            model.energyModel().model().serializeToFile(dir.resolve(ENERGY));
            writeTable(dir.resolve(MOVIES), model.table());
            writeEigen(dir.resolve(EIGEN), model.eigenBasis());
            try (DataOutputStream out = data(dir.resolve(NEIGHBOURS))) {
                BinaryArrays.header(out);
                ItemNeighbours nb = model.neighbours();
                out.writeInt(nb.movies());
                for (int m = 0; m < nb.movies(); m++) {
                    BinaryArrays.ints(out, nb.neighbours(m));
                    BinaryArrays.doubles(out, nb.similarities(m));
                }
            }
            try (DataOutputStream out = data(dir.resolve(BALANCED))) {
                BinaryArrays.header(out);
                BinaryArrays.doubles(out, model.balancedBias());
            }
            JSON.writeValue(dir.resolve(PROVENANCE).toFile(), model.provenance());

            Map<String, String> sums = checksums(dir);
            String version = "moe-" + sha256(manifestText(sums).getBytes(StandardCharsets.UTF_8)).substring(0, 16);
            ObjectNode d = JSON.createObjectNode();
            d.put("formatVersion", FORMAT_VERSION);
            d.put("modelVersion", version);
            d.put("genreVocabularyVersion", Genre.VOCABULARY_VERSION);
            ArrayNode genres = d.putArray("genres");
            for (Genre g : Genre.values()) {
                genres.add(g.wireName());
            }
            d.put("featureVersion", PreferenceFeatureLogic.FEATURE_VERSION);
            d.put("userVectorVersion", UserVector.VERSION);
            d.put("expertKind", model.config().expert().kind().name());
            ArrayNode ex = d.putArray("experts");
            experts.forEach(ex::add);
            d.put("sharedExpert", model.sharedExpert() != null);
            d.set("config", JSON.valueToTree(new TreeMap<>(model.config().toMap())));
            JSON.writeValue(dir.resolve(DESCRIPTOR).toFile(), d);
            sums.put(DESCRIPTOR, sha256(Files.readAllBytes(dir.resolve(DESCRIPTOR))));
            Files.writeString(dir.resolve(MANIFEST), manifestText(sums), StandardCharsets.UTF_8);
            return version;
        } catch (IOException e) {
            throw new UncheckedIOException("writing model bundle " + dir, e);
        }
    }

    /** Loads and verifies a bundle. */
    public static MoeModel load(Path dir) {
        Map<String, String> manifest = readManifest(dir);
        for (Map.Entry<String, String> e : manifest.entrySet()) {
            Path f = resolveInside(dir, e.getKey());
            String actual;
            try {
                actual = sha256(Files.readAllBytes(f));
            } catch (NoSuchFileException nf) {
                throw new InvalidBundleException("bundle " + dir + " lacks " + e.getKey() + " listed in its manifest");
            } catch (IOException io) {
                throw new UncheckedIOException("reading " + f, io);
            }
            if (!actual.equals(e.getValue())) {
                throw new InvalidBundleException("checksum mismatch in bundle " + dir + " for " + e.getKey() + ": manifest has "
                        + e.getValue() + ", file has " + actual + " (the file is corrupted or was modified)");
            }
        }
        for (String required : List.of(DESCRIPTOR, PROVENANCE, MOVIES, EIGEN, BALANCED, NEIGHBOURS, GATE, ENERGY)) {
            if (!manifest.containsKey(required)) {
                throw new InvalidBundleException("bundle " + dir + " manifest does not cover " + required);
            }
        }
        try {
            JsonNode d = JSON.readTree(dir.resolve(DESCRIPTOR).toFile());
            int format = d.path("formatVersion").asInt(-1);
            if (format != FORMAT_VERSION) {
                throw new InvalidBundleException("bundle " + dir + " has format version " + format + "; this build reads version "
                        + FORMAT_VERSION);
            }
            expectVersion(dir, "genreVocabularyVersion", d, Genre.VOCABULARY_VERSION);
            List<String> genres = new ArrayList<>();
            d.path("genres").forEach(n -> genres.add(n.asText()));
            List<String> ours = java.util.Arrays.stream(Genre.values()).map(Genre::wireName).toList();
            if (!genres.equals(ours)) {
                throw new InvalidBundleException("bundle " + dir + " genre vocabulary " + genres + " differs from this build's " + ours);
            }
            expectVersion(dir, "featureVersion", d, PreferenceFeatureLogic.FEATURE_VERSION);
            expectVersion(dir, "userVectorVersion", d, UserVector.VERSION);
            String version = d.path("modelVersion").asText();
            TrainingConfig config = TrainingConfig.fromMap(JSON.convertValue(d.path("config"), new TypeReference<Map<String, String>>() {
            }));
            ExpertKind kind = ExpertKind.valueOf(d.path("expertKind").asText());
            if (kind != config.expert().kind()) {
                throw new InvalidBundleException("bundle " + dir + ": expertKind " + kind + " disagrees with its configuration");
            }
            TrainingProvenance provenance = JSON.readValue(dir.resolve(PROVENANCE).toFile(), TrainingProvenance.class);
            MovieTable table = readTable(dir.resolve(MOVIES));
            GenreExpert shared = null;
            CompiledExpert sharedCompiled = null;
            if (d.path("sharedExpert").asBoolean(false)) {
                if (!manifest.containsKey(SHARED) || !manifest.containsKey(SHARED_COMPILED)) {
                    throw new InvalidBundleException("bundle " + dir + " manifest does not cover the files of the shared expert");
                }
                shared = new GenreExpert("shared", kind, labelModel(dir, SHARED));
                sharedCompiled = readCompiled(dir.resolve(SHARED_COMPILED), kind, table);
            }
            if ((shared != null) != config.trainsSharedExpert()) {
                throw new InvalidBundleException("bundle " + dir + ": sharedExpert " + (shared != null)
                        + " disagrees with its configuration");
            }
            GenreExpert base = config.residualExperts() ? shared : null;
            GenreExpert[] experts = new GenreExpert[Genre.COUNT];
            CompiledExpert[] compiled = new CompiledExpert[Genre.COUNT];
            for (JsonNode n : d.path("experts")) {
                Genre g = Genre.fromWireName(n.asText())
                        .orElseThrow(() -> new InvalidBundleException("bundle " + dir + ": unknown expert genre " + n.asText()));
                String mf = expertModelFile(g);
                String cf = compiledFile(g);
                if (!manifest.containsKey(mf) || !manifest.containsKey(cf)) {
                    throw new InvalidBundleException("bundle " + dir + " manifest does not cover the files of expert " + g.wireName());
                }
                experts[g.ordinal()] = new GenreExpert(g.wireName(), kind, labelModel(dir, mf), base);
                compiled[g.ordinal()] = readCompiled(dir.resolve(cf), kind, table);
            }
            GenreClassifier gate = new GenreClassifier(UserVector.featureNames(), labelModel(dir, GATE));
            EigenBasis basis = readEigen(dir.resolve(EIGEN));
            GenreClassifier energy = new GenreClassifier(EigenBasis.energyNames(basis.rank()), labelModel(dir, ENERGY));
            double[] bias;
            try (DataInputStream in = data(dir.resolve(BALANCED), BALANCED)) {
                bias = BinaryArrays.doubles(in, BALANCED);
            }
            ItemNeighbours neighbours;
            try (DataInputStream in = data(dir.resolve(NEIGHBOURS), NEIGHBOURS)) {
                int n = in.readInt();
                if (n != table.size()) {
                    throw new InvalidBundleException(NEIGHBOURS + " covers " + n + " movies, the table " + table.size());
                }
                int[][] nb = new int[n][];
                double[][] sim = new double[n][];
                for (int m = 0; m < n; m++) {
                    nb[m] = BinaryArrays.ints(in, NEIGHBOURS);
                    sim[m] = BinaryArrays.doubles(in, NEIGHBOURS);
                }
                neighbours = new ItemNeighbours(nb, sim);
            }
            return new MoeModel(table, experts, gate, basis, energy, bias, neighbours, config, provenance, compiled, version, shared,
                    sharedCompiled);
        } catch (IOException e) {
            throw new InvalidBundleException("bundle " + dir + " could not be read: " + e.getMessage(), e);
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new InvalidBundleException("bundle " + dir + " is inconsistent: " + e.getMessage(), e);
        }
    }

    private static void expectVersion(Path dir, String field, JsonNode d, int expected) {
        int v = d.path(field).asInt(-1);
        if (v != expected) {
            throw new InvalidBundleException("bundle " + dir + " has " + field + " " + v + "; this build needs " + expected);
        }
    }

    @SuppressWarnings("unchecked")
    private static Model<Label> labelModel(Path dir, String file) throws IOException {
        Model<?> m = Model.deserializeFromFile(dir.resolve(file));
        if (!m.validate(Label.class)) {
            throw new InvalidBundleException("bundle " + dir + ": " + file + " is not a classification model");
        }
        return (Model<Label>) m;
    }

    private static Map<String, String> readManifest(Path dir) {
        Path f = dir.resolve(MANIFEST);
        if (!Files.isRegularFile(f)) {
            throw new InvalidBundleException(dir + " is not a moerec model bundle: it has no " + MANIFEST);
        }
        Map<String, String> out = new TreeMap<>();
        try {
            for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
                if (line.isBlank()) {
                    continue;
                }
                int sp = line.indexOf("  ");
                if (sp != 64 || !line.substring(0, 64).matches("[0-9a-f]{64}")) {
                    throw new InvalidBundleException("bundle " + dir + ": malformed manifest line '" + line + "'");
                }
                out.put(line.substring(66), line.substring(0, 64));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + f, e);
        }
        return out;
    }

    private static Path resolveInside(Path dir, String rel) {
        Path p = dir.resolve(rel).normalize();
        if (!p.startsWith(dir.normalize()) || rel.equals(MANIFEST)) {
            throw new InvalidBundleException("bundle " + dir + ": manifest entry " + rel + " points outside the bundle");
        }
        return p;
    }

    private static Map<String, String> checksums(Path dir) throws IOException {
        Map<String, String> sums = new TreeMap<>();
        try (var files = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                String rel = dir.relativize(p).toString().replace('\\', '/');
                if (!rel.equals(MANIFEST) && !rel.equals(DESCRIPTOR)) {
                    sums.put(rel, sha256(Files.readAllBytes(p)));
                }
            }
        }
        return sums;
    }

    private static String manifestText(Map<String, String> sums) {
        StringBuilder sb = new StringBuilder();
        new TreeMap<>(sums).forEach((path, sum) -> sb.append(sum).append("  ").append(path).append('\n'));
        return sb.toString();
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    }

    private static DataOutputStream data(Path f) throws IOException {
        return new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(f), 1 << 16));
    }

    private static DataInputStream data(Path f, String name) throws IOException {
        InputStream in = new BufferedInputStream(Files.newInputStream(f), 1 << 16);
        DataInputStream d = new DataInputStream(in);
        BinaryArrays.header(d, name);
        return d;
    }

    private static void writeTable(Path f, MovieTable t) throws IOException {
        int n = t.size();
        long[] ids = new long[n];
        int[] bits = new int[n];
        long[] inter = new long[n];
        double[] year = new double[n];
        double[] rating = new double[n];
        for (int i = 0; i < n; i++) {
            ids[i] = t.movieId(i);
            bits[i] = t.genreBits(i);
            inter[i] = t.interactions(i);
            year[i] = t.yearFeature(i);
            rating[i] = t.ratingFeature(i);
        }
        try (DataOutputStream out = data(f)) {
            BinaryArrays.header(out);
            BinaryArrays.longs(out, ids);
            BinaryArrays.ints(out, bits);
            BinaryArrays.longs(out, inter);
            BinaryArrays.doubles(out, year);
            BinaryArrays.doubles(out, rating);
        }
    }

    private static MovieTable readTable(Path f) throws IOException {
        try (DataInputStream in = data(f, MOVIES)) {
            return MovieTable.of(BinaryArrays.longs(in, MOVIES), BinaryArrays.ints(in, MOVIES), BinaryArrays.longs(in, MOVIES),
                    BinaryArrays.doubles(in, MOVIES), BinaryArrays.doubles(in, MOVIES));
        }
    }

    private static void writeEigen(Path f, EigenBasis b) throws IOException {
        try (DataOutputStream out = data(f)) {
            BinaryArrays.header(out);
            BinaryArrays.doubles(out, b.mean());
            BinaryArrays.doubles(out, b.scale());
            BinaryArrays.doubles(out, b.eigenvalues());
            for (double[] row : b.basis()) {
                BinaryArrays.doubles(out, row);
            }
        }
    }

    private static EigenBasis readEigen(Path f) throws IOException {
        try (DataInputStream in = data(f, EIGEN)) {
            double[] mean = BinaryArrays.doubles(in, EIGEN);
            double[] scale = BinaryArrays.doubles(in, EIGEN);
            double[] values = BinaryArrays.doubles(in, EIGEN);
            double[][] q = new double[values.length][];
            for (int j = 0; j < q.length; j++) {
                q[j] = BinaryArrays.doubles(in, EIGEN);
            }
            return new EigenBasis(mean, scale, q, values);
        }
    }

    private static void writeCompiled(Path f, CompiledExpert e) throws IOException {
        try (DataOutputStream out = data(f)) {
            BinaryArrays.header(out);
            if (e instanceof CompiledLinearExpert l) {
                BinaryArrays.doubles(out, new double[] {l.bias()});
                BinaryArrays.doubles(out, l.weights());
            } else if (e instanceof CompiledFmExpert fm) {
                BinaryArrays.doubles(out, fm.bias());
                double[][] w = fm.linearWeights();
                double[][][] v = fm.factorWeights();
                out.writeInt(v[0].length);
                for (int l = 0; l < 2; l++) {
                    BinaryArrays.doubles(out, w[l]);
                    for (double[] row : v[l]) {
                        BinaryArrays.doubles(out, row);
                    }
                }
            }
        }
    }

    private static CompiledExpert readCompiled(Path f, ExpertKind kind, MovieTable table) throws IOException {
        String name = f.getFileName().toString();
        try (DataInputStream in = data(f, name)) {
            if (kind == ExpertKind.LINEAR) {
                double[] bias = BinaryArrays.doubles(in, name);
                if (bias.length != 1) {
                    throw new InvalidBundleException(name + ": expected one bias, got " + bias.length);
                }
                return CompiledLinearExpert.of(bias[0], BinaryArrays.doubles(in, name), table);
            }
            double[] bias = BinaryArrays.doubles(in, name);
            int k = in.readInt();
            if (k < 1 || k > 4096) {
                throw new InvalidBundleException(name + ": implausible factor count " + k);
            }
            double[][] w = new double[2][];
            double[][][] v = new double[2][k][];
            for (int l = 0; l < 2; l++) {
                w[l] = BinaryArrays.doubles(in, name);
                for (int q = 0; q < k; q++) {
                    v[l][q] = BinaryArrays.doubles(in, name);
                }
            }
            return CompiledFmExpert.of(bias, w, v, table);
        }
    }
}
