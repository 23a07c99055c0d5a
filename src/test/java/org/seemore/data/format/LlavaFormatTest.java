package org.seemore.data.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.seemore.UserException;
import org.seemore.data.Example;
import org.seemore.data.image.ImageSource;

class LlavaFormatTest {
    @TempDir
    Path dir;

    private Path png;

    @BeforeEach
    void writeImage() throws IOException {
        png = TestFiles.writePng(dir, "coco/000000033471.png");
    }

    private static String turn(String from, String value) {
        return "{\"from\": \"" + from + "\", \"value\": \"" + value + "\"}";
    }

    private static String record(String id, String image, String... turns) {
        return "  {\n    \"id\": \"" + id + "\",\n" + (image == null ? "" : "    \"image\": \"" + image + "\",\n")
                + "    \"conversations\": [\n      " + String.join(",\n      ", turns) + "\n    ]\n  }";
    }

    private static String list(String... records) {
        return "[\n" + String.join(",\n", records) + "\n]\n";
    }

    private LoadedDataset load(Path file, boolean skipBad) {
        return DatasetLoader.load(file, Optional.empty(), null, skipBad);
    }

    @Test
    void singleTurnRemovesTheImageMarkerAndItsNewline() throws IOException {
        Path file = TestFiles.write(dir, "llava.json", list(
                record("a", "coco/000000033471.png", turn("human", "<image>\\nWhat is shown?"), turn("gpt", "A bus.")),
                record("b", "coco/000000033471.png", turn("human", "Describe it.\\n<image>"), turn("gpt", "Red."))));

        LoadedDataset dataset = load(file, false);

        assertThat(dataset.examples()).hasSize(2);
        Example first = dataset.examples().get(0);
        assertThat(first.prompt()).isEqualTo("What is shown?");
        assertThat(first.answer()).isEqualTo("A bus.");
        assertThat(first.image()).isEqualTo(new ImageSource.FileImage(png.toAbsolutePath()));
        assertThat(first.origin()).isEqualTo(file + ":2");
        assertThat(dataset.examples().get(1).prompt()).isEqualTo("Describe it.");
        assertThat(dataset.examples().get(1).origin()).isEqualTo(file + ":10");
    }

    @Test
    void multiTurnGivesOneExamplePerGptTurnWithEarlierTurnsFoldedIntoThePrompt() throws IOException {
        Path file = TestFiles.write(dir, "llava.json", list(record("m", "coco/000000033471.png",
                turn("human", "<image>\\nWhat colour is the bus?"), turn("gpt", "Red."),
                turn("human", "How many wheels?"), turn("gpt", "Four."),
                turn("human", "Is it moving?"), turn("gpt", "No, it is parked."))));

        LoadedDataset dataset = load(file, false);

        assertThat(dataset.examples()).extracting(Example::prompt).containsExactly(
                "What colour is the bus?",
                "What colour is the bus?\nRed.\nHow many wheels?",
                "What colour is the bus?\nRed.\nHow many wheels?\nFour.\nIs it moving?");
        assertThat(dataset.examples()).extracting(Example::answer).containsExactly("Red.", "Four.", "No, it is parked.");
        assertThat(dataset.examples()).allSatisfy(example -> {
            assertThat(example.origin()).isEqualTo(file + ":2");
            assertThat(example.image()).isEqualTo(new ImageSource.FileImage(png.toAbsolutePath()));
        });
    }

    @Test
    void imagesResolveAgainstAnExplicitImageRoot() throws IOException {
        Path annotations = Files.createDirectories(dir.resolve("annotations"));
        Path file = TestFiles.write(annotations, "llava.json",
                list(record("a", "000000033471.png", turn("human", "<image>"), turn("gpt", "A bus."))));

        LoadedDataset dataset = DatasetLoader.load(file, Optional.of("llava"), dir.resolve("coco"), false);

        assertThat(dataset.examples()).singleElement().satisfies(example -> {
            assertThat(example.prompt()).isEmpty();
            assertThat(example.image()).isEqualTo(new ImageSource.FileImage(png.toAbsolutePath()));
        });
    }

