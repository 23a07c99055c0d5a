package org.seemore.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The flag checks of {@code seemore bench gemm}, which fail before any measuring starts. */
class BenchGemmCommandTest {

    @Test
    void aJsonPathInAMissingDirectoryIsAUserErrorNamingFlagAndFile(@TempDir Path dir) {
        Path report = dir.resolve("missing").resolve("gemm.json");
        CliRun run = CliRun.of("bench", "gemm", "--json", report.toString());
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("--json").contains(report.toString()).doesNotContain("Exception");
    }

    @Test
    void zeroThreadsIsAUserError() {
        CliRun run = CliRun.of("bench", "gemm", "--threads", "0");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("--threads");
    }

    @Test
    void benchAlonePrintsItsSubcommands() {
        CliRun run = CliRun.of("bench");
        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("gemm");
    }
}
