package io.moerec.moe;

import java.util.Map;
import java.util.Objects;

/**
 * Where a model came from: the data (description, event-time range, sizes), the hyper-parameters,
 * the versions of the feature logic, the user vector and the genre vocabulary, and the training
 * metrics. Stored as JSON in every bundle and compared on load.
 *
 * @param data            description of the training data set
 * @param firstEventTime  earliest training event time, epoch ms
 * @param lastEventTime   latest training event time, epoch ms
 * @param events          events replayed
 * @param interactions    training interactions (positives) with point-in-time features
 * @param users           users seen
 * @param movies          movies in the model's table
 * @param featureVersion  {@code PreferenceFeatureLogic.FEATURE_VERSION} the features came from
 * @param userVectorVersion {@code UserVector.VERSION}
 * @param genreVocabularyVersion {@code Genre.VOCABULARY_VERSION}
 * @param hyperParameters {@link TrainingConfig#toMap()}, feature configuration included
 * @param metrics         training metrics (per-expert sizes and times, gate accuracy, total time)
 */
public record TrainingProvenance(String data, long firstEventTime, long lastEventTime, long events, long interactions,
                                 int users, int movies, int featureVersion, int userVectorVersion,
                                 int genreVocabularyVersion, Map<String, String> hyperParameters,
                                 Map<String, Double> metrics) {

    /** The metric holding when training finished (epoch ms); the scoring app reports the serving model's age from it. */
    public static final String TRAINED_AT_METRIC = "train.finished.epoch-millis";

    public TrainingProvenance {
        Objects.requireNonNull(data, "data");
        hyperParameters = Map.copyOf(hyperParameters);
        metrics = Map.copyOf(metrics);
    }
}
