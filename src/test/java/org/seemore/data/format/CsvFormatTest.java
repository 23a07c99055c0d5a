package org.seemore.data.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.seemore.UserException;
import org.seemore.data.Example;
import org.seemore.data.image.ImageSource;

class CsvFormatTest {
    @TempDir
    Path dir;

    private static final String PNG = TestFiles.tinyPngBase64();

    private LoadedDataset load(Path file, boolean skipBad) {
        return DatasetLoader.load(file, Optional.empty(), null, skipBad);
    }

    private static byte[] bytesOf(Example example) {
        return ((ImageSource.EncodedImage) example.image()).bytes();
    }

    @Test
    void readsOriginalSeemoreCsvInAnyColumnOrderIgnoringExtraColumns() throws IOException {
        Path file = TestFiles.write(dir, "inputs.csv",
                "id,caption,b64string_images\r\n"
                        + "1,\"A red ball, left of a \"\"blue\"\" cube\"," + PNG + "\r\n"
                        + "2,\"two\nlines\",\"" + PNG + "\"\r\n"
                        + "3,plain caption," + PNG + "\r\n");

        LoadedDataset dataset = load(file, false);

        assertThat(dataset.examples()).extracting(Example::answer)
                .containsExactly("A red ball, left of a \"blue\" cube", "two\nlines", "plain caption");
        assertThat(dataset.examples()).extracting(Example::origin)
                .containsExactly(file + ":2", file + ":3", file + ":5");
        assertThat(dataset.examples()).allSatisfy(example -> {
            assertThat(example.prompt()).isEmpty();
            assertThat(bytesOf(example)).isEqualTo(TestFiles.tinyPng());
        });
    }

    @Test
    void readsAMultiMegabyteBase64Field() throws IOException {
        byte[] payload = new byte[3 << 20];
        new Random(7).nextBytes(payload);
        byte[] png = TestFiles.tinyPng();   // an image's header, then noise: the header is all that is checked here
        System.arraycopy(png, 0, payload, 0, png.length);
        Path file = TestFiles.write(dir, "big.csv", "b64string_images,caption\n"
                + Base64.getEncoder().encodeToString(payload) + ",noise\n"
                + "\"" + Base64.getMimeEncoder().encodeToString(payload) + "\",wrapped noise\n");

        LoadedDataset dataset = load(file, false);

        assertThat(dataset.examples()).hasSize(2);
        assertThat(bytesOf(dataset.examples().get(0))).isEqualTo(payload);
        assertThat(bytesOf(dataset.examples().get(1))).isEqualTo(payload);
        assertThat(dataset.examples().get(1).origin()).isEqualTo(file + ":3");
    }

    @Test
    void byteOrderMarkBeforeTheHeaderIsIgnored() throws IOException {
        Path file = TestFiles.write(dir, "bom.csv", "\uFEFFb64string_images,caption\n" + PNG + ",x\n");

        assertThat(load(file, false).examples()).extracting(Example::answer).containsExactly("x");
    }

    @Test
    void missingColumnIsFatalEvenWhenSkipping() throws IOException {
        Path file = TestFiles.write(dir, "inputs.csv", "image,caption\n" + PNG + ",x\n");

        assertThatThrownBy(() -> load(file, true))
                .isInstanceOf(UserException.class)
                .hasMessageStartingWith(file + ":1: the header has no column 'b64string_images'")
                .hasMessageContaining("it has: 'image', 'caption'");
    }

    @Test
    void emptyFileIsFatal() throws IOException {
        Path file = TestFiles.write(dir, "inputs.csv", "");

        assertThatThrownBy(() -> load(file, true))
                .isInstanceOf(UserException.class)
                .hasMessageStartingWith(file + ": the file is empty");
    }

    @Test
    void unterminatedQuoteIsFatalAndNamesTheRecordsFirstLine() throws IOException {
        Path file = TestFiles.write(dir, "inputs.csv",
                "b64string_images,caption\n" + PNG + ",fine\n" + PNG + ",\"never closed\n" + PNG + ",x\n");

        assertThatThrownBy(() -> load(file, true))
                .isInstanceOf(UserException.class)
                .hasMessage(file + ":3: unterminated quoted field: its closing quote is missing");
    }

    @Test
    void wrongFieldCountNamesTheLine() throws IOException {
        Path file = TestFiles.write(dir, "inputs.csv", "b64string_images,caption\n" + PNG + ",ok\n" + PNG + "\n");

        assertThatThrownBy(() -> load(file, false))
                .isInstanceOf(UserException.class)
                .hasMessage(file + ":3: the record has 1 field(s) but the header has 2 column(s)");
    }

