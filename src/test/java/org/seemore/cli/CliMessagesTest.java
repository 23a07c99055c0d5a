package org.seemore.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.seemore.cli.ConfigErrorsTest.assertOneLineError;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.seemore.tensor.kernels.Parallel;

/** How the command line words its refusals: the command named once, the flag named, a pointer to --help. */
class CliMessagesTest {

    @Test
    void aParseErrorNamesTheCommandOnceWithAHelpHint() {
        CliRun r = CliRun.of("seemore");
        assertOneLineError(r, "unknown command 'seemore'", "given twice", "'seemore --help'");
        assertThat(r.err()).startsWith("seemore: ").doesNotContain("seemore seemore");
        assertOneLineError(CliRun.of("trian"), "unknown command 'trian'", "train", "'seemore --help'");
        CliRun nested = CliRun.of("bench", "gemm", "--bogus");
        assertOneLineError(nested, "seemore bench gemm: ", "--bogus", "'seemore bench gemm --help'");
        assertOneLineError(CliRun.of("train", "--data", "x"), "seemore train: ", "--out", "'seemore train --help'");
    }

    @Test
    void nonFiniteNumbersAreRefusedNamingTheFlag(@TempDir Path tmp) {
        assertOneLineError(CliRun.of("caption", "--model", "m", "--temperature", "NaN", "a.png"), "--temperature", "NaN", "finite");
        assertOneLineError(CliRun.of("caption", "--model", "m", "--temperature", "Infinity", "a.png"), "--temperature", "Infinity");
        assertOneLineError(CliRun.of("caption", "--model", "m", "--top-p", "NaN", "a.png"), "--top-p", "NaN");
        assertOneLineError(CliRun.of("train", "--data", "synthetic:shapes", "--out", tmp.resolve("r").toString(), "--lr", "Infinity"), "--lr", "Infinity");
        assertOneLineError(CliRun.of("train", "--data", "synthetic:shapes", "--out", tmp.resolve("r").toString(), "--lr", "-Infinity"), "--lr");
        assertThat(tmp.resolve("r")).doesNotExist();
    }

    @Test
    void moreThreadsThanCoresAreCappedWithANotice(@TempDir Path tmp) {
        int cores = Runtime.getRuntime().availableProcessors(), before = Parallel.threads();
        try {
            // the data is missing, so train stops right after applying --threads
            CliRun r = CliRun.of("train", "--data", tmp.resolve("none.jsonl").toString(), "--out", tmp.resolve("r").toString(),
                    "--threads", Integer.toString(cores + 62));
            assertThat(r.err()).contains("--threads " + (cores + 62)).contains(cores + " cores").contains("using " + cores);
            assertThat(Parallel.threads()).isEqualTo(cores);
        } finally {
            Parallel.setThreads(before);
        }
    }
}
