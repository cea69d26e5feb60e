package io.moerec.moe.eval;

import java.util.function.LongPredicate;

/**
 * Anything the evaluation ranks with: given a test user (id and the {@code UserVector} after their
 * training events) and the items to exclude, return up to k movie ids, best first. Every method sees
 * the same candidates (the model's table minus exclusions) and is scored by the same metric code.
 */
public interface RankingMethod {

    String name();

    long[] recommend(String userId, double[] user, LongPredicate excluded, int k);
}
