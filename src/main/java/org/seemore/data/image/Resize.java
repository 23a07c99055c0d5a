package org.seemore.data.image;

import java.util.Arrays;

/**
 * Resizes an 8-bit RGB image as Pillow's {@code Image.resize(size, filter)} does, value for value
 * (what torchvision's {@code Resize} and Hugging Face's image processors do to a PIL image). The
 * convolution filters follow Pillow's {@code libImaging/Resample.c}:
 *
 * <ul>
 *   <li>separable: a horizontal pass into an 8-bit intermediate, then a vertical pass; a pass runs
 *       only when that dimension changes; every pass rounds and clips to 8 bits;</li>
 *   <li>per axis, {@code scale = in / out}; the kernel's support widens to {@code support * scale}
 *       when shrinking, so every input pixel contributes (antialiasing);</li>
 *   <li>output pixel {@code i} is centred at {@code (i + 0.5) * scale} in input coordinates; its
 *       taps run from {@code (int) (center - support + 0.5)} to {@code (int) (center + support + 0.5)}
 *       (exclusive), clamped to the image; tap {@code x} weighs
 *       {@code K((x - center + 0.5) * (1 / max(scale, 1)))}; weights are normalised to sum 1;</li>
 *   <li>weights become fixed point with 22 fraction bits ({@code 32 - 8 - 2}), rounded half away
 *       from zero; sums start at one half and are shifted back and clipped to 0..255.</li>
 * </ul>
 *
 * <p>{@link ResampleFilter#NEAREST} is Pillow's affine scaling instead: the source position starts
 * at half a step and accumulates one step ({@code in / out}) per output pixel, truncated.
 */
public final class Resize {
    /** Fraction bits of the fixed-point weights: 32 bits minus 8 for the pixel, minus 2 for overflow. */
    static final int PRECISION_BITS = 32 - 8 - 2;

    private Resize() {}

    /** The image resized to {@code width x height} with Pillow's BILINEAR filter. */
    public static RgbImage bilinear(RgbImage image, int width, int height) {
        return resize(image, width, height, ResampleFilter.BILINEAR);
    }

    /** The image resized to {@code width x height} with Pillow's {@code filter}; a new image even when the size is unchanged. */
    public static RgbImage resize(RgbImage image, int width, int height, ResampleFilter filter) {
        if (width <= 0 || height <= 0) throw new IllegalArgumentException("target size must be positive: " + width + "x" + height);
        if (width == image.width() && height == image.height()) return new RgbImage(width, height, image.rgb().clone());
        if (filter == ResampleFilter.NEAREST) return nearest(image, width, height);
        Kernel vertical = Kernel.of(filter, image.height(), height);
        RgbImage current = image;
        if (width != image.width()) {
            // only the source rows the vertical pass will read
            int firstRow = vertical.start[0];
            int lastRow = vertical.start[height - 1] + vertical.count[height - 1];
            current = horizontal(image, Kernel.of(filter, image.width(), width), firstRow, lastRow);
            vertical = vertical.shifted(-firstRow);
        }
        if (height != image.height()) current = vertical(current, vertical);
        return current;
    }

    /**
     * Per output position: the first input tap, the number of taps and their fixed-point weights
     * ({@code taps} slots per output, unused ones zero).
     */
    record Kernel(int[] start, int[] count, int[] weights, int taps) {

        static Kernel of(ResampleFilter filter, int inSize, int outSize) {
            double scale = (double) inSize / outSize;
            double filterScale = Math.max(scale, 1.0);
            double support = filter.support() * filterScale;
            double inverseScale = 1.0 / filterScale;
            int taps = (int) Math.ceil(support) * 2 + 1;
            int[] start = new int[outSize];
            int[] count = new int[outSize];
            int[] weights = new int[outSize * taps];
            double[] w = new double[taps];
            for (int i = 0; i < outSize; i++) {
                double center = (i + 0.5) * scale;
                // (int) truncates toward zero, as the C cast does; negative starts clamp to 0 anyway
                int min = Math.max((int) (center - support + 0.5), 0);
                int max = Math.min((int) (center + support + 0.5), inSize);
                int n = max - min;
                double sum = 0;
                for (int x = 0; x < n; x++) {
                    w[x] = filter.weight((x + min - center + 0.5) * inverseScale);
                    sum += w[x];
                }
                for (int x = 0; x < n; x++) {
                    double normalized = sum != 0.0 ? w[x] / sum : w[x];
                    weights[i * taps + x] = toFixedPoint(normalized);
                }
                start[i] = min;
                count[i] = n;
            }
            return new Kernel(start, count, weights, taps);
        }