    @Test
    void emptyCaptionNamesTheLine() throws IOException {
        Path file = TestFiles.write(dir, "inputs.csv", "b64string_images,caption\n" + PNG + ",\"  \"\n");

        assertThatThrownBy(() -> load(file, false))
                .isInstanceOf(UserException.class)
                .hasMessage(file + ":2: column 'caption' is empty");
    }

    @Test
    void badBase64NamesTheLine() throws IOException {
        Path file = TestFiles.write(dir, "inputs.csv", "b64string_images,caption\n\n\"not*base64\",x\n");

        assertThatThrownBy(() -> load(file, false))
                .isInstanceOf(UserException.class)
                .hasMessageStartingWith(file + ":3: 'b64string_images' is not valid base64");
    }

    @Test
    void emptyBase64NamesTheLine() throws IOException {
        Path file = TestFiles.write(dir, "inputs.csv", "b64string_images,caption\n,x\n");

        assertThatThrownBy(() -> load(file, false))
                .isInstanceOf(UserException.class)
                .hasMessage(file + ":2: 'b64string_images' is empty");
    }

    @Test
    void skipBadCountsMalformedRecordsAndKeepsTheRest() throws IOException {
        Path file = dir.resolve("inputs.csv");
        Files.write(file, JsonlFormatTest.concat(
                ("b64string_images,caption\n"
                        + PNG + ",one\n"
                        + "\"" + PNG + "\"junk,x\n"
                        + PNG + ",\"\"\n"
                        + "@@,x\n"
                        + PNG + ",").getBytes(),
                new byte[] {(byte) 0xC0, '\n'},
                (PNG + ",two,extra\n" + PNG + ",\"three\"\n").getBytes()));

        LoadedDataset dataset = load(file, true);

        assertThat(dataset.examples()).extracting(Example::answer).containsExactly("one", "three");
        assertThat(dataset.skipped()).isEqualTo(5);
        assertThat(dataset.skippedReasons()).extracting(reason -> reason.substring(0, reason.indexOf(": ")))
                .containsExactly(file + ":3", file + ":4", file + ":5", file + ":6", file + ":7");
        assertThat(dataset.skippedReasons().get(0)).contains("unexpected text after the closing quote");
        assertThat(dataset.skippedReasons().get(3)).contains("field 2 is not valid UTF-8 text");
    }

    @Test
    void base64ThatIsNotAnImageNamesTheLineOrIsSkipped() throws IOException {
        String text = Base64.getEncoder().encodeToString("hello, not an image".getBytes());
        Path file = TestFiles.write(dir, "inputs.csv", "b64string_images,caption\n" + PNG + ",one\n" + text + ",x\n" + PNG + ",two\n");

        assertThatThrownBy(() -> load(file, false))
                .isInstanceOf(UserException.class)
                .hasMessage(file + ":3: 'b64string_images' is not a usable image: not a PNG, JPEG, GIF or BMP image (unrecognised header bytes)");
        LoadedDataset dataset = load(file, true);
        assertThat(dataset.examples()).extracting(Example::answer).containsExactly("one", "two");
        assertThat(dataset.skippedReasons()).containsExactly(
                file + ":3: 'b64string_images' is not a usable image: not a PNG, JPEG, GIF or BMP image (unrecognised header bytes)");
    }

    @Test
    void base64OfABrokenImageHeaderNamesTheLine() throws IOException {
        byte[] png = TestFiles.tinyPng();
        byte[] cut = java.util.Arrays.copyOf(png, 20);   // the signature, then half of the IHDR chunk
        Path file = TestFiles.write(dir, "inputs.csv", "b64string_images,caption\n" + Base64.getEncoder().encodeToString(cut) + ",x\n");

        assertThatThrownBy(() -> load(file, false))
                .isInstanceOf(UserException.class)
                .hasMessageStartingWith(file + ":2: 'b64string_images' is not a usable image: ")
                .hasMessageContaining("PNG")
                .hasMessageNotContaining("\n");
    }

    @Test
    void aFileWithoutAHeaderSaysWhichHeaderWasExpectedAndQuotesLittleOfTheData() throws IOException {
        byte[] payload = new byte[5000];
        new Random(3).nextBytes(payload);
        String base64 = Base64.getEncoder().encodeToString(payload);
        Path file = TestFiles.write(dir, "inputs.csv", base64 + ",a caption\n" + PNG + ",x\n");

        assertThatThrownBy(() -> load(file, false))
                .isInstanceOf(UserException.class)
                .hasMessage(file + ":1: the header has no column 'b64string_images' (it has: '" + base64.substring(0, 40)
                        + "…', 'a caption'); the first line must be a header naming the columns b64string_images and caption,"
                        + " e.g. b64string_images,caption");
    }
}
