package io.moerec.jobs.cli;

import io.moerec.ingest.config.MoerecVersion;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * The {@code moerec} command line: parses, validates (a bad value stops with the option's name and
 * exit code 2), and hands over to the tested classes ({@code EmbeddedKafkaBroker}, {@code Replayer},
 * {@code CatalogLoader}). A failure at run time prints one line to standard error and exits 1; the
 * stack trace goes to the log at DEBUG. Every command has {@code --help}.
 */
@Command(name = "moerec", mixinStandardHelpOptions = true, versionProvider = MoerecCli.Version.class,
        description = "Streaming movie recommendations on Kafka, Flink and a Mixture-of-Experts.",
        subcommands = {DemoCommand.class, BenchCommand.class, GenerateCommand.class, BrokerCommand.class, ReplayCommand.class, CatalogCommand.class,
                TrainCommand.class, EvaluateCommand.class, FeaturesCommand.class, ScoreCommand.class, TrainerCommand.class, ModelCommand.class,
                CommandLine.HelpCommand.class})
public final class MoerecCli implements Runnable {

    @Spec
    CommandSpec spec;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The configured command line, also what tests drive (with their own writers). */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new MoerecCli());
        cl.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            org.slf4j.LoggerFactory.getLogger(MoerecCli.class).debug("command failed", e);
            PrintWriter err = commandLine.getErr();
            err.println(commandLine.getColorScheme().errorText("moerec " + commandLine.getCommandName() + ": " + e.getMessage()));
            err.flush();
            return commandLine.getCommandSpec().exitCodeOnExecutionException();
        });
        return cl;
    }

    @Override
    public void run() {
        // No sub-command: say what there is rather than doing nothing silently.
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** The build's version ({@link MoerecVersion}). */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"moerec " + MoerecVersion.current()};
        }
    }
}
