package io.moerec.features.flink;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * features/CONFIGURATION.md is what {@link FeaturesJobConfig#SPEC} generates, so the keys' defaults
 * and descriptions have one source. {@code -Dmoerec.config.regenerate=true} rewrites the file.
 */
class ConfigurationReferenceTest {

    @Test
    void theCommittedReferenceIsGeneratedFromTheKeySpec() throws Exception {
        Path file = Path.of("CONFIGURATION.md");
        String generated = FeaturesJobConfig.referencePage();
        if (Boolean.getBoolean("moerec.config.regenerate")) {
            Files.writeString(file, generated, StandardCharsets.UTF_8);
        }
        assertEquals(generated, Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "",
                "features/CONFIGURATION.md differs from FeaturesJobConfig.SPEC; regenerate it with "
                        + "mvn -o -pl ingest,features test -Dtest=ConfigurationReferenceTest "
                        + "-Dsurefire.failIfNoSpecifiedTests=false -Dmoerec.config.regenerate=true");
    }
}
