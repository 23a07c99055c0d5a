package org.seemore.data.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.seemore.UserException;
import org.seemore.data.Example;

class TextCorpusTest {
    @TempDir
    Path dir;

    private static final String SHAKESPEARE = "First Citizen:\nBefore we proceed any further, hear me speak.\n\nAll:\nSpeak, speak.\n";

    @Test
    void readsTheWholeTextExactly() throws IOException {
        Path file = TestFiles.write(dir, "input.txt", SHAKESPEARE + "crlf\r\nend");

        TextCorpus corpus = TextCorpus.read(file);

        assertThat(corpus.text()).isEqualTo(SHAKESPEARE + "crlf\r\nend");
        assertThat(corpus.origin()).isEqualTo(file.toString());
    }

    @Test
    void chunksCountCodePointsAndNameTheirStartingLine() {
        String text = "ab\ncd🐈e\nfghij";
        TextCorpus corpus = new TextCorpus("mem.txt", text);

        List<Example> chunks = corpus.chunks(4);

        assertThat(corpus.codePointCount()).isEqualTo(13);
        assertThat(text.length()).isEqualTo(14);
        assertThat(chunks).extracting(Example::answer).containsExactly("ab\nc", "d🐈e\n", "fghi", "j");
        assertThat(chunks).extracting(Example::origin).containsExactly("mem.txt:1", "mem.txt:2", "mem.txt:3", "mem.txt:3");
        assertThat(chunks).allSatisfy(example -> {
            assertThat(example.image()).isNull();
            assertThat(example.prompt()).isEmpty();
        });
        assertThat(String.join("", chunks.stream().map(Example::answer).toList())).isEqualTo(text);
    }

    @Test
    void loaderReadsTxtAsTextOnlyChunks() throws IOException {
        Path file = TestFiles.write(dir, "input.txt", "x".repeat(600));

        LoadedDataset dataset = DatasetLoader.load(file, Optional.empty(), null, false);

        assertThat(dataset.examples()).extracting(example -> example.answer().length())
                .containsExactly(TextFormat.DEFAULT_CHUNK_LENGTH, TextFormat.DEFAULT_CHUNK_LENGTH, 600 - 2 * TextFormat.DEFAULT_CHUNK_LENGTH);
        assertThat(dataset.examples()).allSatisfy(example -> assertThat(example.image()).isNull());
    }

    @Test
    void holdOutTailKeepsTheHeadForTraining() {
        TextCorpus corpus = new TextCorpus("mem", "0123456789".repeat(10));

        TextCorpus.Split split = corpus.holdOutTail(0.1);

        assertThat(split.train().text()).hasSize(90);
        assertThat(split.validation().text()).isEqualTo("0123456789");
        assertThat(split.train().text() + split.validation().text()).isEqualTo(corpus.text());
    }

    @Test
    void holdOutTailNeverSplitsACodePoint() {
        TextCorpus.Split split = new TextCorpus("mem", "🐈🐈🐈").holdOutTail(0.5);

        assertThat(split.train().text() + split.validation().text()).isEqualTo("🐈🐈🐈");
        assertThat(split.train().codePointCount() + split.validation().codePointCount()).isEqualTo(3);
        assertThat(split.validation().text()).isNotEmpty().startsWith("🐈");
    }

    @Test
    void emptyFileIsAUserError() throws IOException {
        Path file = TestFiles.write(dir, "input.txt", "");

        assertThatThrownBy(() -> TextCorpus.read(file))
                .isInstanceOf(UserException.class)
                .hasMessage(file + ": the text file is empty");
    }

    @Test
    void invalidUtf8NamesTheLine() throws IOException {
        Path file = dir.resolve("input.txt");
        Files.write(file, JsonlFormatTest.concat("one\ntwo\nthr".getBytes(), new byte[] {(byte) 0xE2, (byte) 0x28}, "ee\n".getBytes()));

        assertThatThrownBy(() -> TextCorpus.read(file))
                .isInstanceOf(UserException.class)
                .hasMessage(file + ":3: not valid UTF-8 text");
    }

    @Test
    void missingFileIsAUserError() {
        Path file = dir.resolve("nope.txt");

        assertThatThrownBy(() -> TextCorpus.read(file))
                .isInstanceOf(UserException.class)
                .hasMessage("text file not found: " + file);
    }
}
