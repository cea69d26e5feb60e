package io.moerec.moe.streams;

import io.moerec.ingest.config.ConfigurationReference;
import org.junit.jupiter.api.Test;

/**
 * moe-scoring/CONFIGURATION.md is what {@link ScoringConfig#SPEC} generates, so the keys' defaults
 * and descriptions have one source. {@code -Dmoerec.config.regenerate=true} rewrites the file.
 */
class ConfigurationReferenceTest {

    @Test
    void theCommittedReferenceIsGeneratedFromTheKeySpec() throws Exception {
        ConfigurationReference.assertCommitted(ScoringConfig.referencePage(), "moe-scoring", "ScoringConfig.SPEC");
    }
}
