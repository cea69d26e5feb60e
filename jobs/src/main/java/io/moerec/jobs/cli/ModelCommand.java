package io.moerec.jobs.cli;

import io.moerec.ingest.config.KafkaClientProperties;
import io.moerec.ingest.topic.Topics;
import io.moerec.jobs.trainer.ModelAnnouncer;
import io.moerec.moe.bundle.ModelBundle;
import io.moerec.moe.lifecycle.CycleReport;
import io.moerec.moe.lifecycle.HoldoutScore;
import io.moerec.moe.lifecycle.ModelStore;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code moerec model list | announce DIR | rollback [VERSION]}: the model store of the continuous trainer, by hand. */
@Command(name = "model", mixinStandardHelpOptions = true, description = "Lists, announces and rolls back the models of a model store.",
        subcommands = {ModelCommand.ListModels.class, ModelCommand.Announce.class, ModelCommand.Rollback.class})
final class ModelCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Where the models topic is (for the commands that announce). */
    static final class AnnounceOptions {
        private static final Map<String, String> OWNED = Map.of("bootstrap.servers", "--bootstrap",
                "key.serializer", "nothing (the command's serializers)", "value.serializer", "nothing (the command's serializers)");

        @Option(names = "--bootstrap", required = true, paramLabel = "HOST:PORT", description = "Kafka bootstrap servers.")
        String bootstrap;

        @Option(names = "--kafka-property", paramLabel = "KEY=VALUE", description = "One Kafka client property (repeatable).")
        Map<String, String> kafkaProperties = new LinkedHashMap<>();

        @Option(names = "--topic", paramLabel = "NAME", description = "Models topic (default: ${DEFAULT-VALUE}).")
        String topic = Topics.MODELS.name();

        ModelAnnouncer announcer() {
            Map<String, Object> p = new TreeMap<>(KafkaClientProperties.validate("", kafkaProperties, OWNED));
            p.put("bootstrap.servers", bootstrap);
            return new ModelAnnouncer(p, topic);
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Lists the store's models, oldest first; * marks the serving one.")
    static final class ListModels implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--store", required = true, paramLabel = "DIR", description = "The model store (the trainer's store.dir).")
        Path store;

        @Override
        public Integer call() {
            ModelStore s = ModelStore.open(store);
            String serving = s.state().serving();
            PrintWriter out = spec.commandLine().getOut();
            for (ModelStore.Entry e : s.entries()) {
                out.println(line(e, e.name().equals(serving)));
            }
            out.flush();
            return 0;
        }

        static String line(ModelStore.Entry e, boolean serving) {
            CycleReport r = e.report();
            return String.format(Locale.ROOT, "%s %s  %s  %-7s  NDCG@10 %s (serving %s)  %s: %s", serving ? "*" : " ", e.name(),
                    Instant.ofEpochMilli(r.createdAt()), r.origin(), ndcg(r.candidate()), ndcg(r.serving()),
                    r.announced() ? "announced" : "not announced", r.reason());
        }

        private static String ndcg(HoldoutScore s) {
            return s == null ? "-" : String.format(Locale.ROOT, "%.4f", s.ndcg().mean());
        }
    }

    @Command(name = "announce", mixinStandardHelpOptions = true,
            description = "Verifies a bundle and announces it on the models topic. With --store it also becomes the store's serving "
                    + "model (copied into the store first if it is not one of its entries), so the trainer blesses against it.")
    static final class Announce implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "DIR", description = "A bundle directory or a store entry.")
        Path dir;

        @Option(names = "--store", paramLabel = "DIR", description = "The model store to record the announcement in.")
        Path store;

        @Mixin
        AnnounceOptions kafka;

        @Override
        public Integer call() throws IOException {
            PrintWriter out = spec.commandLine().getOut();
            try (ModelAnnouncer announcer = kafka.announcer()) {
                if (store == null) {
                    String version = ModelBundle.load(dir).version();
                    announcer.announce(dir, version);
                    out.println("announced " + version + " from " + dir.toAbsolutePath());
                } else {
                    ModelStore s = ModelStore.open(store);
                    Path abs = dir.toAbsolutePath().normalize();
                    ModelStore.Entry entry = s.entries().stream()
                            .filter(e -> e.bundle().toAbsolutePath().normalize().equals(abs)
                                    || e.bundle().getParent().toAbsolutePath().normalize().equals(abs))
                            .findFirst()
                            .orElseGet(() -> s.importBundle(dir, CycleReport.imported(System.currentTimeMillis(), "announced by hand from " + abs)));
                    serve(s, entry, announcer);
                    out.println("announced " + entry.name() + " (" + entry.bundle() + ")");
                }
            }
            out.flush();
            return 0;
        }
    }

    @Command(name = "rollback", mixinStandardHelpOptions = true,
            description = "Announces an earlier model of the store and makes it the serving one: VERSION (a bundle version or an "
                    + "entry name), or by default the newest announced model older than the serving one.")
    static final class Rollback implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", arity = "0..1", paramLabel = "VERSION", description = "The model to go back to.")
        Optional<String> version = Optional.empty();

        @Option(names = "--store", required = true, paramLabel = "DIR", description = "The model store (the trainer's store.dir).")
        Path store;

        @Mixin
        AnnounceOptions kafka;

        @Override
        public Integer call() throws IOException {
            ModelStore s = ModelStore.open(store);
            String was = s.state().serving();
            ModelStore.Entry target = s.rollbackTarget(version);
            try (ModelAnnouncer announcer = kafka.announcer()) {
                serve(s, target, announcer);
            }
            PrintWriter out = spec.commandLine().getOut();
            out.println("rolled back to " + target.name() + " (was " + (was == null ? "none" : was) + ")");
            out.flush();
            return 0;
        }
    }

    /** Makes {@code entry} the serving one: committed as not yet announced, announced, then marked announced. */
    static void serve(ModelStore store, ModelStore.Entry entry, ModelAnnouncer announcer) throws IOException {
        store.update(st -> st.withServing(entry.name(), false));
        announcer.announce(entry.bundle(), entry.version());
        store.update(st -> entry.name().equals(st.serving()) ? st.withServing(entry.name(), true) : st);
    }
}
