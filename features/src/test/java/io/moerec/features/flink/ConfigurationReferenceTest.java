package io.moerec.features.flink;

import io.moerec.ingest.config.ConfigurationReference;
import org.junit.jupiter.api.Test;

/**
 * features/CONFIGURATION.md is what {@link FeaturesJobConfig#SPEC} generates, so the keys' defaults
 * and descriptions have one source. {@code -Dmoerec.config.regenerate=true} rewrites the file.
 */
class ConfigurationReferenceTest {

    @Test
    void theCommittedReferenceIsGeneratedFromTheKeySpec() throws Exception {
        ConfigurationReference.assertCommitted(FeaturesJobConfig.referencePage(), "features", "FeaturesJobConfig.SPEC");
    }
}
