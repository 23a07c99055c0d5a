package org.seemore.tensor.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Float32 special functions on {@link FloatVector} lanes, and the row reductions the fused ops share.
 *
 * <p>{@link #exp}: Cody–Waite range reduction {@code x = n·ln2 + r}, {@code |r| <= ln2/2}, then the
 * degree-7 Taylor polynomial of {@code e^r} (truncation error {@code r^8/8! < 6e-9}) and a scaling by
 * {@code 2^n} built from exponent bits in two halves, so results stay right down into the subnormals.
 * Relative error is a couple of ulp (tested against {@link Math#exp}).
 *
 * <p>{@link #normalCdf}: the same Chebyshev-fitted erfc as {@code MathF.erfc} (Numerical Recipes §6.2,
 * fractional error below 1.2e-7), evaluated in float with its large {@code -z² = -x²/2} factor
 * computed from x with the FMA error term, so float rounding adds only a few ulp to it.
 */
public final class VectorMath {
    /** The vector shape every fused kernel uses (16 floats with AVX-512). */
    public static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    /** Floats per vector. */
    public static final int LANES = SPECIES.length();

    private static final float LOG2E = 1.44269504088896341f;
    /** ln 2 split so that {@code n * LN2_HI} is exact for |n| < 2^11 (Cody and Waite 1980). */
    private static final float LN2_HI = 0.693359375f;
    private static final float LN2_LO = -2.12194440e-4f;
    /** Adding 1.5·2^23 rounds a float of magnitude below 2^22 to an integer, left in the low mantissa bits. */
    private static final float ROUNDER = 12582912f;
    private static final int ROUNDER_BITS = 0x4B400000;
    /** e^x is 0 in float below this and overflows above the upper limit. */
    private static final float EXP_LOW = -104f, EXP_HIGH = 88.72f;

    private static final float INV_SQRT2 = 0.70710678118654752f;
    private static final float INV_SQRT_2PI = 0.39894228040143268f;

    private VectorMath() {}

    /** A constant in every lane. */
    static FloatVector c(float value) {
        return FloatVector.broadcast(SPECIES, value);
    }

    /** e^x in every lane. */
    public static FloatVector exp(FloatVector x) {
        FloatVector xc = x.max(EXP_LOW).min(EXP_HIGH);
        FloatVector shifted = xc.fma(LOG2E, ROUNDER);
        FloatVector n = shifted.sub(ROUNDER);
        IntVector ni = shifted.reinterpretAsInts().sub(ROUNDER_BITS);
        FloatVector r = n.fma(c(-LN2_LO), n.fma(c(-LN2_HI), xc));
        FloatVector p = r.fma(1f / 5040, 1f / 720).fma(r, c(1f / 120)).fma(r, c(1f / 24)).fma(r, c(1f / 6))
                .fma(r, c(0.5f)).fma(r, c(1f)).fma(r, c(1f));
        IntVector half = ni.lanewise(VectorOperators.ASHR, 1);
        FloatVector scale1 = half.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        FloatVector scale2 = ni.sub(half).add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        return p.mul(scale1).mul(scale2);
    }

    /**
     * {@code e^(-x²/2)} with the rounding error of {@code x·x} folded back in (FMA), so the result
     * keeps float accuracy where {@code x²} is large.
     */
    private static FloatVector gaussian(FloatVector x) {
        FloatVector s = x.mul(x);
        FloatVector err = x.fma(x, s.neg()); // x·x - s, exactly
        return exp(s.mul(-0.5f)).mul(err.mul(-0.5f).add(1f));
    }

    /** Phi(x), the standard normal CDF, in every lane. */
    public static FloatVector normalCdf(FloatVector x) {
        return cdf(x, gaussian(x));
    }

    /** Phi(x) given {@code g = e^(-x²/2)}. */
    private static FloatVector cdf(FloatVector x, FloatVector g) {
        // erfc(u) at u = -x/sqrt2; z = |u|, t = 1/(1 + z/2), erfc(z) = t·e^(-z² + P(t)) for z >= 0
        FloatVector z = x.abs().mul(INV_SQRT2);
        FloatVector t = FloatVector.broadcast(SPECIES, 1f).div(z.fma(0.5f, 1f));
        FloatVector poly = t.fma(0.17087277f, -0.82215223f).fma(t, c(1.48851587f)).fma(t, c(-1.13520398f))
                .fma(t, c(0.27886807f)).fma(t, c(-0.18628806f)).fma(t, c(0.09678418f)).fma(t, c(0.37409196f))
                .fma(t, c(1.00002368f)).fma(t, c(-1.26551223f));
        FloatVector halfErfc = t.mul(g).mul(exp(poly)).mul(0.5f); // erfc(z)/2
        // u >= 0 (x <= 0): Phi = erfc(u)/2; u < 0: Phi = 1 - erfc(|u|)/2
        VectorMask<Float> positive = x.compare(VectorOperators.GT, 0f);
        return halfErfc.blend(halfErfc.neg().add(1f), positive);
    }

    /** GELU, {@code x·Phi(x)}, in every lane. */
    public static FloatVector gelu(FloatVector x) {
        return x.mul(normalCdf(x));
    }

    /** The derivative of GELU, {@code Phi(x) + x·phi(x)}, in every lane. */
    public static FloatVector geluGrad(FloatVector x) {
        FloatVector g = gaussian(x);
        return cdf(x, g).add(x.mul(g).mul(INV_SQRT_2PI));
    }

    // ---- row reductions ------------------------------------------------------------------------

    /** Sum of {@code a[off .. off+n)}. */
    public static float sum(float[] a, int off, int n) {
        FloatVector acc = FloatVector.zero(SPECIES);
        int i = 0;
        for (int bound = SPECIES.loopBound(n); i < bound; i += LANES) acc = acc.add(FloatVector.fromArray(SPECIES, a, off + i));
        if (i < n) acc = acc.add(FloatVector.fromArray(SPECIES, a, off + i, SPECIES.indexInRange(i, n)));
        return acc.reduceLanes(VectorOperators.ADD);
    }

    /** Largest of {@code a[off .. off+n)}, n >= 1. */
    public static float max(float[] a, int off, int n) {
        FloatVector acc = FloatVector.broadcast(SPECIES, Float.NEGATIVE_INFINITY);
        int i = 0;
        for (int bound = SPECIES.loopBound(n); i < bound; i += LANES) acc = acc.max(FloatVector.fromArray(SPECIES, a, off + i));
        if (i < n) {
            VectorMask<Float> m = SPECIES.indexInRange(i, n);
            acc = acc.blend(acc.max(FloatVector.fromArray(SPECIES, a, off + i, m)), m);
        }
        return acc.reduceLanes(VectorOperators.MAX);
    }

    /** Dot product of {@code a[ao ..]} and {@code b[bo ..]} over n values. */
    public static float dot(float[] a, int ao, float[] b, int bo, int n) {
        FloatVector acc = FloatVector.zero(SPECIES);
        int i = 0;
        for (int bound = SPECIES.loopBound(n); i < bound; i += LANES) {
            acc = FloatVector.fromArray(SPECIES, a, ao + i).fma(FloatVector.fromArray(SPECIES, b, bo + i), acc);
        }
        if (i < n) {
            VectorMask<Float> m = SPECIES.indexInRange(i, n);
            acc = FloatVector.fromArray(SPECIES, a, ao + i, m).fma(FloatVector.fromArray(SPECIES, b, bo + i, m), acc);
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }

    /** {@code y[yo + i] += x[xo + i]} for i in [0, n). */
    public static void addInto(float[] x, int xo, float[] y, int yo, int n) {
        int i = 0;
        for (int bound = SPECIES.loopBound(n); i < bound; i += LANES) {
            FloatVector.fromArray(SPECIES, y, yo + i).add(FloatVector.fromArray(SPECIES, x, xo + i)).intoArray(y, yo + i);
        }
        for (; i < n; i++) y[yo + i] += x[xo + i];
    }

    /** {@code y[yo + i] += a * x[xo + i]} for i in [0, n). */
    public static void axpy(float a, float[] x, int xo, float[] y, int yo, int n) {
        FloatVector va = c(a);
        int i = 0;
        for (int bound = SPECIES.loopBound(n); i < bound; i += LANES) {
            FloatVector.fromArray(SPECIES, x, xo + i).fma(va, FloatVector.fromArray(SPECIES, y, yo + i)).intoArray(y, yo + i);
        }
        for (; i < n; i++) y[yo + i] += a * x[xo + i];
    }
}
