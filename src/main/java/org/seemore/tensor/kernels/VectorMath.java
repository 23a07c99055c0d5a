package org.seemore.tensor.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Float32 special functions on {@link FloatVector} lanes, and the row reductions the fused ops share.
 *
 * <p>{@link #exp}: Cody–Waite range reduction {@code x = n·ln2 + r}, {@code |r| <= ln2/2}, then the
 * degree-7 Taylor polynomial of {@code e^r} (truncation error {@code r^8/8! < 6e-9}) and a scaling by
 * {@code 2^n} built from exponent bits in two halves, so results stay right down into the subnormals.
 * Relative error is a couple of ulp (tested against {@link Math#exp}). The row reductions and
 * updates are tested against {@link VectorMathReference}.
 *
 * <p>Only {@link #exp} takes and returns vectors: it is small enough for the JIT to inline into every
 * loop, where its vectors stay in registers. Larger vector helpers would be compiled on their own and
 * box their vectors, so the loops that need more (GELU in {@link Activations}) are written out.
 */
public final class VectorMath {
    /**
     * The vector shape of every kernel (16 floats with AVX-512), defined here only: the GEMM, the
     * fused ops, dropout's generator lanes and the optimizer all derive theirs from it.
     */
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
    /** Below EXP_LOW (where 2^n would be subnormal) e^x is flushed to 0; above EXP_HIGH it overflows. */
    private static final float EXP_LOW = -87.6f, EXP_HIGH = 88.72f;

    static final float INV_SQRT2 = 0.70710678118654752f;
    static final float INV_SQRT_2PI = 0.39894228040143268f;

    private VectorMath() {}

    /** A constant in every lane. */
    static FloatVector c(float value) {
        return FloatVector.broadcast(SPECIES, value);
    }

    /** e^x in every lane; below -87.6, deep in the subnormals (under 1e-38), it is flushed to 0. */
    public static FloatVector exp(FloatVector x) {
        FloatVector shifted = x.min(EXP_HIGH).fma(c(LOG2E), c(ROUNDER));
        FloatVector n = shifted.sub(ROUNDER);
        FloatVector r = n.fma(c(-LN2_LO), n.fma(c(-LN2_HI), x));
        FloatVector p = r.fma(1f / 5040, 1f / 720).fma(r, c(1f / 120)).fma(r, c(1f / 24)).fma(r, c(1f / 6))
                .fma(r, c(0.5f)).fma(r, c(1f)).fma(r, c(1f));
        // 2^n from the rounded bits: n sits in the low mantissa bits of shifted, offset by ROUNDER_BITS
        FloatVector scale = shifted.reinterpretAsInts().add(127 - ROUNDER_BITS).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        return p.mul(scale).blend(0f, x.compare(VectorOperators.LT, EXP_LOW));
    }

    /**
     * The sum of the lanes, added in lane order. {@code reduceLanes(ADD)} may add them in another order
     * once compiled than when interpreted, which would make results depend on when the JIT kicked in.
     */
    public static float sumLanes(FloatVector v) {
        // lane(i) with a variable index is not intrinsified (it is slow enough to dominate 1-row
        // products); storing the lanes and adding them in order gives the same sum, fast
        float[] lanes = LANE_SCRATCH.get();
        v.intoArray(lanes, 0);
        float sum = lanes[0];
        for (int i = 1; i < LANES; i++) sum += lanes[i];
        return sum;
    }

    private static final ThreadLocal<float[]> LANE_SCRATCH = ThreadLocal.withInitial(() -> new float[LANES]);

    // ---- row reductions ------------------------------------------------------------------------
    // Whole vectors, then a scalar tail: a masked load reaching past an array's end takes a slow path.

    /** Sum of {@code a[off .. off+n)}. */
    public static float sum(float[] a, int off, int n) {
        FloatVector acc = FloatVector.zero(SPECIES);
        int i = 0;
        for (int bound = SPECIES.loopBound(n); i < bound; i += LANES) acc = acc.add(FloatVector.fromArray(SPECIES, a, off + i));
        float sum = sumLanes(acc);
        for (; i < n; i++) sum += a[off + i];
        return sum;
    }

    /** Largest of {@code a[off .. off+n)}, n >= 1. */
    public static float max(float[] a, int off, int n) {
        FloatVector acc = FloatVector.broadcast(SPECIES, Float.NEGATIVE_INFINITY);
        int i = 0;
        for (int bound = SPECIES.loopBound(n); i < bound; i += LANES) acc = acc.max(FloatVector.fromArray(SPECIES, a, off + i));
        float max = acc.reduceLanes(VectorOperators.MAX);
        for (; i < n; i++) max = Math.max(max, a[off + i]);
        return max;
    }

    /** Dot product of {@code a[ao ..]} and {@code b[bo ..]} over n values. */
    public static float dot(float[] a, int ao, float[] b, int bo, int n) {
        FloatVector acc = FloatVector.zero(SPECIES);
        int i = 0;
        for (int bound = SPECIES.loopBound(n); i < bound; i += LANES) {
            acc = FloatVector.fromArray(SPECIES, a, ao + i).fma(FloatVector.fromArray(SPECIES, b, bo + i), acc);
        }
        float dot = sumLanes(acc);
        for (; i < n; i++) dot += a[ao + i] * b[bo + i];
        return dot;
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

    /**
     * {@code y[yo + i] += a * x[xo + i]} for i in [0, n), rounding the product before the sum (no FMA),
     * as separate multiply and add ops would.
     */
    public static void addScaled(float a, float[] x, int xo, float[] y, int yo, int n) {
        int i = 0;
        for (int bound = SPECIES.loopBound(n); i < bound; i += LANES) {
            FloatVector.fromArray(SPECIES, x, xo + i).mul(a).add(FloatVector.fromArray(SPECIES, y, yo + i)).intoArray(y, yo + i);
        }
        for (; i < n; i++) y[yo + i] += a * x[xo + i];
    }
}
