package org.seemore.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code seemore bench}: the parent of the benchmark subcommands; alone it prints their list. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Measure how fast seemore runs on this machine.",
        subcommands = {BenchGemmCommand.class, BenchKernelsCommand.class, BenchTrainCommand.class, BenchServeCommand.class, BenchGenerateCommand.class})
public final class BenchCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
