package org.seemore.data.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.seemore.UserException;

/** The header check that dataset loading runs on every record's image. */
class ImageHeaderTest {
    @TempDir
    Path dir;

    private static Path fixture(String name) {
        return ImagePreprocessFixtureTest.fixtures().resolve("images").resolve(name);
    }

    @ParameterizedTest
    @CsvSource({"rgb-50x37.png, 50, 37", "rgb-64x48.jpg, 64, 48", "palette-64x48.gif, 64, 48", "rgb-128x96.bmp, 128, 96"})
    void readsTheSizeOfFilesAndBytesAlike(String name, int width, int height) throws IOException {
        assertThat(ImageHeader.read(new ImageSource.FileImage(fixture(name)))).isEqualTo(new ImageHeader(width, height));
        byte[] bytes = Files.readAllBytes(fixture(name));
        assertThat(ImageHeader.read(new ImageSource.EncodedImage("rec:1", bytes))).isEqualTo(new ImageHeader(width, height));
    }

    @Test
    void textIsNotAnImage() throws IOException {
        Path text = Files.writeString(dir.resolve("notes.png"), "not an image at all");
        assertThatThrownBy(() -> ImageHeader.read(new ImageSource.FileImage(text)))
                .isInstanceOf(UserException.class).hasMessage(text + ": not a PNG, JPEG, GIF or BMP image (unrecognised header bytes)");
        Path tiny = Files.write(dir.resolve("tiny.png"), new byte[] {'B'});
        assertThatThrownBy(() -> ImageHeader.read(new ImageSource.FileImage(tiny)))
                .isInstanceOf(UserException.class).hasMessageContaining("not a PNG, JPEG, GIF or BMP image");
        Path empty = Files.write(dir.resolve("empty.png"), new byte[0]);
        assertThatThrownBy(() -> ImageHeader.read(new ImageSource.FileImage(empty)))
                .isInstanceOf(UserException.class).hasMessage(empty + ": empty file, not an image");
    }

    @Test
    void aHeaderCutShortIsCorrupt() throws IOException {
        byte[] cut = Arrays.copyOf(Files.readAllBytes(fixture("rgb-50x37.png")), 20);
        assertThatThrownBy(() -> ImageHeader.read(new ImageSource.EncodedImage("rec:7", cut)))
                .isInstanceOf(UserException.class).hasMessageStartingWith("rec:7: corrupt or unsupported PNG image");
    }

    @Test
    void aMissingFileIsNamed() {
        Path missing = dir.resolve("gone.png");
        assertThatThrownBy(() -> ImageHeader.read(new ImageSource.FileImage(missing)))
                .isInstanceOf(UserException.class).hasMessageStartingWith(missing + ": cannot open image file");
    }
}
