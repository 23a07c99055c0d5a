package org.seemore.train.plot;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import javax.imageio.ImageIO;

/** Reading written PNGs back and counting their pixels, for the plot tests. */
final class Pngs {
    private Pngs() {}

    static BufferedImage read(Path png) {
        try {
            BufferedImage image = ImageIO.read(png.toFile());
            assertThat(image).as("%s decodes as an image", png).isNotNull();
            return image;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Pixels within {@code tolerance} (per channel) of {@code color} inside the given rectangle. */
    static int count(BufferedImage image, Color color, int tolerance, int x0, int y0, int x1, int y1) {
        int n = 0;
        for (int y = Math.max(0, y0); y < Math.min(image.getHeight(), y1); y++) {
            for (int x = Math.max(0, x0); x < Math.min(image.getWidth(), x1); x++) {
                Color c = new Color(image.getRGB(x, y));
                if (Math.abs(c.getRed() - color.getRed()) <= tolerance && Math.abs(c.getGreen() - color.getGreen()) <= tolerance
                        && Math.abs(c.getBlue() - color.getBlue()) <= tolerance) n++;
            }
        }
        return n;
    }

    static int count(BufferedImage image, Color color, int tolerance) {
        return count(image, color, tolerance, 0, 0, image.getWidth(), image.getHeight());
    }

    /** The fraction of pixels that are not white: a blank image has none. */
    static double inkFraction(BufferedImage image) {
        int pixels = image.getWidth() * image.getHeight();
        return (pixels - count(image, Color.WHITE, 0)) / (double) pixels;
    }

    /** Files in {@code directory} other than {@code expected}: leftovers of a non-atomic write. */
    static long strayFiles(Path directory, Path expected) {
        try (Stream<Path> files = Files.list(directory)) {
            return files.filter(f -> !f.equals(expected)).count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
