package org.seemore.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code seemore} command line: one subcommand class per command. */
@Command(name = "seemore", mixinStandardHelpOptions = true, version = "seemore " + org.seemore.Version.NUMBER,
        description = "A Mixture-of-Experts vision-language model in pure Java: train it, caption images with it.",
        subcommands = {
                DemoCommand.class,
                TrainCommand.class,
                CaptionCommand.class,
                ChatCommand.class,
                ServeCommand.class,
                EvalCommand.class,
                SynthCommand.class,
                ParityCommand.class,
                BenchCommand.class,
                CommandLine.HelpCommand.class
        })
public final class Main implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static void main(String[] args) {
        // libraries (Javalin, Jinjava) log through SLF4J: warnings and errors only, unless the user asks for more
        if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        System.exit(execute(args));
    }

    /** Runs the CLI and returns the exit code; user errors print one line, never a stack trace. */
    public static int execute(String... args) {
        return execute(new PrintWriter(System.err, true), args);
    }

    /** As {@link #execute(String...)}, with error messages going to {@code err}. */
    public static int execute(PrintWriter err, String... args) {
        CommandLine cli = new CommandLine(new Main());
        cli.setErr(err);
        ErrorHandling.install(cli);
        try {
            return cli.execute(args);
        } catch (OutOfMemoryError e) { // picocli hands Exceptions to the handler, but lets Errors through
            err.println(ErrorHandling.outOfMemory());
            return ErrorHandling.USER_ERROR;
        }
    }
}
