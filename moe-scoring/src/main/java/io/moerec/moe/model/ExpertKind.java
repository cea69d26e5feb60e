package io.moerec.moe.model;

/**
 * The model family of the genre experts. {@link #LINEAR}: Tribuo logistic regression
 * ({@code LinearSGDTrainer}, log loss) over explicit user × movie crosses. {@link #FM}: Tribuo's
 * factorization machine ({@code FMClassificationTrainer}, log loss) over the raw user and movie
 * features, learning the interactions as low-rank factors.
 */
public enum ExpertKind {
    LINEAR,
    FM
}
