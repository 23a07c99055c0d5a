package org.seemore.data.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.seemore.UserException;

class DatasetLoaderTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @CsvSource({"train.jsonl, jsonl", "inputs.csv, csv", "llava.json, llava", "input.txt, text", "DATA.JSONL, jsonl",
            "dir.v2/inputs.CSV, csv"})
    void formatFollowsTheExtension(String fileName, String format) {
        assertThat(DatasetLoader.formatFor(Path.of(fileName), Optional.empty()).name()).isEqualTo(format);
    }

    @ParameterizedTest
    @CsvSource({"data.bin, jsonl", "llava.json, text", "x.txt, LLaVA", "noext, ' csv '"})
    void anExplicitFormatOverridesTheExtension(String fileName, String format) {
        assertThat(DatasetLoader.formatFor(Path.of(fileName), Optional.of(format)).name())
                .isEqualTo(format.strip().toLowerCase());
    }

    @Test
    void explicitFormatIsUsedToReadTheFile() throws IOException {
        TestFiles.writePng(dir, "img.png");
        Path file = TestFiles.write(dir, "manifest.data", "{\"image\": \"img.png\", \"caption\": \"read as jsonl\"}\n");

        LoadedDataset dataset = DatasetLoader.load(file, Optional.of("jsonl"), null, false);

        assertThat(dataset.examples()).singleElement()
                .satisfies(example -> assertThat(example.answer()).isEqualTo("read as jsonl"));
    }

    @Test
    void unknownExtensionNamesTheFileAndTheKnownFormats() {
        Path file = dir.resolve("data.parquet");

        assertThatThrownBy(() -> DatasetLoader.load(file, Optional.empty(), null, false))
                .isInstanceOf(UserException.class)
                .hasMessageContaining("cannot tell the format of " + file)
                .hasMessageContaining(".jsonl, .csv, .json, .txt")
                .hasMessageContaining("jsonl, csv, llava, text");
    }

    @Test
    void unknownFormatNameNamesTheFileAndTheKnownFormats() {
        Path file = dir.resolve("data.jsonl");

        assertThatThrownBy(() -> DatasetLoader.load(file, Optional.of("parquet"), null, false))
                .isInstanceOf(UserException.class)
                .hasMessage("unknown --format 'parquet' for " + file + "; known formats: jsonl, csv, llava, text");
    }

    @Test
    void missingFileIsFatalEvenWhenSkipping() {
        Path file = dir.resolve("missing.jsonl");

        assertThatThrownBy(() -> DatasetLoader.load(file, Optional.empty(), null, true))
                .isInstanceOf(UserException.class)
                .hasMessage("data file not found: " + file);
    }

    @Test
    void aDirectoryIsNotADataFile() throws IOException {
        Path file = Files.createDirectories(dir.resolve("folder.csv"));

        assertThatThrownBy(() -> DatasetLoader.load(file, Optional.empty(), null, false))
                .isInstanceOf(UserException.class)
                .hasMessage("data file is not a regular file: " + file);
    }

    @Test
    void aMissingImageRootIsFatal() throws IOException {
        Path file = TestFiles.write(dir, "train.jsonl", "{}\n");
        Path root = dir.resolve("no-such-dir");

        assertThatThrownBy(() -> DatasetLoader.load(file, Optional.empty(), root, false))
                .isInstanceOf(UserException.class)
                .hasMessage("image root is not a directory: " + root);
    }

    @Test
    void aFileWithNoRecordsIsAUserError() throws IOException {
        Path file = TestFiles.write(dir, "train.jsonl", "\n\n");

        assertThatThrownBy(() -> DatasetLoader.load(file, Optional.empty(), null, false))
                .isInstanceOf(UserException.class)
                .hasMessage(file + ": no usable records");
    }
}