    static Stream<Arguments> badRecords() {
        String image = "coco/000000033471.png";
        String human = turn("human", "<image>\\nQ?");
        String gpt = turn("gpt", "A.");
        return Stream.of(
                Arguments.of(record("x", null, human, gpt), "missing field 'image': LLaVA records need an image"),
                Arguments.of(record("x", "coco/none.png", human, gpt), "image file not found"),
                Arguments.of(record("x", image, gpt, human), "turn 1 is from 'gpt' but should be from 'human'"),
                Arguments.of(record("x", image, human, human), "turn 2 is from 'human' but should be from 'gpt'"),
                Arguments.of(record("x", image, turn("g".repeat(5000), "A."), gpt), "turn 1 is from '" + "g".repeat(40) + "…' but should be"),
                Arguments.of(record("x", image, human, gpt, turn("human", "more?")), "ends with a human turn"),
                Arguments.of(record("x", image, human, turn("gpt", " ")), "turn 2 (gpt) is empty"),
                Arguments.of(record("x", image, human, "{\"from\": \"gpt\"}"), "turn 2 has no 'value'"),
                Arguments.of(record("x", image), "field 'conversations' is empty"),
                Arguments.of("  {\"image\": \"" + image + "\"}", "missing field 'conversations'"),
                Arguments.of("  {\"image\": \"" + image + "\", \"conversations\": \"hi\"}", "'conversations' must be a list"),
                Arguments.of("  \"just a string\"", "expected a conversation record (a JSON object), found a string"));
    }

    @ParameterizedTest
    @MethodSource("badRecords")
    void badRecordNamesFileAndTheLineItStartsOn(String bad, String expected) throws IOException {
        String good = record("ok", "coco/000000033471.png", turn("human", "<image>\\nQ?"), turn("gpt", "A."));
        Path file = TestFiles.write(dir, "llava.json", list(good, bad));

        assertThatThrownBy(() -> load(file, false))
                .isInstanceOf(UserException.class)
                .hasMessageStartingWith(file + ":10: ")
                .hasMessageContaining(expected);
    }

    @Test
    void skipBadCountsBadRecords() throws IOException {
        String image = "coco/000000033471.png";
        Path file = TestFiles.write(dir, "llava.json", list(
                record("1", image, turn("human", "<image>\\nQ1"), turn("gpt", "A1")),
                record("2", null, turn("human", "text only"), turn("gpt", "no image")),
                record("3", image, turn("human", "<image>\\nQ3"), turn("gpt", "A3"), turn("human", "Q4"), turn("gpt", "A4")),
                record("4", "coco/gone.png", turn("human", "<image>"), turn("gpt", "x"))));

        LoadedDataset dataset = load(file, true);

        assertThat(dataset.examples()).extracting(Example::answer).containsExactly("A1", "A3", "A4");
        assertThat(dataset.skipped()).isEqualTo(2);
        assertThat(dataset.skippedReasons().get(0)).startsWith(file + ":10: missing field 'image'");
        assertThat(dataset.skippedReasons().get(1)).startsWith(file + ":27: image file not found");
    }

    @Test
    void malformedJsonIsFatalAndNamesTheLine() throws IOException {
        Path file = TestFiles.write(dir, "llava.json", "[\n  {\"image\": \"a.png\",\n   \"conversations\": [}\n]\n");

        assertThatThrownBy(() -> load(file, true))
                .isInstanceOf(UserException.class)
                .hasMessageStartingWith(file + ":3: malformed JSON")
                .hasMessageNotContaining("\n");
    }

    @Test
    void unclosedListIsFatal() throws IOException {
        String good = record("ok", "coco/000000033471.png", turn("human", "Q"), turn("gpt", "A"));
        Path file = TestFiles.write(dir, "llava.json", "[\n" + good + ",\n");

        assertThatThrownBy(() -> load(file, true))
                .isInstanceOf(UserException.class)
                .hasMessageStartingWith(file + ":")
                .hasMessageContaining("malformed JSON");
    }

    @Test
    void aTopLevelObjectIsFatal() throws IOException {
        Path file = TestFiles.write(dir, "llava.json", "\n{\"image\": \"x.png\"}\n");

        assertThatThrownBy(() -> load(file, true))
                .isInstanceOf(UserException.class)
                .hasMessage(file + ":2: expected a JSON list of LLaVA conversation records");
    }

    @Test
    void contentAfterTheListIsFatal() throws IOException {
        String good = record("ok", "coco/000000033471.png", turn("human", "Q"), turn("gpt", "A"));
        Path file = TestFiles.write(dir, "llava.json", list(good) + "\n[]\n");

        assertThatThrownBy(() -> load(file, true))
                .isInstanceOf(UserException.class)
                .hasMessage(file + ":12: unexpected content after the list of records");
    }

    @Test
    void imageMarkerRemovalKeepsOtherNewlines() {
        assertThat(LlavaFormat.withoutImageMarker("<image>\nline1\nline2")).isEqualTo("line1\nline2");
        assertThat(LlavaFormat.withoutImageMarker("line1\n<image>")).isEqualTo("line1");
        assertThat(LlavaFormat.withoutImageMarker("a <image> b")).isEqualTo("a  b");
        assertThat(LlavaFormat.withoutImageMarker("no marker\n")).isEqualTo("no marker\n");
    }
}
