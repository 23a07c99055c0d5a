package org.seemore.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code seemore bench}: the benchmarks. */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Benchmarks: gemm (the matrix kernel) and train (the model).",
        subcommands = {BenchTrainCommand.class})
public final class BenchCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
