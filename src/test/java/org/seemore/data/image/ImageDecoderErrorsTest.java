package org.seemore.data.image;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.seemore.UserException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Missing, empty, random, truncated and corrupt inputs are UserExceptions that name the file or record. */
class ImageDecoderErrorsTest {
    @TempDir
    Path dir;

    private static Path image(String name) {
        return ImagePreprocessFixtureTest.fixtures().resolve("images").resolve(name);
    }

    @Test
    void missingFile() {
        Path missing = dir.resolve("no-such-image.png");
        assertThatThrownBy(() -> ImageDecoder.decode(new ImageSource.FileImage(missing)))
                .isInstanceOf(UserException.class).hasMessageContaining("no-such-image.png").hasMessageContaining("not found");
    }

    @Test
    void directoryInsteadOfFile() {
        assertThatThrownBy(() -> ImageDecoder.decode(new ImageSource.FileImage(dir)))
                .isInstanceOf(UserException.class).hasMessageContaining(dir.toString());
    }

    @Test
    void emptyFile() throws IOException {
        Path empty = Files.write(dir.resolve("empty.jpg"), new byte[0]);
        assertThatThrownBy(() -> ImageDecoder.decode(new ImageSource.FileImage(empty)))
                .isInstanceOf(UserException.class).hasMessageContaining("empty.jpg").hasMessageContaining("empty");
    }

    @Test
    void randomBytes() throws IOException {
        byte[] noise = new byte[4096];
        new Random(42).nextBytes(noise);
        noise[0] = 0x12;   // make sure the seed did not happen to produce a signature
        Path file = Files.write(dir.resolve("noise.png"), noise);
        assertThatThrownBy(() -> ImageDecoder.decode(new ImageSource.FileImage(file)))
                .isInstanceOf(UserException.class).hasMessageContaining("noise.png").hasMessageContaining("not a PNG, JPEG, GIF or BMP");
    }

    @ParameterizedTest
    @ValueSource(strings = {"rgb-50x37.png", "rgba-40x40.png", "rgb-64x48.jpg", "palette-64x48.gif", "rgb-128x96.bmp"})
    void truncatedToHalf(String name) throws IOException {
        byte[] bytes = Files.readAllBytes(image(name));
        Path file = Files.write(dir.resolve("cut-" + name), Arrays.copyOf(bytes, bytes.length / 2));
        assertThatThrownBy(() -> ImageDecoder.decode(new ImageSource.FileImage(file)))
                .isInstanceOf(UserException.class).hasMessageContaining("cut-" + name);
    }

    @ParameterizedTest
    @ValueSource(ints = {9, 30, 60, 100})
    void truncatedPngAtManyPoints(int keep) throws IOException {
        byte[] bytes = Files.readAllBytes(image("rgb-50x37.png"));
        Path file = Files.write(dir.resolve("short.png"), Arrays.copyOf(bytes, keep));
        assertThatThrownBy(() -> ImageDecoder.decode(new ImageSource.FileImage(file)))
                .isInstanceOf(UserException.class).hasMessageContaining("short.png");
    }

    @Test
    void jpegMissingOnlyItsEndMarker() throws IOException {
        byte[] bytes = Files.readAllBytes(image("rgb-64x48.jpg"));
        assertThat(bytes[bytes.length - 2] & 0xFF).isEqualTo(0xFF);
        assertThat(bytes[bytes.length - 1] & 0xFF).isEqualTo(0xD9);
        Path file = Files.write(dir.resolve("no-eoi.jpg"), Arrays.copyOf(bytes, bytes.length - 2));
        assertThatThrownBy(() -> ImageDecoder.decode(new ImageSource.FileImage(file)))
                .isInstanceOf(UserException.class).hasMessageContaining("no-eoi.jpg").hasMessageContaining("truncated");
    }

    @Test
    void corruptPngData() throws IOException {
        byte[] bytes = Files.readAllBytes(image("rgb-50x37.png"));
        for (int i = 60; i < bytes.length - 20; i++) bytes[i] = (byte) (i * 31);
        Path file = Files.write(dir.resolve("corrupt.png"), bytes);
        assertThatThrownBy(() -> ImageDecoder.decode(new ImageSource.FileImage(file)))
                .isInstanceOf(UserException.class).hasMessageContaining("corrupt.png");
    }

    @Test
    void encodedBytesNameTheirOrigin() throws IOException {
        byte[] bytes = Files.readAllBytes(image("palette-64x48.gif"));
        ImageSource source = new ImageSource.EncodedImage("captions.jsonl:17", Arrays.copyOf(bytes, 40));
        assertThatThrownBy(() -> ImageDecoder.decode(source))
                .isInstanceOf(UserException.class).hasMessageContaining("captions.jsonl:17");
    }
}
