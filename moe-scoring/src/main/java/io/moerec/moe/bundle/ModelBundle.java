package io.moerec.moe.bundle;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.moerec.ingest.domain.Genre;
import io.moerec.moe.MoeModel;
import io.moerec.moe.model.CompiledExpert;
import io.moerec.moe.model.ExpertKind;
import io.moerec.moe.model.GenreClassifier;
import io.moerec.moe.model.GenreExpert;
import io.moerec.moe.model.ItemNeighbours;
import io.moerec.moe.model.ItemToItem;
import io.moerec.moe.model.MovieTable;
import io.moerec.moe.model.UserVector;
import io.moerec.moe.routing.EigenBasis;
import io.moerec.moe.TrainingConfig;
import io.moerec.moe.TrainingProvenance;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.tribuo.Model;
import org.tribuo.classification.Label;

/**
 * A trained {@link MoeModel} on disk: a directory holding the Tribuo models (Tribuo's protobuf
 * format), the compiled experts, movie table, eigenbasis, balanced bias, item neighbourhoods and
 * sparse item-to-item model as array files ({@link BinaryArrays}), {@code provenance.json}, the
 * descriptor {@code bundle.json} ({@link BundleDescriptor}) and {@code MANIFEST.sha256}
 * ({@link BundleManifest}) over every other file. The bundle's version is {@code moe-} plus a hash of its content. {@link #load} verifies every
 * checksum, then every version, and fails with {@link InvalidBundleException} naming what is wrong.
 *
 * <p>Nothing is read with Java serialization. Tribuo's protobuf loader resolves the class name written
 * in a model file (then checks it is a Tribuo {@code ProtoSerializable}), one more reason why
 * checksums are verified before anything is deserialized.
 */
public final class ModelBundle {

    /** Format of the directory layout; bumped on any incompatible change. */
    public static final int FORMAT_VERSION = 4;
    public static final String MANIFEST = "MANIFEST.sha256";
    public static final String DESCRIPTOR = "bundle.json";
    static final String PROVENANCE = "provenance.json";
    static final String MOVIES = "movies.bin";
    static final String EIGEN = "eigen.bin";
    static final String BALANCED = "balanced.bin";
    static final String NEIGHBOURS = "neighbours.bin";
    /** The sparse item-to-item model of the first stage (since format 3). */
    static final String ITEM_TO_ITEM = "item-to-item.bin";
    static final String GATE = "tribuo/gate.tribuo";
    static final String ENERGY = "tribuo/eigen-energy.tribuo";
    /**
     * The shared, always-on expert, present exactly when the configuration trains one; a residual
     * expert's compiled file holds its weights with the shared expert folded in.
     */
    static final String SHARED = "tribuo/shared.tribuo";
    static final String SHARED_COMPILED = "compiled/shared.bin";

