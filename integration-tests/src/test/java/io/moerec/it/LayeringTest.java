package io.moerec.it;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.core.importer.Location;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The module layering as a test: the build fails on an arrow that should not exist. It lives here
 * because only this module has every module's classes on its test classpath. Main classes only: the
 * layering is that of what ships; each module's tests may additionally use its test libraries.
 *
 * <p>Layers: ingest &lt;- the pure feature logic (io.moerec.features) &lt;- its Flink pipeline
 * (io.moerec.features.flink) and the MoE (io.moerec.moe, with the Kafka Streams app in
 * io.moerec.moe.streams) &lt;- jobs. The pure packages import no framework; each framework stays
 * in the package that adapts it; the embedded broker's jars only in io.moerec.jobs.broker.
 */
@AnalyzeClasses(packages = "io.moerec", importOptions = {ImportOption.DoNotIncludeTests.class, LayeringTest.NoTestJars.class})
class LayeringTest {

    /**
     * Main classes only. Under {@code mvn verify} the other modules' test classes come from their test
     * jars ({@code *-tests.jar}), which {@link ImportOption.DoNotIncludeTests} (test-classes directories)
     * does not recognise.
     */
    static final class NoTestJars implements ImportOption {
        @Override
        public boolean includes(Location location) {
            return !location.contains("-tests.jar");
        }
    }

    static final String FLINK = "org.apache.flink..";
    static final String KAFKA = "org.apache.kafka..";
    static final String KAFKA_STREAMS = "org.apache.kafka.streams..";

    /**
     * The packages of the broker's jars (kafka_2.13 with Scala, kafka-server, kafka-server-common,
     * kafka-metadata, kafka-raft, kafka-storage, the coordinators). Of them EmbeddedKafkaBroker uses
     * exactly kafka.server.KafkaConfig and kafka.server.KafkaRaftServer (to run the broker),
     * org.apache.kafka.metadata.storage.Formatter (to format its storage) and
     * org.apache.kafka.server.common.MetadataVersion; TopicSetup needs only kafka-clients' Admin.
     * kafka-clients itself has a few plug-in interfaces under org.apache.kafka.server (authorizer,
     * policy, quota, telemetry), which nothing of moerec uses either.
     */
    static final String[] BROKER = {"kafka..", "scala..", "org.apache.kafka.server..", "org.apache.kafka.metadata..",
            "org.apache.kafka.raft..", "org.apache.kafka.controller..", "org.apache.kafka.storage..",
            "org.apache.kafka.image..", "org.apache.kafka.coordinator.."};

    static final DescribedPredicate<JavaClass> PURE_FEATURES =
            resideInAPackage("io.moerec.features..").and(not(resideInAPackage("io.moerec.features.flink..")))
                    .as("the pure feature logic (io.moerec.features, not ..flink..)");

    static final DescribedPredicate<JavaClass> PURE_MOE =
            resideInAPackage("io.moerec.moe..").and(not(resideInAPackage("io.moerec.moe.streams..")))
                    .as("the pure MoE (io.moerec.moe, not ..streams..)");

    static final ArchRule MODULES_USE_ONLY_THE_MODULES_BELOW_THEM = layeredArchitecture()
            .consideringOnlyDependenciesInLayers()
            .layer("ingest").definedBy("io.moerec.ingest..")
            .layer("feature logic").definedBy(PURE_FEATURES)
            .layer("features pipeline").definedBy("io.moerec.features.flink..")
            .layer("moe").definedBy("io.moerec.moe..")
            .layer("jobs").definedBy("io.moerec.jobs..")
            .whereLayer("ingest").mayNotAccessAnyLayer()
            .whereLayer("feature logic").mayOnlyAccessLayers("ingest")
            .whereLayer("features pipeline").mayOnlyAccessLayers("ingest", "feature logic")
            .whereLayer("moe").mayOnlyAccessLayers("ingest", "feature logic")
            .whereLayer("jobs").mayNotBeAccessedByAnyLayer();

    static final ArchRule FEATURE_LOGIC_IMPORTS_NO_FLINK_NOR_KAFKA = noClasses().that(PURE_FEATURES)
            .should().dependOnClassesThat().resideInAnyPackage(FLINK, KAFKA);

    static final ArchRule PURE_MOE_IMPORTS_NO_KAFKA_NOR_FLINK = noClasses().that(PURE_MOE)
            .should().dependOnClassesThat().resideInAnyPackage(KAFKA, FLINK);

    static final ArchRule KAFKA_STREAMS_ONLY_IN_THE_SCORING_APP_AND_JOBS = noClasses()
            .that().resideOutsideOfPackages("io.moerec.moe.streams..", "io.moerec.jobs..")
            .should().dependOnClassesThat().resideInAPackage(KAFKA_STREAMS);

    /** Integration tests use Flink too; they are not imported here (main classes only). */
    static final ArchRule FLINK_ONLY_IN_THE_FEATURES_PIPELINE_AND_JOBS = noClasses()
            .that().resideOutsideOfPackages("io.moerec.features.flink..", "io.moerec.jobs..")
            .should().dependOnClassesThat().resideInAPackage(FLINK);

    static final ArchRule BROKER_JARS_ONLY_IN_THE_EMBEDDED_BROKER = noClasses()
            .that().resideOutsideOfPackage("io.moerec.jobs.broker..")
            .should().dependOnClassesThat().resideInAnyPackage(BROKER);

    /** Every package is its own slice, so a cycle between a package and its sub-package counts too. */
    static final ArchRule NO_CYCLES_BETWEEN_PACKAGES = slices().matching("io.moerec.(**)").should().beFreeOfCycles();

    // @ArchTest methods rather than @ArchTest fields: Surefire 3.5.3 silently runs no field rules.

    @ArchTest
    void modulesUseOnlyTheModulesBelowThem(JavaClasses classes) {
        MODULES_USE_ONLY_THE_MODULES_BELOW_THEM.check(classes);
    }

    @ArchTest
    void featureLogicImportsNoFlinkNorKafka(JavaClasses classes) {
        FEATURE_LOGIC_IMPORTS_NO_FLINK_NOR_KAFKA.check(classes);
    }

    @ArchTest
    void pureMoeImportsNoKafkaNorFlink(JavaClasses classes) {
        PURE_MOE_IMPORTS_NO_KAFKA_NOR_FLINK.check(classes);
    }

    @ArchTest
    void kafkaStreamsOnlyInTheScoringAppAndJobs(JavaClasses classes) {
        KAFKA_STREAMS_ONLY_IN_THE_SCORING_APP_AND_JOBS.check(classes);
    }

    @ArchTest
    void flinkOnlyInTheFeaturesPipelineAndJobs(JavaClasses classes) {
        FLINK_ONLY_IN_THE_FEATURES_PIPELINE_AND_JOBS.check(classes);
    }

    @ArchTest
    void brokerJarsOnlyInTheEmbeddedBroker(JavaClasses classes) {
        BROKER_JARS_ONLY_IN_THE_EMBEDDED_BROKER.check(classes);
    }

    @ArchTest
    void noCyclesBetweenPackages(JavaClasses classes) {
        NO_CYCLES_BETWEEN_PACKAGES.check(classes);
    }
}
