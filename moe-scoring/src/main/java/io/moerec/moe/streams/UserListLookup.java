package io.moerec.moe.streams;

/**
 * What the HTTP resource needs of a look-up: a user's last list, or why not. {@link RecommendationLookup}
 * answers from Kafka Streams' interactive queries; tests give {@link ScoringHttpServer} a stub.
 */
@FunctionalInterface
interface UserListLookup {

    /** Never throws for a valid id; the id has passed {@code EventRules.checkId}. */
    RecommendationLookup.Result find(String userId);
}
