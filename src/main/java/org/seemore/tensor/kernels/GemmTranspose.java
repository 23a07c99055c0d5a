package org.seemore.tensor.kernels;

import static org.seemore.tensor.kernels.VectorMath.LANES;
import static org.seemore.tensor.kernels.VectorMath.SPECIES;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The vector transpose behind the transposing copies of {@link GemmPacking}: {@code rows} source
 * lines (a power of two, at most {@link #LANES}) of one vector each become {@code rows} output
 * vectors, output j holding source columns {@code j*LANES/rows ...} interleaved row by row, which
 * is exactly the packed layout {@code out[p*rows + r] = line r[p]} in contiguous order.
 *
 * <p>It takes log2(rows) rounds of the perfect shuffle: each round interleaves line i with line
 * i + rows/2 into outputs 2i (low halves) and 2i+1 (high halves), one two-vector permute each
 * ({@code vpermt2ps}); intermediate rounds go through a small scratch array, which keeps the
 * code a loop rather than 64 named vectors. A scalar strided copy moves about one float per cycle;
 * this moves sixteen per handful of permutes.
 */
final class GemmTranspose {
    /** Whether the vector path applies (the index tables below assume 16 lanes). */
    static final boolean SUPPORTED = LANES == 16;
    /** Floats of scratch a caller provides: two rounds' worth of LANES vectors. */
    static final int SCRATCH = 2 * LANES * LANES;

    /** Permutes run on the bits of the floats: integer lane indices need no float-to-int conversion. */
    private static final VectorSpecies<Integer> INT_SPECIES = SPECIES.withLanes(int.class);
    private static final IntVector INTERLEAVE_LOW = interleave(0);
    private static final IntVector INTERLEAVE_HIGH = interleave(LANES / 2);

    private GemmTranspose() {}

    /**
     * Transposes {@code rows} lines of LANES floats, line r read at {@code x[src + r*ld]}, writing
     * output vector j at {@code dst[d + j*outStride]}.
     */
    static void transpose(float[] x, int src, int ld, int rows, float[] dst, int d, int outStride, float[] scratch) {
        int half = rows / 2;
        int rounds = Integer.numberOfTrailingZeros(rows);
        if (rounds == 1) {
            interleaveRound(x, src, ld, half, dst, d, outStride);
            return;
        }
        int written = LANES * LANES; // rounds alternate between the two halves of scratch
        interleaveRound(x, src, ld, half, scratch, written, LANES);
        for (int round = 1; round < rounds - 1; round++) {
            int next = LANES * LANES - written;
            interleaveRound(scratch, written, LANES, half, scratch, next, LANES);
            written = next;
        }
        interleaveRound(scratch, written, LANES, half, dst, d, outStride);
    }

    /** One perfect-shuffle round: lines i and i + half (i < half) become outputs 2i and 2i+1. */
    private static void interleaveRound(float[] x, int src, int ld, int half, float[] y, int d, int stride) {
        for (int i = 0; i < half; i++) {
            IntVector u = FloatVector.fromArray(SPECIES, x, src + i * ld).reinterpretAsInts();
            IntVector v = FloatVector.fromArray(SPECIES, x, src + (i + half) * ld).reinterpretAsInts();
            INTERLEAVE_LOW.selectFrom(u, v).reinterpretAsFloats().intoArray(y, d + 2 * i * stride);
            INTERLEAVE_HIGH.selectFrom(u, v).reinterpretAsFloats().intoArray(y, d + (2 * i + 1) * stride);
        }
    }

    /** Lane indices (into the concatenation u ++ v) of u[from], v[from], u[from+1], v[from+1], ... */
    private static IntVector interleave(int from) {
        int[] index = new int[LANES];
        for (int lane = 0; lane < LANES; lane++) {
            index[lane] = from + lane / 2 + (lane % 2) * LANES;
        }
        return IntVector.fromArray(INT_SPECIES, index, 0);
    }
}
