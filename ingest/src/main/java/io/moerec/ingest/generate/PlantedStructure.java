package io.moerec.ingest.generate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.moerec.ingest.domain.Genre;
import io.moerec.ingest.domain.GenreSet;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The ground truth planted in a synthetic data set: the taste clusters with their planted genres,
 * and the cluster of every user (user {@code u<i+1>} has index i). Immutable. The generator knows it
 * before writing a single event ({@link SyntheticDataGenerator#plantedStructure()}), and writes it next
 * to the data as {@value #MANIFEST_FILE} (clusters) and {@value #USERS_FILE} (one line per user), from
 * which {@link #read(Path)} restores it.
 */
public final class PlantedStructure {

    public static final String MANIFEST_FILE = "manifest.json";
    public static final String USERS_FILE = "users.jsonl";

    private final List<TasteCluster> clusters;
    private final int[] userCluster;

    public PlantedStructure(List<TasteCluster> clusters, int[] userCluster) {
        this.clusters = List.copyOf(clusters);
        this.userCluster = userCluster.clone();
        for (int i = 0; i < this.clusters.size(); i++) {
            if (this.clusters.get(i).index() != i) {
                throw new IllegalArgumentException("cluster at position " + i + " has index " + this.clusters.get(i).index());
            }
        }
        for (int i = 0; i < this.userCluster.length; i++) {
            if (this.userCluster[i] < 0 || this.userCluster[i] >= this.clusters.size()) {
                throw new IllegalArgumentException("user " + userId(i) + " has cluster " + this.userCluster[i]
                        + ", there are " + this.clusters.size());
            }
        }
    }

    /** The id of the user with this 0-based index: {@code u1}, {@code u2}, ... */
    public static String userId(int index) {
        return "u" + (index + 1);
    }

    /** The 0-based index of a generated user id, if it is one. */
    public static OptionalInt userIndex(String userId) {
        if (userId.length() < 2 || userId.charAt(0) != 'u' || userId.length() > 11 || userId.charAt(1) == '0') {
            return OptionalInt.empty();
        }
        for (int i = 1; i < userId.length(); i++) {
            if (userId.charAt(i) < '0' || userId.charAt(i) > '9') {
                return OptionalInt.empty();
            }
        }
        long v = Long.parseLong(userId.substring(1));
        return v <= Integer.MAX_VALUE ? OptionalInt.of((int) (v - 1)) : OptionalInt.empty();
    }

    public List<TasteCluster> clusters() {
        return clusters;
    }

    public TasteCluster cluster(int index) {
        return clusters.get(index);
    }

    public int users() {
        return userCluster.length;
    }

    /** The cluster index of the user with this 0-based index. */
    public int clusterOfUser(int userIndex) {
        return userCluster[userIndex];
    }

    /** The cluster index of a user id, empty when the id is not one of this data set's users. */
    public OptionalInt clusterOf(String userId) {
        OptionalInt i = userIndex(userId);
        return i.isPresent() && i.getAsInt() < userCluster.length ? OptionalInt.of(userCluster[i.getAsInt()]) : OptionalInt.empty();
    }

    /** The planted genres of a user's cluster, empty when the id is not one of this data set's users. */
    public Optional<GenreSet> plantedGenresOf(String userId) {
        OptionalInt c = clusterOf(userId);
        return c.isPresent() ? Optional.of(clusters.get(c.getAsInt()).plantedGenres()) : Optional.empty();
    }

    /** Number of users in each cluster. */
    public int[] clusterSizes() {
        int[] n = new int[clusters.size()];
        for (int c : userCluster) {
            n[c]++;
        }
        return n;
    }

    /**
     * Reads the structure a generator wrote to {@code dir}.
     *
     * @throws IllegalArgumentException if the files are missing or not what the generator writes
     */
    public static PlantedStructure read(Path dir) {
        ObjectMapper mapper = new ObjectMapper();
        Path manifest = dir.resolve(MANIFEST_FILE);
        Path users = dir.resolve(USERS_FILE);
        try {
            JsonNode root = mapper.readTree(manifest.toFile());
            List<TasteCluster> clusters = new ArrayList<>();
            for (JsonNode c : required(root, "clusters", manifest)) {
                GenreSet set = GenreSet.EMPTY;
                for (JsonNode g : required(c, "plantedGenres", manifest)) {
                    set = set.with(Genre.fromWireName(g.asText()).orElseThrow(() -> new IllegalArgumentException(
                            manifest + ": unknown genre '" + g.asText() + "'")));
                }
                clusters.add(new TasteCluster(required(c, "cluster", manifest).asInt(), set));
            }
            int n = required(required(root, "counts", manifest), "users", manifest).asInt();
            int[] userCluster = new int[n];
            Arrays.fill(userCluster, -1);
            try (BufferedReader r = Files.newBufferedReader(users, StandardCharsets.UTF_8)) {
                String line;
                int lineNo = 0;
                while ((line = r.readLine()) != null) {
                    lineNo++;
                    JsonNode u = mapper.readTree(line);
                    String id = required(u, "userId", users).asText();
                    OptionalInt idx = userIndex(id);
                    if (idx.isEmpty() || idx.getAsInt() >= n) {
                        throw new IllegalArgumentException(users + " line " + lineNo + ": unexpected user id '" + id + "'");
                    }
                    userCluster[idx.getAsInt()] = required(u, "cluster", users).asInt();
                }
            }
            for (int i = 0; i < n; i++) {
                if (userCluster[i] < 0) {
                    throw new IllegalArgumentException(users + " has no line for user " + userId(i));
                }
            }
            return new PlantedStructure(clusters, userCluster);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the planted structure in " + dir, e);
        }
    }

    private static JsonNode required(JsonNode node, String field, Path file) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            throw new IllegalArgumentException(file + ": field '" + field + "' is missing");
        }
        return v;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PlantedStructure p && clusters.equals(p.clusters) && Arrays.equals(userCluster, p.userCluster);
    }

    @Override
    public int hashCode() {
        return 31 * clusters.hashCode() + Arrays.hashCode(userCluster);
    }

    @Override
    public String toString() {
        return "PlantedStructure{clusters=" + clusters + ", users=" + userCluster.length + "}";
    }
}
