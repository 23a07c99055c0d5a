package org.seemore.tensor.kernels;

import static org.seemore.tensor.kernels.VectorMath.LANES;
import static org.seemore.tensor.kernels.VectorMath.SPECIES;

import jdk.incubator.vector.FloatVector;

/**
 * Matrix times one vector, {@code y = W·x + b} with W stored {@code [rows, cols]} row-major (a Linear
 * layer's {@code [out, in]}): the products of a decoding step, where one token's activations meet
 * each weight once, so the time is mostly reading W.
 *
 * <p>Each output is a dot product along a contiguous row, accumulated in one vector. Rows are read
 * one after the other, so W streams through memory in address order: reading four or sixteen rows
 * side by side was 2-3x slower once W was out of cache (the hardware prefetchers lose track). The
 * accumulators of sixteen rows are stored, transposed, and added as sixteen vectors, so the lane
 * sums of all sixteen rows take fifteen vector additions instead of a scalar loop per row. Each row's
 * lanes are added in lane order ({@link VectorMath#sumLanes}'s order), then its scalar tail, then
 * the bias: the sums of {@link Gemm} on one row, to the bit. {@link MatVecReference} is the plain loop.
 */
public final class MatVec {
    /** Rows whose accumulators are summed together: one per lane, so that a transpose lines them up. */
    private static final int BLOCK = LANES;
    /** Per thread: a block's accumulators and their transpose; the transpose's own scratch. */
    private static final ThreadLocal<float[][]> SCRATCH =
            ThreadLocal.withInitial(() -> new float[][] {new float[2 * BLOCK * LANES], new float[GemmTranspose.SCRATCH]});

    private MatVec() {}

    /**
     * {@code y[yo + r] = (bias == null ? 0 : bias[bo + r]) + sum_p w[wo + r*cols + p] * x[xo + p]}
     * for r in [0, rows), on the calling thread.
     */
    public static void multiply(float[] w, int wo, int rows, int cols, float[] x, int xo,
                                float[] bias, int bo, float[] y, int yo) {
        float[][] holder = SCRATCH.get();
        float[] scratch = holder[0];
        for (int r0 = 0; r0 < rows; r0 += BLOCK) {
            int count = Math.min(BLOCK, rows - r0);
            for (int i = 0; i < count; i++) accumulate(w, wo + (r0 + i) * cols, cols, x, xo, scratch, i * LANES);
            if (count == BLOCK && GemmTranspose.SUPPORTED) {
                sumTransposed(scratch, holder[1]);
            } else {
                for (int i = 0; i < count; i++) scratch[i] = laneSum(scratch, i * LANES); // row i's lanes, below row i's: in place
            }
            for (int i = 0; i < count; i++) {
                int r = r0 + i;
                float sum = tail(scratch[i], w, wo + r * cols, cols, x, xo);
                y[yo + r] = bias == null ? sum : bias[bo + r] + sum;
            }
        }
    }

    /**
     * The whole-vector part of one row's dot product, its accumulator stored at {@code scratch[at ..]}.
     * A small method with whole-vector loads only: the JIT keeps its vectors in registers (in larger
     * methods with masked tails it boxed them).
     */
    private static void accumulate(float[] w, int wi, int cols, float[] x, int xo, float[] scratch, int at) {
        FloatVector s = FloatVector.zero(SPECIES);
        for (int p = 0, bound = SPECIES.loopBound(cols); p < bound; p += LANES) {
            s = FloatVector.fromArray(SPECIES, w, wi + p).fma(FloatVector.fromArray(SPECIES, x, xo + p), s);
        }
        s.intoArray(scratch, at);
    }

    /** {@code scratch[0 .. BLOCK)} = the in-order lane sums of the BLOCK accumulators stored at {@code scratch[0 ..]}. */
    private static void sumTransposed(float[] scratch, float[] transposeScratch) {
        int columns = BLOCK * LANES; // the transpose, from here: vector j holds lane j of every row
        GemmTranspose.transpose(scratch, 0, LANES, BLOCK, scratch, columns, BLOCK, transposeScratch);
        FloatVector sum = FloatVector.fromArray(SPECIES, scratch, columns);
        for (int j = 1; j < LANES; j++) sum = sum.add(FloatVector.fromArray(SPECIES, scratch, columns + j * BLOCK));
        sum.intoArray(scratch, 0);
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
