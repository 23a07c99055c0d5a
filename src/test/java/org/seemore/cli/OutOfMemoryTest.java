package org.seemore.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Running out of heap anywhere in a command ends as one line saying how to give the JVM more. */
class OutOfMemoryTest {

    @Test
    void anOutOfMemoryErrorIsOneLineWithTheRemedy(@TempDir Path tmp) throws Exception {
        // two billion synthetic scenes cannot be drawn in a 192 MB heap: the data loading runs out
        ChildJvm r = ChildJvm.run(Map.of(), List.of("-Xmx192m"), "train", "--data", "synthetic:shapes", "--synthetic-count", "2000000000",
                "--preset", "tiny", "--batch-size", "1", "--out", tmp.resolve("run").toString());
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.errLines().strip()).startsWith("seemore: out of memory").contains("SEEMORE_JAVA_OPTS=-Xmx").doesNotContain("\n")
                .doesNotContain("Exception").doesNotContain("Error");
    }
}
