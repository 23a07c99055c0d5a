package org.seemore.data.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.seemore.UserException;
import org.seemore.data.Example;
import org.seemore.data.image.ImageSource;

class JsonlFormatTest {
    @TempDir
    Path dir;

    private LoadedDataset load(Path file, boolean skipBad) {
        return DatasetLoader.load(file, Optional.empty(), null, skipBad);
    }

    @Test
    void readsCaptionsAndInstructionPairsWithPathAndBase64Images() throws IOException {
        Path png = TestFiles.writePng(dir, "images/cat.png");
        Path file = TestFiles.write(dir, "train.jsonl", String.join("\n",
                "{\"image\": \"images/cat.png\", \"caption\": \"a cat, on a mat\"}",
                "",
                "   ",
                "{\"image_base64\": \"" + TestFiles.tinyPngBase64() + "\", \"prompt\": \"What colour?\", \"answer\": \"red\", \"extra\": 1}",
                "{\"image\": \"" + png.toAbsolutePath() + "\", \"prompt\": \"\", \"answer\": \"abs\"}") + "\n");

        LoadedDataset dataset = load(file, false);

        assertThat(dataset.skipped()).isZero();
        assertThat(dataset.examples()).hasSize(3);
        Example first = dataset.examples().get(0);
        assertThat(first.origin()).isEqualTo(file + ":1");
        assertThat(first.prompt()).isEmpty();
        assertThat(first.answer()).isEqualTo("a cat, on a mat");
        assertThat(first.image()).isEqualTo(new ImageSource.FileImage(png.toAbsolutePath()));
        Example second = dataset.examples().get(1);
        assertThat(second.origin()).isEqualTo(file + ":4");
        assertThat(second.prompt()).isEqualTo("What colour?");
        assertThat(second.answer()).isEqualTo("red");
        assertThat(second.image()).isInstanceOfSatisfying(ImageSource.EncodedImage.class,
                image -> assertThat(image.bytes()).isEqualTo(TestFiles.tinyPng()));
        assertThat(dataset.examples().get(2).image()).isEqualTo(new ImageSource.FileImage(png.toAbsolutePath()));
    }

    @Test
    void imagePathsResolveAgainstAnExplicitImageRoot() throws IOException {
        Path root = Files.createDirectories(dir.resolve("elsewhere"));
        Path png = TestFiles.writePng(root, "dog.png");
        Path file = TestFiles.write(dir, "train.jsonl", "{\"image\": \"dog.png\", \"caption\": \"a dog\"}\r\n");

        LoadedDataset dataset = DatasetLoader.load(file, Optional.empty(), root, false);

        assertThat(dataset.examples()).singleElement()
                .satisfies(example -> assertThat(example.image()).isEqualTo(new ImageSource.FileImage(png)));
    }

    @Test
    void acceptsDataUriAndWrappedBase64() throws IOException {
        String base64 = TestFiles.tinyPngBase64();
        String wrapped = base64.substring(0, 10) + "\\n" + base64.substring(10);
        Path file = TestFiles.write(dir, "train.jsonl",
                "{\"image_base64\": \"data:image/png;base64," + base64 + "\", \"caption\": \"uri\"}\n"
                        + "{\"image_base64\": \"" + wrapped + "\", \"caption\": \"wrapped\"}\n");

        LoadedDataset dataset = load(file, false);

        assertThat(dataset.examples()).hasSize(2).allSatisfy(example -> assertThat(example.image())
                .isInstanceOfSatisfying(ImageSource.EncodedImage.class,
                        image -> assertThat(image.bytes()).isEqualTo(TestFiles.tinyPng())));
    }

    static Stream<Arguments> badLines() {
        String png = "\"image\": \"img.png\"";
        return Stream.of(
                Arguments.of("{not json", "malformed JSON"),
                Arguments.of("[1, 2]", "expected a JSON object, found a list"),
                Arguments.of("{\"caption\": \"x\"}", "missing image"),
                Arguments.of("{" + png + "}", "missing text"),
                Arguments.of("{" + png + ", \"caption\": \"\"}", "field 'caption' is empty"),
                Arguments.of("{" + png + ", \"caption\": \"  \"}", "field 'caption' is empty"),
                Arguments.of("{" + png + ", \"prompt\": \"q\", \"answer\": \" \"}", "field 'answer' is empty"),
                Arguments.of("{" + png + ", \"prompt\": \"q\"}", "missing field 'answer'"),
                Arguments.of("{" + png + ", \"answer\": \"a\"}", "missing field 'prompt'"),
                Arguments.of("{" + png + ", \"caption\": \"c\", \"answer\": \"a\"}", "not both"),
                Arguments.of("{" + png + ", \"caption\": 7}", "field 'caption' must be a string, not a number"),
                Arguments.of("{\"image_base64\": \"@@not base64@@\", \"caption\": \"x\"}", "'image_base64' is not valid base64"),
                Arguments.of("{\"image_base64\": \"\", \"caption\": \"x\"}", "'image_base64' is empty"),
                Arguments.of("{\"image_base64\": \"QQ=\", \"caption\": \"x\"}", "'image_base64' is not valid base64"),
                Arguments.of("{\"image\": \"missing.png\", \"caption\": \"x\"}", "image file not found"),
                Arguments.of("{\"image_base64\": \"aGVsbG8=\", \"caption\": \"x\"}",
                        "'image_base64' is not a usable image: not a PNG, JPEG, GIF or BMP image"),
                Arguments.of("{\"image\": \"notes.png\", \"caption\": \"x\"}", "notes.png is not a usable image: not a PNG, JPEG, GIF or BMP image"),
                Arguments.of("{\"image\": \"img.png\", \"image_base64\": \"QUJD\", \"caption\": \"x\"}", "not both"),
                Arguments.of("{" + png + ", \"caption\": \"a\"} {\"x\": 1}", "malformed JSON"),
                Arguments.of("{" + png + ", \"caption\": \"a\", \"caption\": \"b\"}", "malformed JSON: Duplicate field"));
    }

