/**
 * The records of the engine ({@link io.moerec.ingest.domain.ViewingEvent},
 * {@link io.moerec.ingest.domain.Movie}, {@link io.moerec.ingest.domain.UserPreferenceFeatures},
 * {@link io.moerec.ingest.domain.RecommendationList},
 * {@link io.moerec.ingest.domain.ModelAnnouncement}) and the fixed vocabularies they use, as
 * immutable values.
 */
package io.moerec.ingest.domain;
