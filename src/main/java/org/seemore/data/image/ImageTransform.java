package org.seemore.data.image;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The model's image preprocessing, as torchvision's {@code Compose([Resize((S, S)), ToTensor(),
 * Normalize(mean, std)])} on a PIL image: resize to S x S with Pillow's bilinear filter
 * ({@link Resize}), scale to [0, 1] by dividing by 255, subtract the mean and divide by the std
 * per channel, all in float32 as torchvision computes them. The output is channel-major.
 *
 * @param size side S of the square model input
 * @param mean per-channel mean (R, G, B) of the [0, 1] values
 * @param std  per-channel standard deviation (R, G, B), positive
 */
public record ImageTransform(int size, float[] mean, float[] std) {
    /** The ImageNet statistics the fixtures and most ViTs use. */
    public static final float[] IMAGENET_MEAN = {0.485f, 0.456f, 0.406f};
    public static final float[] IMAGENET_STD = {0.229f, 0.224f, 0.225f};
    /** Beyond this ratio of the longer side to the shorter, {@link #distortion} warns that the image is stretched. */
    public static final int MAX_ASPECT_RATIO = 4;

    public ImageTransform {
        if (size <= 0) throw new IllegalArgumentException("image size must be positive, got " + size);
        if (mean.length != 3 || std.length != 3) throw new IllegalArgumentException("mean and std need one value per RGB channel");
        for (float s : std) {
            if (!(s > 0)) throw new IllegalArgumentException("std values must be positive, got " + Arrays.toString(std));
        }
        mean = mean.clone();
        std = std.clone();
    }

    /** Resize to {@code size} and normalize with the ImageNet mean and std. */
    public static ImageTransform imagenet(int size) {
        return new ImageTransform(size, IMAGENET_MEAN, IMAGENET_STD);
    }

    @Override
    public float[] mean() {
        return mean.clone();
    }

    @Override
    public float[] std() {
        return std.clone();
    }

    /** Decodes the source and transforms it. */
    public float[] apply(ImageSource source) {
        return apply(ImageDecoder.decode(source));
    }

    /**
     * What resizing a {@code width x height} image to {@code size x size} does that may spoil the model's
     * view of it, or empty when nothing: an aspect ratio beyond {@value #MAX_ASPECT_RATIO}:1 (the image is
     * stretched, not cropped or padded), or a side enlarged more than twice (a tiny image becomes a blur).
     */
    public Optional<String> distortion(int width, int height) {
        List<String> issues = new ArrayList<>();
        int shorter = Math.min(width, height), longer = Math.max(width, height);
        if (longer > MAX_ASPECT_RATIO * shorter) {
            String ratio = decimal((double) longer / shorter);
            issues.add("its aspect ratio " + (width >= height ? ratio + ":1" : "1:" + ratio) + " becomes 1:1");
        }
        if (2 * shorter < size) issues.add("its " + shorter + "-pixel side is enlarged " + decimal((double) size / shorter) + "x");
        if (issues.isEmpty()) return Optional.empty();
        return Optional.of(width + "x" + height + " pixels, resized to " + size + "x" + size + ": " + String.join(" and ", issues));
    }

    private static String decimal(double value) {
        return BigDecimal.valueOf(value).setScale(2, RoundingMode.HALF_UP).stripTrailingZeros().toPlainString();
    }

    /** The normalized pixels, {@code (3, size, size)} channel-major. */
    public float[] apply(RgbImage image) {
        RgbImage resized = Resize.bilinear(image, size, size);
        byte[] rgb = resized.rgb();
        int plane = size * size;
        float[] out = new float[3 * plane];   // (C, H, W)
        for (int p = 0; p < plane; p++) {
            for (int c = 0; c < 3; c++) {
                float unit = (rgb[p * 3 + c] & 0xFF) / 255f;
                out[c * plane + p] = (unit - mean[c]) / std[c];
            }
        }
        return out;
    }

    /** The inverse: normalized {@code (3, size, size)} values back to 8-bit RGB (rounded, clipped). */
    public RgbImage toImage(float[] chw) {
        int plane = size * size;
        if (chw.length != 3 * plane) throw new IllegalArgumentException("expected " + (3 * plane) + " values (3, " + size + ", " + size + "), got " + chw.length);
        byte[] rgb = new byte[3 * plane];
        for (int p = 0; p < plane; p++) {
            for (int c = 0; c < 3; c++) {
                long level = Math.round((chw[c * plane + p] * std[c] + mean[c]) * 255.0);
                rgb[p * 3 + c] = (byte) Math.clamp(level, 0, 255);
            }
        }
        return new RgbImage(size, size, rgb);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof ImageTransform that && size == that.size
                && Arrays.equals(mean, that.mean) && Arrays.equals(std, that.std);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * size + Arrays.hashCode(mean)) + Arrays.hashCode(std);
    }

    @Override
    public String toString() {
        return "ImageTransform[size=" + size + ", mean=" + Arrays.toString(mean) + ", std=" + Arrays.toString(std) + "]";
    }
}