    @ParameterizedTest
    @MethodSource("badLines")
    void badRecordNamesFileAndLine(String badLine, String expected) throws IOException {
        TestFiles.writePng(dir, "img.png");
        TestFiles.write(dir, "notes.png", "a text file with an image's name");
        Path file = TestFiles.write(dir, "train.jsonl",
                "{\"image\": \"img.png\", \"caption\": \"fine\"}\n\n" + badLine + "\n");

        assertThatThrownBy(() -> load(file, false))
                .isInstanceOf(UserException.class)
                .hasMessageStartingWith(file + ":3: ")
                .hasMessageContaining(expected)
                .hasMessageNotContaining("\n");
    }

    @Test
    void skipBadCountsSkippedRecordsAndKeepsTheirReasons() throws IOException {
        TestFiles.writePng(dir, "img.png");
        Path file = TestFiles.write(dir, "train.jsonl", String.join("\n",
                "{\"image\": \"img.png\", \"caption\": \"one\"}",
                "{broken",
                "{\"image\": \"gone.png\", \"caption\": \"x\"}",
                "{\"image\": \"img.png\", \"caption\": \"two\"}",
                "{\"image\": \"img.png\"}"));

        LoadedDataset dataset = load(file, true);

        assertThat(dataset.examples()).extracting(Example::answer).containsExactly("one", "two");
        assertThat(dataset.skipped()).isEqualTo(3);
        assertThat(dataset.skippedReasons()).hasSize(3);
        assertThat(dataset.skippedReasons().get(0)).startsWith(file + ":2: malformed JSON");
        assertThat(dataset.skippedReasons().get(1)).startsWith(file + ":3: image file not found");
        assertThat(dataset.skippedReasons().get(2)).startsWith(file + ":5: missing text");
    }

    @Test
    void skippingEveryRecordStillFails() throws IOException {
        Path file = TestFiles.write(dir, "train.jsonl", "{\"caption\": \"no image\"}\n");

        assertThatThrownBy(() -> load(file, true))
                .isInstanceOf(UserException.class)
                .hasMessageContaining(file + ": no usable records (1 skipped")
                .hasMessageContaining(file + ":1: missing image");
    }

    @Test
    void invalidUtf8IsFatalAndNamesItsLineEvenWhenSkipping() throws IOException {
        TestFiles.writePng(dir, "img.png");
        Path file = dir.resolve("train.jsonl");
        byte[] good = "{\"image\": \"img.png\", \"caption\": \"ok\"}\n".getBytes();
        byte[] bad = {'{', '"', 'a', '"', ':', '"', (byte) 0xC3, '(', '"', '}', '\n'};
        Files.write(file, concat(good, good, bad, good));

        assertThatThrownBy(() -> load(file, true))
                .isInstanceOf(UserException.class)
                .hasMessage(file + ":3: not valid UTF-8 text");
    }

    @Test
    void byteOrderMarkAndNonAsciiTextAreRead() throws IOException {
        TestFiles.writePng(dir, "img.png");
        Path file = dir.resolve("train.jsonl");
        Files.write(file, concat(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF},
                "{\"image\": \"img.png\", \"caption\": \"ünïcödé 猫 🐈\"}\n".getBytes(StandardCharsets.UTF_8)));

        assertThat(load(file, false).examples()).singleElement()
                .satisfies(example -> assertThat(example.answer()).isEqualTo("ünïcödé 猫 🐈"));
    }

    static byte[] concat(byte[]... parts) {
        int length = 0;
        for (byte[] part : parts) length += part.length;
        byte[] all = new byte[length];
        int offset = 0;
        for (byte[] part : parts) {
            System.arraycopy(part, 0, all, offset, part.length);
            offset += part.length;
        }
        return all;
    }

    @Test
    void base64GivenAsAnImagePathIsQuotedShort() throws IOException {
        String base64 = TestFiles.tinyPngBase64().repeat(40);
        Path file = TestFiles.write(dir, "train.jsonl", "{\"image\": \"" + base64 + "\", \"caption\": \"x\"}\n");

        assertThatThrownBy(() -> load(file, false))
                .isInstanceOf(UserException.class)
                .hasMessageStartingWith(file + ":1: image file not found: ")
                .hasMessageContaining("…")
                .satisfies(e -> assertThat(e.getMessage().length()).isLessThan(file.toString().length() + 300));
    }
}
