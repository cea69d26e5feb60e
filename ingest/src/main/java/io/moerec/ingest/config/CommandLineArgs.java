package io.moerec.ingest.config;

import java.io.IOException;
import java.io.PrintWriter;
import picocli.CommandLine;

/**
 * The command line of a {@code java -jar} entry point (the scoring app, the trainer): picocli parses
 * it, help and version are printed to standard output, and a bad argument, variable, key or value is
 * one line naming it and exit {@value #USAGE_ERROR}, never a stack trace.
 */
public final class CommandLineArgs {

    /** Exit code of a bad argument, variable, key or value (picocli's, as the {@code moerec} CLI's). */
    public static final int USAGE_ERROR = 2;

    private CommandLineArgs() {
    }

    /**
     * Parses {@code args} into {@code cli} (a picocli-annotated object); false when usage or version help
     * was asked for, and printed.
     *
     * @throws IllegalArgumentException naming a bad argument
     */
    public static boolean parse(Object cli, String[] args) {
        try {
            return !CommandLine.printHelpIfRequested(new CommandLine(cli).parseArgs(args));
        } catch (CommandLine.ParameterException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    /** The one line of a bad argument, variable, key or value, or of an unreadable configuration file. */
    public static void printUsageError(PrintWriter err, String app, Exception e) {
        err.println(app + ": " + (e instanceof IOException ? "cannot read the configuration: " : "") + e.getMessage()
                + " (--help lists the options)");
        err.flush();
    }
}
