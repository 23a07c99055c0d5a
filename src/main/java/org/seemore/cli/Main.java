package org.seemore.cli;

import java.io.PrintWriter;
import org.seemore.UserException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code seemore} command line: one subcommand class per command. */
@Command(name = "seemore", mixinStandardHelpOptions = true, version = "seemore 0.1.0",
        description = "A Mixture-of-Experts vision-language model in pure Java: train it, caption images with it.",
        subcommands = {
                DemoCommand.class,
                TrainCommand.class,
                CaptionCommand.class,
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
        cli.setParameterExceptionHandler((ex, params) -> {
            CommandLine cmd = ex.getCommandLine();
            cmd.getErr().println("seemore " + cmd.getCommandName() + ": " + ex.getMessage() + " (see 'seemore "
                    + (cmd.getParent() == null ? "" : cmd.getCommandName() + " ") + "--help')");
            return 2;
        });
        cli.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            if (ex instanceof UserException) {
                commandLine.getErr().println("seemore: " + ex.getMessage());
                return 2;
            }
            throw ex;
        });
        return cli.execute(args);
    }
}
