package org.seemore.data.image;

import org.seemore.UserException;

import java.util.function.DoubleUnaryOperator;

/**
 * Pillow's resampling filters, with the integer codes of {@code PIL.Image.Resampling} (the
 * {@code resample} value of a Hugging Face {@code preprocessor_config.json}). Each convolution
 * filter is Pillow's {@code libImaging/Resample.c} kernel over its support, evaluated in double as
 * the C code does; {@link #NEAREST} is not a convolution (Pillow maps it to an affine transform,
 * see {@link Resize}).
 */
public enum ResampleFilter {
    /** Code 0: each output pixel copies the input pixel under its centre. */
    NEAREST(0, 0.0, null),
    /** Code 1: sinc windowed by sinc, three lobes. */
    LANCZOS(1, 3.0, ResampleFilter::lanczos),
    /** Code 2: the triangle (linear interpolation). */
    BILINEAR(2, 1.0, ResampleFilter::triangle),
    /** Code 3: the Keys cubic with a = -0.5 (Catmull-Rom). */
    BICUBIC(3, 2.0, ResampleFilter::keysCubic),
    /** Code 4: the box (area average when shrinking). */
    BOX(4, 0.5, ResampleFilter::box),
    /** Code 5: sinc windowed by a Hamming window, one lobe. */
    HAMMING(5, 1.0, ResampleFilter::hamming);

    private final int pillowCode;
    private final double support;
    private final DoubleUnaryOperator kernel;

    ResampleFilter(int pillowCode, double support, DoubleUnaryOperator kernel) {
        this.pillowCode = pillowCode;
        this.support = support;
        this.kernel = kernel;
    }

    /** The filter with Pillow's code {@code code} (0..5); another value is a {@link UserException} naming {@code where}. */
    public static ResampleFilter fromPillowCode(int code, String where) {
        for (ResampleFilter filter : values()) {
            if (filter.pillowCode == code) return filter;
        }
        throw new UserException(where + ": resample " + code + " is not a Pillow filter code "
                + "(0 nearest, 1 Lanczos, 2 bilinear, 3 bicubic, 4 box, 5 Hamming)");
    }

    /** Pillow's integer code. */
    public int pillowCode() {
        return pillowCode;
    }

    /** Half-width of the kernel at scale 1, in input pixels (0 for {@link #NEAREST}). */
    double support() {
        return support;
    }

    /** The kernel's value at {@code x} (in input pixels at scale 1). */
    double weight(double x) {
        if (kernel == null) throw new IllegalStateException(this + " is not a convolution filter");
        return kernel.applyAsDouble(x);
    }

    private static double box(double x) {
        return x > -0.5 && x <= 0.5 ? 1.0 : 0.0;
    }

    private static double triangle(double x) {
        x = Math.abs(x);
        return x < 1.0 ? 1.0 - x : 0.0;
    }

    private static double keysCubic(double x) {
        final double a = -0.5;
        x = Math.abs(x);
        // the C expression's order of operations, so the doubles round the same way
        if (x < 1.0) return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
        if (x < 2.0) return (((x - 5) * x + 8) * x - 4) * a;
        return 0.0;
    }

    private static double hamming(double x) {
        x = Math.abs(x);
        if (x == 0.0) return 1.0;
        if (x >= 1.0) return 0.0;
        x = x * Math.PI;
        // Pillow writes the window's constants as C float literals (0.54f, 0.46f), widened to double
        return StrictMath.sin(x) / x * ((double) 0.54f + (double) 0.46f * StrictMath.cos(x));
    }

    private static double sinc(double x) {
        if (x == 0.0) return 1.0;
        x = x * Math.PI;
        return StrictMath.sin(x) / x;
    }

    private static double lanczos(double x) {
        return -3.0 <= x && x < 3.0 ? sinc(x) * sinc(x / 3) : 0.0;
    }
}
