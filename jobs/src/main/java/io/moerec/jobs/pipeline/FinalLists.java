package io.moerec.jobs.pipeline;

import io.moerec.ingest.domain.RecommendationList;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Each user's latest list, which users were active in the live part, and the few featured users whose
 * lists the live view shows. Thread-safe: every method synchronizes on this object.
 */
final class FinalLists {

    private static final int FEATURED_CANDIDATES = 100;

    private final Map<String, RecommendationList> latest = new HashMap<>();
    private final Set<String> active = new HashSet<>();
    /** The first users with a live event; featured once they have a list, and kept once chosen. */
    private final Set<String> featuredCandidates = new LinkedHashSet<>();
    private final List<String> featuredUsers = new ArrayList<>();

    synchronized void liveEventPublished(String userId) {
        active.add(userId);
        if (featuredCandidates.size() < FEATURED_CANDIDATES) {
            featuredCandidates.add(userId);
        }
    }

    synchronized void listPublished(RecommendationList list) {
        latest.put(list.userId(), list);
    }

    synchronized Optional<RecommendationList> latestList(String userId) {
        return Optional.ofNullable(latest.get(userId));
    }

    /** Every user's latest list as movie ids in rank order, by user id. */
    synchronized Map<String, List<Long>> finalLists() {
        Map<String, List<Long>> out = new TreeMap<>();
        latest.forEach((id, l) -> out.put(id, l.items().stream().map(RecommendationList.RecommendedItem::movieId).toList()));
        return out;
    }

    /** Users with at least one live event, and of them those with a list. */
    synchronized long[] activeUsersWithLists() {
        long withList = active.stream().filter(latest::containsKey).count();
        return new long[] {active.size(), withList};
    }

    /** The latest lists of up to {@value PipelineObservations#FEATURED_USERS} featured users. */
    synchronized List<RecommendationList> featured() {
        for (String u : featuredCandidates) {
            if (featuredUsers.size() == PipelineObservations.FEATURED_USERS) {
                break;
            }
            if (!featuredUsers.contains(u) && latest.containsKey(u)) {
                featuredUsers.add(u);
            }
        }
        List<RecommendationList> out = new ArrayList<>();
        for (String u : featuredUsers) {
            out.add(latest.get(u));
        }
        return out;
    }
}
