package org.seemore.data.format;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class QuotingTest {
    @Test
    void longValuesAreCutToTheirStart() {
        assertThat(Quoting.quote("short")).isEqualTo("'short'");
        assertThat(Quoting.quote("c".repeat(40))).isEqualTo("'" + "c".repeat(40) + "'");
        assertThat(Quoting.quote("c".repeat(41))).isEqualTo("'" + "c".repeat(40) + "…'");
        assertThat(Quoting.quote(null)).isEqualTo("null");
    }

    @Test
    void pathsKeepMoreButNotEverything() {
        Path shortPath = Path.of("/data/images/cat.png");
        assertThat(Quoting.path(shortPath)).isEqualTo("/data/images/cat.png");
        String longName = "/data/" + "x".repeat(1000);
        assertThat(Quoting.path(Path.of(longName))).isEqualTo(longName.substring(0, Quoting.PATH_CHARS) + "…");
    }

    @Test
    void aCutNeverSplitsASurrogatePair() {
        String text = "a".repeat(39) + "🐈" + "tail";
        assertThat(Quoting.quote(text)).isEqualTo("'" + "a".repeat(39) + "🐈…'");
    }
}
