package org.seemore.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The flag checks of {@code seemore bench gemm}, which fail before any measuring starts. */
class BenchGemmCommandTest {

    @Test
    void aJsonPathInAMissingDirectoryIsAUserErrorNamingFlagAndFile(@TempDir Path dir) {
        Path report = dir.resolve("missing").resolve("gemm.json");
        Run run = run("bench", "gemm", "--json", report.toString());
        assertThat(run.exitCode).isEqualTo(2);
        assertThat(run.err).contains("--json").contains(report.toString()).doesNotContain("Exception");
    }

    @Test
    void zeroThreadsIsAUserError() {
        Run run = run("bench", "gemm", "--threads", "0");
        assertThat(run.exitCode).isEqualTo(2);
        assertThat(run.err).contains("--threads");
    }

    @Test
    void benchAlonePrintsItsSubcommands() {
        Run run = run("bench");
        assertThat(run.exitCode).isZero();
        assertThat(run.out).contains("gemm");
    }

    private record Run(int exitCode, String out, String err) {}

    private static Run run(String... args) {
        PrintStream originalOut = System.out;
        PrintStream originalErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int code = Main.execute(args);
            return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(originalOut);
            System.setErr(originalErr);
        }
    }
}
