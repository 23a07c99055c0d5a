package org.seemore.data.image.hf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.seemore.data.image.ImageDecoder;
import org.seemore.data.image.ImageSource;
import org.seemore.data.image.RgbImage;
import org.seemore.io.SafetensorsFile;
import org.seemore.io.StoredTensor;
import org.seemore.parity.hf.ImageProcessorFolderParity;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * transformers 4.45's CLIPImageProcessor and SiglipImageProcessor on real files
 * ({@code fixtures/hf/image-processors}, see the shared fixtures' README): for every processor
 * folder and every line of its {@code cases.jsonl}, the resized size and crop offset, the 8-bit image
 * after resize and crop (byte for byte), and where stored the float {@code pixel_values} (bit for
 * bit); and Pillow's decoded RGB of every input.
 */
class ImageProcessorFixtureTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    static Path fixtures() {
        try {
            return Path.of(ImageProcessorFixtureTest.class.getResource("/fixtures").toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static Path processors() {
        return fixtures().resolve("hf/image-processors");
    }

    @ParameterizedTest
    @ValueSource(strings = {"clip-224", "clip-336", "siglip-384"})
    void everyCaseMatchesTransformersExactly(String folder) throws IOException {
        Path dir = processors().resolve(folder);
        ImageProcessor processor = ImageProcessor.load(dir);
        List<String> lines = Files.readAllLines(dir.resolve("cases.jsonl"));
        assertThat(lines).hasSize(10);
        int floatCases = 0;
        for (String line : lines) {
            JsonNode c = JSON.readTree(line);
            String name = c.get("image").textValue();
            RgbImage input = ImageDecoder.decode(new ImageSource.FileImage(input(c)));
            assertThat(new int[] {input.width(), input.height()}).as(name).containsExactly(ints(c.get("image_size_wh")));

            ImageProcessor.Geometry g = processor.geometry(input.width(), input.height());
            assertThat(new int[] {g.resizedHeight(), g.resizedWidth()}).as("%s resized_hw", name).containsExactly(ints(c.get("resized_hw")));
            if (c.has("crop_top_left")) {
                assertThat(new int[] {g.cropTop(), g.cropLeft()}).as("%s crop_top_left", name).containsExactly(ints(c.get("crop_top_left")));
            }

            RgbImage expected = ImageProcessorFolderParity.png(dir.resolve(c.get("uint8").textValue()));
            assertThat(ImageProcessorFolderParity.sha256(expected.rgb())).as("%s: the PNG reads as the stored bytes", name).isEqualTo(c.get("uint8_sha256").textValue());
            RgbImage actual = processor.resizeAndCrop(input);
            assertThat(actual.width()).isEqualTo(expected.width());
            assertThat(actual.height()).isEqualTo(expected.height());
            assertThat(actual.rgb()).as("%s/%s: 8-bit image after resize and crop, %d bytes differ", folder, name,
                    differing(actual.rgb(), expected.rgb())).isEqualTo(expected.rgb());

            if (c.has("pixel_values")) {
                floatCases++;
                float[] reference = SafetensorsFile.read(dir.resolve(c.get("pixel_values").textValue())).floats("pixel_values." + name);
                float[] fromPng = processor.toFloats(expected);
                float[] endToEnd = processor.pixelValues(input);   // the decoded file through steps 2-5
                System.out.printf("image-processors %-10s %-30s pixel_values: %d of %d floats differ in bits, max |diff| %.3g%n",
                        folder, name, bitDifferences(endToEnd, reference), reference.length, maxDiff(endToEnd, reference));
                assertBitIdentical(fromPng, reference, folder + "/" + name + " (step 5 on the stored PNG)");
                assertBitIdentical(endToEnd, reference, folder + "/" + name + " (decoded file, steps 2-5)");
            }
        }
        assertThat(floatCases).isEqualTo(2);
        System.out.printf("image-processors %-10s %d of %d cases: 8-bit images exact, %d pixel_values bit-identical%n",
                folder, lines.size(), lines.size(), floatCases);
    }

    @Test
    void decoderMatchesPillowsDecodedRgb() throws IOException {
        SafetensorsFile decoded = SafetensorsFile.read(processors().resolve("decoded-rgb.safetensors"));
        assertThat(decoded.names()).hasSize(9);
        for (String tensor : decoded.names()) {
            String name = tensor.substring("rgb.".length());
            Path file = Files.exists(fixtures().resolve("images").resolve(name))
                    ? fixtures().resolve("images").resolve(name) : processors().resolve("images").resolve(name);
            RgbImage ours = ImageDecoder.decode(new ImageSource.FileImage(file));
            StoredTensor pillow = decoded.get(tensor);
            assertThat(pillow.shape()).containsExactly(ours.height(), ours.width(), 3);
            int[] expected = pillow.toInts();
            int max = 0, count = 0;
            for (int i = 0; i < expected.length; i++) {
                int diff = Math.abs((ours.rgb()[i] & 0xFF) - expected[i]);
                if (diff != 0) count++;
                max = Math.max(max, diff);
            }
            System.out.printf("decoded-rgb %-30s %d values differ, max %d levels%n", name, count, max);
            assertThat(count).as("%s: values differing from Pillow's decode (max %d levels)", name, max).isZero();
        }
    }

    private static Path input(JsonNode c) {
        String folder = c.get("image_folder").textValue();
        Path base = switch (folder) {
            case "shared/fixtures/images" -> fixtures().resolve("images");
            case "shared/fixtures/hf/image-processors/images" -> processors().resolve("images");
            default -> throw new AssertionError("unknown image_folder " + folder);
        };
        return base.resolve(c.get("image").textValue());
    }

    private static void assertBitIdentical(float[] actual, float[] reference, String what) {
        assertThat(actual).hasSameSizeAs(reference);
        assertThat(bitDifferences(actual, reference)).as("%s: floats whose bits differ (max |diff| %.3g)", what, maxDiff(actual, reference)).isZero();
    }

    private static int bitDifferences(float[] a, float[] b) {
        int count = 0;
        for (int i = 0; i < a.length; i++) if (Float.floatToRawIntBits(a[i]) != Float.floatToRawIntBits(b[i])) count++;
        return count;
    }

    private static double maxDiff(float[] a, float[] b) {
        double max = 0;
        for (int i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
        return max;
    }

    private static int differing(byte[] a, byte[] b) {
        int count = 0;
        for (int i = 0; i < Math.min(a.length, b.length); i++) if (a[i] != b[i]) count++;
        return count;
    }

    private static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) out[i] = array.get(i).intValue();
        return out;
    }

}
