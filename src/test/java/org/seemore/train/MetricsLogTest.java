package org.seemore.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.seemore.UserException;

/** metrics.jsonl as --resume finds it after a kill or a full disk. */
class MetricsLogTest {
    private static final String GOOD = "{\"step\":1,\"ce\":2.5}\n{\"step\":1,\"val_loss\":2.4}\n{\"step\":2,\"ce\":2.0}\n";

    @Test
    void aPartialLastLineIsDroppedWithANotice(@TempDir Path dir) throws Exception {
        Path file = dir.resolve(MetricsLog.FILE);
        Files.writeString(file, GOOD + "{\"step\":3,\"ce\":1.");
        var notice = new MetricsLog(dir).truncateAfter(2);
        assertThat(Files.readAllLines(file)).containsExactly(GOOD.strip().split("\n"));
        assertThat(notice).hasValueSatisfying(m -> assertThat(m).contains(MetricsLog.FILE + ":4").contains("partial"));
    }

    @Test
    void aCompleteLogNeedsNoNotice(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve(MetricsLog.FILE), GOOD + "{\"step\":3,\"ce\":1.5}\n");
        assertThat(new MetricsLog(dir).truncateAfter(2)).isEmpty();
        assertThat(Files.readAllLines(dir.resolve(MetricsLog.FILE))).hasSize(3);
    }

    @Test
    void aCorruptLineBeforeTheLastNamesTheLine(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve(MetricsLog.FILE), "{\"step\":1,\"ce\":2.5}\n{oops\n{\"step\":2,\"ce\":2.0}\n");
        assertThatThrownBy(() -> new MetricsLog(dir).truncateAfter(2)).isInstanceOf(UserException.class)
                .hasMessageContaining(MetricsLog.FILE + ":2").hasMessageNotContaining("Unexpected");
    }

    @Test
    void theRewriteReplacesTheFileInsteadOfTruncatingIt(@TempDir Path dir) throws Exception {
        // a kill in the middle of an in-place rewrite leaves an empty file; a rename leaves the old or the new one.
        // A hard link made before the rewrite keeps seeing the old contents only if the file was replaced.
        Path file = dir.resolve(MetricsLog.FILE);
        Files.writeString(file, GOOD + "{\"step\":3,\"ce\":1.5}\n");
        Path link = Files.createLink(dir.resolve("old-metrics"), file);
        new MetricsLog(dir).truncateAfter(2);
        assertThat(Files.readAllLines(file)).hasSize(3);
        assertThat(Files.readAllLines(link)).hasSize(4);
        try (var s = Files.list(dir)) {
            assertThat(s.map(p -> p.getFileName().toString()).toList()).containsExactlyInAnyOrder(MetricsLog.FILE, "old-metrics");
        }
    }

    @Test
    void keptLinesAreTheOnesUpToTheCheckpoint(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve(MetricsLog.FILE), GOOD + "{\"step\":3,\"ce\":1.5}\n");
        new MetricsLog(dir).truncateAfter(1);
        assertThat(Files.readAllLines(dir.resolve(MetricsLog.FILE))).isEqualTo(List.of("{\"step\":1,\"ce\":2.5}", "{\"step\":1,\"val_loss\":2.4}"));
    }
}
