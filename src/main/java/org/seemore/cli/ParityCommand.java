package org.seemore.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.seemore.UserException;
import org.seemore.parity.ParityReport;
import org.seemore.parity.ParityRunner;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code seemore parity FILE}: runs a PyTorch reference dump and reports every difference. */
@Command(name = "parity", mixinStandardHelpOptions = true,
        description = {"Run a PyTorch reference dump (fixture layout: param.*, input.*, output.*, grad.*, final.*)",
                "through the Java model and print the max absolute difference of every output and of the worst gradient.",
                "Exits 0 only when everything is within the tolerances of docs/fixtures.md."})
public final class ParityCommand implements Callable<Integer> {

    @Parameters(paramLabel = "FILE", description = "A .safetensors reference dump (any config; mode eval, noisy, greedy or train).")
    Path file;

    @Override
    public Integer call() {
        if (!Files.isRegularFile(file)) throw new UserException(file + ": no such file");
        ParityReport report = ParityRunner.run(file);
        System.out.println(file.getFileName() + " (mode " + report.mode() + ")");
        report.lines().forEach(l -> System.out.println("  " + l));
        System.out.println(report.passed() ? "PASS: every value within tolerance" : "FAIL: some values are outside the tolerance");
        return report.passed() ? 0 : 1;
    }
}
