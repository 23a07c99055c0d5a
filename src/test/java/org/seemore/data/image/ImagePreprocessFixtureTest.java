package org.seemore.data.image;

import org.junit.jupiter.api.Test;
import org.seemore.io.SafetensorsFile;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Decodes every fixture image and transforms it to 32x32, comparing with the values torchvision
 * produced from PIL ({@code pixels.<file>} in image-preprocess.safetensors). Differences are
 * reported in 8-bit levels: one level is 1/255/std in normalized units.
 */
class ImagePreprocessFixtureTest {

    static Path fixtures() {
        try {
            return Path.of(ImagePreprocessFixtureTest.class.getResource("/fixtures").toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void everyFixtureImageMatchesTorchvision() throws IOException {
        SafetensorsFile expected = SafetensorsFile.read(fixtures().resolve("image-preprocess.safetensors"));
        ImageTransform transform = ImageTransform.imagenet(Integer.parseInt(expected.metadata("size")));
        List<Path> images;
        try (Stream<Path> files = Files.list(fixtures().resolve("images"))) {
            images = files.sorted().toList();
        }
        assertThat(images).hasSize(7);
        for (Path image : images) {
            String name = image.getFileName().toString();
            float[] actual = transform.apply(new ImageSource.FileImage(image));
            float[] reference = expected.floats("pixels." + name);
            assertThat(actual).hasSameSizeAs(reference);
            double maxLevels = maxDiffInLevels(actual, reference, transform);
            double tolerance = name.endsWith(".jpg") ? 3 : 1;
            System.out.printf("image-preprocess %-24s max diff %.6f levels (tolerance %.0f)%n", name, maxLevels, tolerance);
            assertThat(maxLevels).as("max diff in 8-bit levels for " + name).isLessThanOrEqualTo(tolerance + 1e-3);
        }
    }

    /** Largest |actual - reference| over all values, converted from normalized units to 8-bit levels. */
    static double maxDiffInLevels(float[] actual, float[] reference, ImageTransform transform) {
        int plane = actual.length / 3;
        float[] std = transform.std();
        double max = 0;
        for (int i = 0; i < actual.length; i++) {
            double levels = Math.abs(actual[i] - reference[i]) * std[i / plane] * 255.0;
            max = Math.max(max, levels);
        }
        return max;
    }
}
