package io.moerec.moe;

import io.moerec.moe.train.MoeTrainer;
import org.slf4j.bridge.SLF4JBridgeHandler;

/** Trained models shared by test classes in one JVM, so the suite trains each world once. */
public final class Fixtures {

    private static PlantedTastes world;
    private static MoeModel model;
    private static final java.util.Map<TrainingConfig, MoeModel> BY_CONFIG = new java.util.HashMap<>();

    private Fixtures() {
    }

    /** Routes Tribuo's java.util.logging to SLF4J, as entry points do. */
    public static synchronized void routeJulToSlf4j() {
        if (!SLF4JBridgeHandler.isInstalled()) {
            SLF4JBridgeHandler.removeHandlersForRootLogger();
            SLF4JBridgeHandler.install();
        }
    }

    /** 300 users with uniform planted tastes over 18 genres × 12 movies. */
    public static synchronized PlantedTastes world() {
        if (world == null) {
            world = new PlantedTastes(300, 12, 15, 35, 0.8, false, 5);
        }
        return world;
    }

    /** The plain mixture on the single-stage path: no shared expert, genre experts trained on their genre only. */
    public static final TrainingConfig PLAIN = TrainingConfig.defaults().withShared(0, false).withResidualExperts(false)
            .withSingleStage();

    /** A model trained on {@link #world()} with {@code config}, trained once per configuration per JVM. */
    public static synchronized MoeModel model(TrainingConfig config) {
        if (config.equals(TrainingConfig.defaults())) {
            return model();
        }
        routeJulToSlf4j();
        return BY_CONFIG.computeIfAbsent(config, c -> MoeTrainer.train(world().asDataSet(), c));
    }

    /** A model trained on {@link #world()} with the default configuration. */
    public static synchronized MoeModel model() {
        if (model == null) {
            routeJulToSlf4j();
            model = MoeTrainer.train(world().asDataSet(), TrainingConfig.defaults());
        }
        return model;
    }
}
