package io.moerec.ingest.generate;

import io.moerec.ingest.domain.GenreSet;
import java.util.Objects;

/**
 * One planted taste cluster of a synthetic data set: its users draw most picks from the movies of
 * its 2 or 3 planted genres, complete them more often and rate them higher. Tests and the MoE
 * trainer use it as ground truth for what the experts and the gate should find.
 *
 * @param index          cluster number, 0 to clusters - 1
 * @param plantedGenres  the genres the cluster prefers (2 or 3)
 */
public record TasteCluster(int index, GenreSet plantedGenres) {

    public TasteCluster {
        Objects.requireNonNull(plantedGenres, "plantedGenres");
        if (index < 0) {
            throw new IllegalArgumentException("index must not be negative, got " + index);
        }
    }
}
