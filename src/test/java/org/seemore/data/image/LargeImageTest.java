package org.seemore.data.image;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.seemore.UserException;

/**
 * Images above {@link ImageDecoder#FULL_RESOLUTION_PIXELS} are decimated while they are decoded, so their
 * 16-bit planes are never held at full size; and running out of memory says so, with what to do.
 */
class LargeImageTest {
    @TempDir
    Path dir;

    @Test
    void theStepKeepsTheDecodedImageWithinTheBudget() {
        long budget = ImageDecoder.FULL_RESOLUTION_PIXELS;
        assertThat(ImageDecoder.subsamplingStep(4096, 4096, budget)).isEqualTo(1);
        assertThat(ImageDecoder.subsamplingStep(50, 37, budget)).isEqualTo(1);
        assertThat(ImageDecoder.subsamplingStep(4097, 4096, budget)).isEqualTo(2);
        assertThat(ImageDecoder.subsamplingStep(13000, 13000, budget)).isEqualTo(4);   // 3250 x 3250
        assertThat(ImageDecoder.subsamplingStep(13379, 13379, budget)).isEqualTo(4);   // Pillow's pixel limit
        assertThat(ImageDecoder.subsamplingStep(1_000_000, 1, budget)).isEqualTo(1);
        assertThat(ImageDecoder.subsamplingStep(100_000, 1000, budget)).isEqualTo(3);  // 33334 x 334
    }

    @Test
    void aLargeSixteenBitImageIsDecimatedWhileDecodingAndAllocatesLittle() throws IOException {
        int width = 2400, height = 1800, step = 4;
        byte[] png = BlockPng.bytes(width, height);
        long budget = (long) (width / step) * (height / step);
        ImageDecoder.decode("warm-up.png", BlockPng.bytes(8, 8), 16);   // loads the decoder's classes

        long before = allocatedBytes();
        RgbImage full = ImageDecoder.decode("big.png", png);
        long fullBytes = allocatedBytes() - before;
        before = allocatedBytes();
        RgbImage small = ImageDecoder.decode("big.png", png, budget);
        long smallBytes = allocatedBytes() - before;

        long sixteenBitPlanes = (long) width * height * 3 * 2;
        System.out.printf("decoding %dx%d 16-bit RGB allocated %.1f MB at full size, %.1f MB at step %d%n",
                width, height, fullBytes / 1e6, smallBytes / 1e6, step);
        assertThat(fullBytes).isGreaterThan(sixteenBitPlanes);
        assertThat(smallBytes).as("bytes allocated by the decimated decode").isLessThan(sixteenBitPlanes / 4);
        byte[] expectedFull = new byte[width * height * 3];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                for (int c = 0; c < 3; c++) expectedFull[(y * width + x) * 3 + c] = (byte) (BlockPng.sample(x, y, c) >> 8);
            }
        }
        assertThat(full.rgb()).isEqualTo(expectedFull);
        assertThat(small.width()).isEqualTo(width / step);
        assertThat(small.height()).isEqualTo(height / step);
        byte[] everyStepth = new byte[small.rgb().length];
        for (int y = 0; y < small.height(); y++) {
            for (int x = 0; x < small.width(); x++) {
                System.arraycopy(full.rgb(), (y * step * width + x * step) * 3, everyStepth, (y * small.width() + x) * 3, 3);
            }
        }
        assertThat(small.rgb()).isEqualTo(everyStepth);
    }

    /**
     * In a JVM with a 96 MB heap: a 4200x4200 16-bit PNG (106 MB of 16-bit samples, over the budget) is
     * decoded at half size; a 4000x4000 one (96 MB, under the budget, so decoded whole) does not fit, and
     * the error says it is memory, how much is needed and how to give more.
     */
    @Test
    void underASmallHeapLargeImagesDecodeAndTooLargeOnesSaySoClearly() throws Exception {
        Path over = BlockPng.write(dir.resolve("over-budget.png"), 4200, 4200);
        Path under = BlockPng.write(dir.resolve("under-budget.png"), 4000, 4000);
        String java = ProcessHandle.current().info().command().orElseThrow();
        Process process = new ProcessBuilder(java, "-Xmx96m", "-cp", System.getProperty("java.class.path"),
                LargeImageTest.class.getName(), over.toString(), under.toString()).redirectErrorStream(true).start();
        String output;
        try {
            output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
        } finally {
            process.destroyForcibly();
        }
        System.out.print(output);
        List<String> lines = output.lines().toList();
        assertThat(process.exitValue()).as(output).isZero();
        assertThat(lines).as(output).hasSize(2);
        assertThat(lines.get(0)).isEqualTo("decoded 2100x2100");
        assertThat(lines.get(1)).startsWith("error: " + under + ": not enough memory to decode this 4000x4000 PNG image")
                .contains("needs about 137 MB").contains("Java heap").contains("SEEMORE_JAVA_OPTS=-Xmx")
                .doesNotContain("corrupt").doesNotContain("\n");
    }

    /** Run by {@link #underASmallHeapLargeImagesDecodeAndTooLargeOnesSaySoClearly} in a JVM with a small heap. */
    public static void main(String[] args) {
        for (String file : args) {
            try {
                RgbImage image = ImageDecoder.decode(new ImageSource.FileImage(Path.of(file)));
                System.out.println("decoded " + image.width() + "x" + image.height());
            } catch (UserException e) {
                System.out.println("error: " + e.getMessage());
            }
        }
    }

    private static long allocatedBytes() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }
}
