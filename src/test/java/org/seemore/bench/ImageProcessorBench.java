package org.seemore.bench;

import org.seemore.data.image.ImageDecoder;
import org.seemore.data.image.ImageSource;
import org.seemore.data.image.ResampleFilter;
import org.seemore.data.image.Resize;
import org.seemore.data.image.RgbImage;
import org.seemore.data.image.hf.ImageProcessor;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;

/**
 * Times, by hand (not a test), the Hugging Face preprocessing of the 721x938 RGBA fixture: decoding,
 * the bicubic resize to CLIP-336's 336x437 and the whole CLIP-336 processor (resize, crop,
 * rescale, normalize). Argument: the test resources' {@code fixtures} directory.
 */
public final class ImageProcessorBench {
    private ImageProcessorBench() {}

    public static void main(String[] args) {
        Path fixtures = Path.of(args.length > 0 ? args[0] : "src/test/resources/fixtures");
        ImageSource file = new ImageSource.FileImage(fixtures.resolve("hf/image-processors/images/rgba-721x938-transparent.png"));
        ImageProcessor clip = ImageProcessor.load(fixtures.resolve("hf/image-processors/clip-336"));
        RgbImage image = ImageDecoder.decode(file);
        time("decode PNG 721x938", 20, () -> ImageDecoder.decode(file));
        time("bicubic 721x938 -> 336x437", 50, () -> Resize.resize(image, 336, 437, ResampleFilter.BICUBIC));
        time("bilinear 721x938 -> 336x437", 50, () -> Resize.resize(image, 336, 437, ResampleFilter.BILINEAR));
        time("CLIP-336 processor (from RGB)", 50, () -> clip.pixelValues(image));
    }

    /** Wall time, and the thread's CPU time, which a shared, loaded machine inflates less. */
    private static void time(String name, int repeats, Runnable task) {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        for (int i = 0; i < 10; i++) task.run();   // warm-up: JIT
        long best = Long.MAX_VALUE, bestCpu = Long.MAX_VALUE, total = 0;
        for (int i = 0; i < repeats; i++) {
            long t0 = System.nanoTime(), c0 = mx.getCurrentThreadCpuTime();
            task.run();
            long elapsed = System.nanoTime() - t0, cpu = mx.getCurrentThreadCpuTime() - c0;
            best = Math.min(best, elapsed);
            bestCpu = Math.min(bestCpu, cpu);
            total += elapsed;
        }
        System.out.printf("%-32s wall best %6.2f ms, mean %6.2f ms; CPU best %6.2f ms (%d runs)%n",
                name, best / 1e6, total / 1e6 / repeats, bestCpu / 1e6, repeats);
    }
}