        Kernel shifted(int offset) {
            int[] moved = start.clone();
            for (int i = 0; i < moved.length; i++) moved[i] += offset;
            return new Kernel(moved, count, weights, taps);
        }

        private static int toFixedPoint(double weight) {
            double scaled = weight * (1 << PRECISION_BITS);
            return (int) (weight < 0 ? scaled - 0.5 : scaled + 0.5);
        }
    }

    /** Resamples rows {@code firstRow..lastRow-1} along x. */
    private static RgbImage horizontal(RgbImage in, Kernel kernel, int firstRow, int lastRow) {
        int outWidth = kernel.start.length;
        int rows = lastRow - firstRow;
        byte[] src = in.rgb();
        byte[] dst = new byte[outWidth * rows * 3];
        for (int y = 0; y < rows; y++) {
            int rowBase = (y + firstRow) * in.width() * 3;
            for (int x = 0; x < outWidth; x++) {
                int k = x * kernel.taps;
                int r = 1 << (PRECISION_BITS - 1), g = r, b = r;   // one half, for rounding
                int p = rowBase + kernel.start[x] * 3;
                for (int t = 0; t < kernel.count[x]; t++, p += 3) {
                    int weight = kernel.weights[k + t];
                    r += (src[p] & 0xFF) * weight;
                    g += (src[p + 1] & 0xFF) * weight;
                    b += (src[p + 2] & 0xFF) * weight;
                }
                int o = (y * outWidth + x) * 3;
                dst[o] = clip8(r);
                dst[o + 1] = clip8(g);
                dst[o + 2] = clip8(b);
            }
        }
        return new RgbImage(outWidth, rows, dst);
    }

    /**
     * Resamples every column along y. Whole rows are accumulated tap by tap (streaming through
     * memory rather than striding down columns); integer sums do not depend on the order.
     */
    private static RgbImage vertical(RgbImage in, Kernel kernel) {
        int width = in.width();
        int outHeight = kernel.start.length;
        byte[] src = in.rgb();
        int stride = width * 3;
        byte[] dst = new byte[stride * outHeight];
        int[] sums = new int[stride];
        for (int y = 0; y < outHeight; y++) {
            Arrays.fill(sums, 1 << (PRECISION_BITS - 1));   // one half, for rounding
            int k = y * kernel.taps;
            for (int t = 0; t < kernel.count[y]; t++) {
                int weight = kernel.weights[k + t];
                int row = (kernel.start[y] + t) * stride;
                for (int i = 0; i < stride; i++) sums[i] += (src[row + i] & 0xFF) * weight;
            }
            int o = y * stride;
            for (int i = 0; i < stride; i++) dst[o + i] = clip8(sums[i]);
        }
        return new RgbImage(width, outHeight, dst);
    }

    private static byte clip8(int sum) {
        int v = sum >> PRECISION_BITS;
        return (byte) (v < 0 ? 0 : Math.min(v, 255));
    }

    /** Pillow's {@code ImagingScaleAffine}: nearest neighbour with the source position accumulated in double. */
    private static RgbImage nearest(RgbImage in, int width, int height) {
        int[] columns = nearestSources(in.width(), width);
        int[] rows = nearestSources(in.height(), height);
        byte[] src = in.rgb();
        byte[] dst = new byte[width * height * 3];
        for (int y = 0; y < height; y++) {
            int rowBase = rows[y] * in.width() * 3;
            for (int x = 0; x < width; x++) {
                System.arraycopy(src, rowBase + columns[x] * 3, dst, (y * width + x) * 3, 3);
            }
        }
        return new RgbImage(width, height, dst);
    }

    /** For each output position, the input position under its centre. */
    static int[] nearestSources(int inSize, int outSize) {
        double step = (double) inSize / outSize;
        double position = step * 0.5;
        int[] sources = new int[outSize];
        for (int i = 0; i < outSize; i++) {
            // the position stays below inSize - step / 2, far inside the image: the clamp never bites
            sources[i] = Math.min((int) position, inSize - 1);
            position += step;   // accumulated, as Pillow does, not (i + 0.5) * step
        }
        return sources;
    }
}
