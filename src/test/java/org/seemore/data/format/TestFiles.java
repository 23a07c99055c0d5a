package org.seemore.data.format;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import javax.imageio.ImageIO;

/** Small real files for the format tests. */
final class TestFiles {
    private TestFiles() {}

    /** A 3x2 PNG with distinct pixels, encoded by javax.imageio. */
    static byte[] tinyPng() {
        BufferedImage image = new BufferedImage(3, 2, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 2; y++) for (int x = 0; x < 3; x++) image.setRGB(x, y, (x * 80) << 16 | (y * 120) << 8 | 40);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            if (!ImageIO.write(image, "png", out)) throw new IllegalStateException("no PNG writer");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    static String tinyPngBase64() {
        return Base64.getEncoder().encodeToString(tinyPng());
    }

    /** Writes the tiny PNG to {@code dir/relative}, creating parent directories. */
    static Path writePng(Path dir, String relative) throws IOException {
        Path file = dir.resolve(relative);
        Files.createDirectories(file.getParent());
        Files.write(file, tinyPng());
        return file;
    }

    static Path write(Path dir, String name, String content) throws IOException {
        Path file = dir.resolve(name);
        Files.writeString(file, content);
        return file;
    }
}
