package io.moerec.moe.bundle;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.moerec.features.PreferenceFeatureLogic;
import io.moerec.ingest.domain.Genre;
import io.moerec.moe.MoeModel;
import io.moerec.moe.model.ExpertKind;
import io.moerec.moe.model.UserVector;
import io.moerec.moe.TrainingConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A bundle's {@code bundle.json}: the format, model, genre-vocabulary, feature-logic and user-vector
 * versions, the expert kind, which experts the bundle holds, and the training configuration.
 * {@link #read} accepts only what this build can score with and fails naming the field that differs.
 *
 * @param modelVersion the content hash given by {@link BundleManifest#version()}
 * @param experts      wire names of the genres that have an expert, in genre order
 * @param sharedExpert whether the bundle holds the shared expert
 */
record BundleDescriptor(String modelVersion, TrainingConfig config, ExpertKind expertKind, List<String> experts,
                        boolean sharedExpert) {

    static void write(Path file, String version, MoeModel model, List<String> experts) throws IOException {
        ObjectNode d = ModelBundle.JSON.createObjectNode();
        d.put("formatVersion", ModelBundle.FORMAT_VERSION);
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
        d.set("config", ModelBundle.JSON.valueToTree(new TreeMap<>(model.config().toMap())));
        ModelBundle.JSON.writeValue(file.toFile(), d);
    }

    /**
     * Reads the descriptor of bundle {@code dir} and checks its versions against this build.
     *
     * @throws InvalidBundleException on a version or vocabulary this build does not read
     * @throws IllegalArgumentException on a configuration or expert kind that does not parse
     */
    static BundleDescriptor read(Path dir) throws IOException {
        JsonNode d = ModelBundle.JSON.readTree(dir.resolve(ModelBundle.DESCRIPTOR).toFile());
        int format = d.path("formatVersion").asInt(-1);
        if (format != ModelBundle.FORMAT_VERSION) {
            throw new InvalidBundleException("bundle " + dir + " has format version " + format + "; this build reads version "
                    + ModelBundle.FORMAT_VERSION);
        }
        expectVersion(dir, "genreVocabularyVersion", d, Genre.VOCABULARY_VERSION);
        List<String> genres = new ArrayList<>();
        d.path("genres").forEach(n -> genres.add(n.asText()));
        List<String> ours = Arrays.stream(Genre.values()).map(Genre::wireName).toList();
        if (!genres.equals(ours)) {
            throw new InvalidBundleException("bundle " + dir + " genre vocabulary " + genres + " differs from this build's " + ours);
        }
        expectVersion(dir, "featureVersion", d, PreferenceFeatureLogic.FEATURE_VERSION);
        expectVersion(dir, "userVectorVersion", d, UserVector.VERSION);
        String version = d.path("modelVersion").asText();
        Map<String, String> settings = new HashMap<>(ModelBundle.JSON.convertValue(d.path("config"),
                new TypeReference<Map<String, String>>() {
                }));
        // Bundles written before the key existed were trained with the knn signal (today's default is without).
        settings.putIfAbsent("train.knnSignal", "true");
        TrainingConfig config = TrainingConfig.fromMap(settings);
        ExpertKind kind = ExpertKind.valueOf(d.path("expertKind").asText());
        if (kind != config.expert().kind()) {
            throw new InvalidBundleException("bundle " + dir + ": expertKind " + kind + " disagrees with its configuration");
        }
        List<String> experts = new ArrayList<>();
        d.path("experts").forEach(n -> experts.add(n.asText()));
        return new BundleDescriptor(version, config, kind, List.copyOf(experts), d.path("sharedExpert").asBoolean(false));
    }

    private static void expectVersion(Path dir, String field, JsonNode d, int expected) {
        int v = d.path(field).asInt(-1);
        if (v != expected) {
            throw new InvalidBundleException("bundle " + dir + " has " + field + " " + v + "; this build needs " + expected);
        }
    }
}
