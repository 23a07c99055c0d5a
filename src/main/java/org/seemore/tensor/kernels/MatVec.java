package org.seemore.tensor.kernels;

import static org.seemore.tensor.kernels.VectorMath.LANES;
import static org.seemore.tensor.kernels.VectorMath.SPECIES;

import jdk.incubator.vector.FloatVector;

/**
 * Matrix times one vector, {@code y = W·x + b} with W stored {@code [rows, cols]} row-major (a Linear
 * layer's {@code [out, in]}): the products of a decoding step, where one token's activations meet
 * each weight once. Every output is a dot product along a contiguous weight row; four rows run at
 * once so that x is loaded once per four rows and four FMA chains overlap. Each row's lanes are
 * added in lane order ({@link VectorMath#sumLanes}'s order), then its scalar tail, then the bias.
 * {@link MatVecReference} is the plain loop this is tested against.
 */
public final class MatVec {
    /** Per thread: where the four accumulators' lanes are stored for their in-order sums. */
    private static final ThreadLocal<float[]> LANES_SCRATCH = ThreadLocal.withInitial(() -> new float[4 * LANES]);

    private MatVec() {}

    /**
     * {@code y[yo + r] = (bias == null ? 0 : bias[bo + r]) + sum_p w[wo + r*cols + p] * x[xo + p]}
     * for r in [0, rows), on the calling thread.
     */
    public static void multiply(float[] w, int wo, int rows, int cols, float[] x, int xo,
                                float[] bias, int bo, float[] y, int yo) {
        float[] scratch = LANES_SCRATCH.get();
        int r = 0;
        for (; r + 4 <= rows; r += 4) {
            fourRows(w, wo + r * cols, cols, x, xo, scratch);
            for (int i = 0; i < 4; i++) {
                float sum = tail(laneSum(scratch, i * LANES), w, wo + (r + i) * cols, cols, x, xo);
                y[yo + r + i] = bias == null ? sum : bias[bo + r + i] + sum;
            }
        }
        for (; r < rows; r++) {
            oneRow(w, wo + r * cols, cols, x, xo, scratch);
            float sum = tail(laneSum(scratch, 0), w, wo + r * cols, cols, x, xo);
            y[yo + r] = bias == null ? sum : bias[bo + r] + sum;
        }
    }

    /**
     * The whole-vector part of four rows' dot products, their accumulators stored into
     * {@code scratch[0 .. 4*LANES)}. A small method with whole-vector loads only: the JIT keeps its
     * vectors in registers (in larger methods with masked tails it boxed them).
     */
    private static void fourRows(float[] w, int wi, int cols, float[] x, int xo, float[] scratch) {
        FloatVector s0 = FloatVector.zero(SPECIES), s1 = s0, s2 = s0, s3 = s0;
        for (int p = 0, bound = SPECIES.loopBound(cols); p < bound; p += LANES) {
            FloatVector v = FloatVector.fromArray(SPECIES, x, xo + p);
            s0 = FloatVector.fromArray(SPECIES, w, wi + p).fma(v, s0);
            s1 = FloatVector.fromArray(SPECIES, w, wi + cols + p).fma(v, s1);
            s2 = FloatVector.fromArray(SPECIES, w, wi + 2 * cols + p).fma(v, s2);
            s3 = FloatVector.fromArray(SPECIES, w, wi + 3 * cols + p).fma(v, s3);
        }
        s0.intoArray(scratch, 0);
        s1.intoArray(scratch, LANES);
        s2.intoArray(scratch, 2 * LANES);
        s3.intoArray(scratch, 3 * LANES);
    }

    /** The whole-vector part of one row's dot product, its accumulator stored into {@code scratch[0 .. LANES)}. */
    private static void oneRow(float[] w, int wi, int cols, float[] x, int xo, float[] scratch) {
        FloatVector s = FloatVector.zero(SPECIES);
        for (int p = 0, bound = SPECIES.loopBound(cols); p < bound; p += LANES) {
            s = FloatVector.fromArray(SPECIES, w, wi + p).fma(FloatVector.fromArray(SPECIES, x, xo + p), s);
        }
        s.intoArray(scratch, 0);
    }

    /** The lanes stored at {@code scratch[from ..]}, added in lane order. */
    private static float laneSum(float[] scratch, int from) {
        float sum = scratch[from];
        for (int i = 1; i < LANES; i++) sum += scratch[from + i];
        return sum;
    }

    /** {@code sum} plus the products of the columns past the last whole vector, added in order. */
    private static float tail(float sum, float[] w, int wi, int cols, float[] x, int xo) {
        for (int p = SPECIES.loopBound(cols); p < cols; p++) sum += w[wi + p] * x[xo + p];
        return sum;
    }
}
