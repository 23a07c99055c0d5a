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
        int left = Math.max(0, x0);
        int top = Math.max(0, y0);
        int width = Math.min(image.getWidth(), x1) - left;
        int height = Math.min(image.getHeight(), y1) - top;
        if (width <= 0 || height <= 0) return 0;
        int[] pixels = image.getRGB(left, top, width, height, null, 0, width);
        int n = 0;
        for (int rgb : pixels) {
            if (Math.abs((rgb >> 16 & 0xff) - color.getRed()) <= tolerance && Math.abs((rgb >> 8 & 0xff) - color.getGreen()) <= tolerance
                    && Math.abs((rgb & 0xff) - color.getBlue()) <= tolerance) n++;
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
