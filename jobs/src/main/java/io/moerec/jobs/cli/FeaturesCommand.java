package io.moerec.jobs.cli;

import io.moerec.features.flink.FeaturesJobConfig;
import io.moerec.jobs.features.FeaturesJob;
import io.moerec.jobs.process.ChildJvm;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code moerec features}: runs the Flink features job on a local MiniCluster against any Kafka, in
 * the foreground until Ctrl-C, with the keys of the job's jar ({@link FeaturesJobConfig}). The
 * configuration is validated here first (a bad key or value: one line naming it, exit 2); the job
 * then runs in a child JVM, as in the demo, on this JVM's classpath without Kafka Streams' RocksDB
 * build (Flink's frocksdbjni and Kafka's rocksdbjni both ship {@code org.rocksdb.*}; with both on one
 * classpath incremental Flink checkpoints fail), with the JVM options Flink's distribution uses on
 * Java 17. Its output is this command's; its exit code is the command's.
 */
@Command(name = "features", mixinStandardHelpOptions = true,
        description = "Runs the Flink features job (viewing-events + movies -> user-features) on a local MiniCluster "
                + "until Ctrl-C. Needs at least -s bootstrap.servers=HOST:PORT; every key: features/CONFIGURATION.md, "
                + "each also as MOEREC_FEATURES_<KEY>; precedence file < environment < -s.")
final class FeaturesCommand implements Callable<Integer> {

    /** Exit code of a bad key or value, as for a bad option. */
    static final int BAD_CONFIGURATION = 2;
    private static final Duration STOP_WAIT = Duration.ofSeconds(15);

    @Spec
    CommandSpec spec;

    @Option(names = "--config", description = "a properties file of configuration keys")
    Path configFile;

    @Option(names = {"-s", "--set"}, description = "key=value, overrides the file and MOEREC_FEATURES_* variables (repeatable)")
    Map<String, String> settings = new LinkedHashMap<>();

    @Option(names = "--java-options", split = " ", description = "options of the job's JVM (default: -Xmx1g)")
    List<String> javaOptions = new ArrayList<>(List.of("-Xmx1g"));

    @Override
    public Integer call() throws Exception {
        try {
            FeaturesJobConfig.load(configFile, System.getenv(), settings);
        } catch (IllegalArgumentException e) {
            spec.commandLine().getErr().println("moerec features: " + e.getMessage());
            spec.commandLine().getErr().flush();
            return BAD_CONFIGURATION;
        }
        ProcessBuilder pb = new ProcessBuilder(command(System.getProperty("java.class.path"))).inheritIO();
        Process job = pb.start();
        // Ctrl-C or a SIGTERM to this JVM, or an interrupt of this thread, stops the job politely
        // (Flink deletes its temporary files).
        Thread stopJob = new Thread(() -> stop(job), "stop-features-job");
        Runtime.getRuntime().addShutdownHook(stopJob);
        int exit;
        try {
            exit = job.waitFor();
        } catch (InterruptedException e) {
            stop(job);
            Thread.currentThread().interrupt();
            throw e;
        }
        try {
            Runtime.getRuntime().removeShutdownHook(stopJob);
        } catch (IllegalStateException shuttingDown) {
            // The hook is running already: it stops the job.
        }
        return exit;
    }

    /** SIGTERM, then a kill past {@link #STOP_WAIT}. */
    private static void stop(Process job) {
        job.destroy();
        try {
            if (!job.waitFor(STOP_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                job.destroyForcibly();
            }
        } catch (InterruptedException e) {
            job.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    /** {@code java <options> -cp <classpath without rocksdbjni> FeaturesJob --config ... -s ...}. */
    List<String> command(String classpath) {
        List<String> c = new ArrayList<>();
        c.add(ChildJvm.javaExecutable());
        c.addAll(ChildJvm.FLINK_JAVA_17_OPTIONS);
        c.addAll(javaOptions);
        c.addAll(List.of("-cp", ChildJvm.classpathWithout(classpath, "/rocksdbjni-")));
        c.add(FeaturesJob.class.getName());
        if (configFile != null) {
            c.addAll(List.of("--config", configFile.toString()));
        }
        settings.forEach((k, v) -> c.addAll(List.of("-s", k + "=" + v)));
        return c;
    }
}