    /** Sorted keys and fixed indentation: the JSON files, and so the version, depend only on the content. */
    static final ObjectMapper JSON = new ObjectMapper()
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
                CompiledExpertCodec.write(dir.resolve(compiledFile(g)), model.compiledExpert(g.ordinal()));
            }
            if (model.sharedExpert() != null) {
                model.sharedExpert().model().serializeToFile(dir.resolve(SHARED));
                CompiledExpertCodec.write(dir.resolve(SHARED_COMPILED), model.sharedCompiled());
            }
            model.gate().model().serializeToFile(dir.resolve(GATE));
            model.energyModel().model().serializeToFile(dir.resolve(ENERGY));
            MovieTableCodec.write(dir.resolve(MOVIES), model.table());
            EigenBasisCodec.write(dir.resolve(EIGEN), model.eigenBasis());
            ItemNeighboursCodec.write(dir.resolve(NEIGHBOURS), model.neighbours());
            ItemToItemCodec.write(dir.resolve(ITEM_TO_ITEM), model.itemToItem());
            try (DataOutputStream out = BinaryArrays.create(dir.resolve(BALANCED))) {
                BinaryArrays.doubles(out, model.balancedBias());
            }
            JSON.writeValue(dir.resolve(PROVENANCE).toFile(), model.provenance());

            // The version hashes everything but the descriptor, which records it; the manifest covers both.
            BundleManifest content = BundleManifest.hashFiles(dir, DESCRIPTOR);
            String version = content.version();
            BundleDescriptor.write(dir.resolve(DESCRIPTOR), version, model, experts);
            content.with(dir, DESCRIPTOR).write(dir);
            return version;
        } catch (IOException e) {
            throw new UncheckedIOException("writing model bundle " + dir, e);
        }
    }

    /** Loads and verifies a bundle. */
    public static MoeModel load(Path dir) {
        BundleManifest manifest = BundleManifest.readVerified(dir);
        for (String required : List.of(DESCRIPTOR, PROVENANCE, MOVIES, EIGEN, BALANCED, NEIGHBOURS, ITEM_TO_ITEM, GATE,
                ENERGY)) {
            if (!manifest.covers(required)) {
                throw new InvalidBundleException("bundle " + dir + " manifest does not cover " + required);
            }
        }
        try {
            BundleDescriptor d = BundleDescriptor.read(dir);
            TrainingConfig config = d.config();
            ExpertKind kind = d.expertKind();
            TrainingProvenance provenance = JSON.readValue(dir.resolve(PROVENANCE).toFile(), TrainingProvenance.class);
            MovieTable table = MovieTableCodec.read(dir.resolve(MOVIES));
            GenreExpert shared = null;
            CompiledExpert sharedCompiled = null;
            if (d.sharedExpert()) {
                if (!manifest.covers(SHARED) || !manifest.covers(SHARED_COMPILED)) {
                    throw new InvalidBundleException("bundle " + dir + " manifest does not cover the files of the shared expert");
                }
                shared = new GenreExpert("shared", kind, labelModel(dir, SHARED));
                sharedCompiled = CompiledExpertCodec.read(dir.resolve(SHARED_COMPILED), kind, table);
            }
            if ((shared != null) != config.trainsSharedExpert()) {
                throw new InvalidBundleException("bundle " + dir + ": sharedExpert " + (shared != null)
                        + " disagrees with its configuration");
            }
            GenreExpert base = config.residualExperts() ? shared : null;
            GenreExpert[] experts = new GenreExpert[Genre.COUNT];
            CompiledExpert[] compiled = new CompiledExpert[Genre.COUNT];
            for (String name : d.experts()) {
                Genre g = Genre.fromWireName(name)
                        .orElseThrow(() -> new InvalidBundleException("bundle " + dir + ": unknown expert genre " + name));
                String mf = expertModelFile(g);
                String cf = compiledFile(g);
                if (!manifest.covers(mf) || !manifest.covers(cf)) {
                    throw new InvalidBundleException("bundle " + dir + " manifest does not cover the files of expert " + g.wireName());
                }
                experts[g.ordinal()] = new GenreExpert(g.wireName(), kind, labelModel(dir, mf), base);
                compiled[g.ordinal()] = CompiledExpertCodec.read(dir.resolve(cf), kind, table);
            }
            GenreClassifier gate = new GenreClassifier(UserVector.featureNames(), labelModel(dir, GATE));
            EigenBasis basis = EigenBasisCodec.read(dir.resolve(EIGEN));
            GenreClassifier energy = new GenreClassifier(EigenBasis.energyNames(basis.rank()), labelModel(dir, ENERGY));
            double[] bias;
            try (DataInputStream in = BinaryArrays.open(dir.resolve(BALANCED))) {
                bias = BinaryArrays.doubles(in, BALANCED);
            }
            ItemNeighbours neighbours = ItemNeighboursCodec.read(dir.resolve(NEIGHBOURS), table.size());
            ItemToItem itemToItem = ItemToItemCodec.read(dir.resolve(ITEM_TO_ITEM), table.size());
            return new MoeModel(table, experts, gate, basis, energy, bias, neighbours, itemToItem, config, provenance, compiled,
                    d.modelVersion(), shared, sharedCompiled);
        } catch (IOException e) {
            throw new InvalidBundleException("bundle " + dir + " could not be read: " + e.getMessage(), e);
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new InvalidBundleException("bundle " + dir + " is inconsistent: " + e.getMessage(), e);
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

    /** Lower-case hex sha256 of {@code bytes}, as in the manifest. */
    static String sha256(byte[] bytes) {
        return BundleManifest.sha256(bytes);
    }
}
