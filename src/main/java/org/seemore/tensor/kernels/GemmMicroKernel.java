package org.seemore.tensor.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The register-blocked inner kernel of {@link Gemm}: one {@value #MR} × {@link #NR} tile of C from a
 * packed A sliver and a packed B sliver (see {@link GemmPacking} for their layouts).
 *
 * <p>For each of the kc steps it loads two vectors of B, broadcasts the {@value #MR} values of A
 * one by one, and issues {@value #MR} × 2 fused multiply-adds into accumulators that live in
 * registers for the whole loop (16 of the 32 AVX-512 registers), so the loop does one FMA per
 * cycle with loads to spare. The straight-line, unrolled-by-hand form is what C2 turns into a
 * tight loop of {@code vfmadd231ps}; an array of accumulators would be spilled to the stack.
 */
final class GemmMicroKernel {
    static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    /** Vector width in floats (16 with AVX-512). */
    static final int LANES = SPECIES.length();
    /** Rows of the C tile: the number of broadcast A values per step. */
    static final int MR = 8;
    /** Columns of the C tile: two vectors. */
    static final int NR = 2 * LANES;

    private GemmMicroKernel() {}

    /**
     * C[0:MR, 0:NR] (at {@code c[ci]}, row stride ldc) = C + Ap · Bp, where Ap holds kc
     * steps of MR floats from {@code ap[ai]} and Bp holds kc steps of NR floats from {@code bp[bi]}.
     */
    static void kernel(int kc, float[] ap, int ai, float[] bp, int bi,
                       float[] c, int ci, int ldc) {
        FloatVector c00 = FloatVector.fromArray(SPECIES, c, ci);
        FloatVector c01 = FloatVector.fromArray(SPECIES, c, ci + LANES);
        FloatVector c10 = FloatVector.fromArray(SPECIES, c, ci + ldc);
        FloatVector c11 = FloatVector.fromArray(SPECIES, c, ci + ldc + LANES);
        FloatVector c20 = FloatVector.fromArray(SPECIES, c, ci + 2 * ldc);
        FloatVector c21 = FloatVector.fromArray(SPECIES, c, ci + 2 * ldc + LANES);
        FloatVector c30 = FloatVector.fromArray(SPECIES, c, ci + 3 * ldc);
        FloatVector c31 = FloatVector.fromArray(SPECIES, c, ci + 3 * ldc + LANES);
        FloatVector c40 = FloatVector.fromArray(SPECIES, c, ci + 4 * ldc);
        FloatVector c41 = FloatVector.fromArray(SPECIES, c, ci + 4 * ldc + LANES);
        FloatVector c50 = FloatVector.fromArray(SPECIES, c, ci + 5 * ldc);
        FloatVector c51 = FloatVector.fromArray(SPECIES, c, ci + 5 * ldc + LANES);
        FloatVector c60 = FloatVector.fromArray(SPECIES, c, ci + 6 * ldc);
        FloatVector c61 = FloatVector.fromArray(SPECIES, c, ci + 6 * ldc + LANES);
        FloatVector c70 = FloatVector.fromArray(SPECIES, c, ci + 7 * ldc);
        FloatVector c71 = FloatVector.fromArray(SPECIES, c, ci + 7 * ldc + LANES);
        for (int p = 0; p < kc; p++) {
            int a = ai + p * MR;
            int b = bi + p * NR;
            FloatVector b0 = FloatVector.fromArray(SPECIES, bp, b);
            FloatVector b1 = FloatVector.fromArray(SPECIES, bp, b + LANES);
            FloatVector x = FloatVector.broadcast(SPECIES, ap[a]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(SPECIES, ap[a + 1]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(SPECIES, ap[a + 2]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(SPECIES, ap[a + 3]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
            x = FloatVector.broadcast(SPECIES, ap[a + 4]);
            c40 = x.fma(b0, c40);
            c41 = x.fma(b1, c41);
            x = FloatVector.broadcast(SPECIES, ap[a + 5]);
            c50 = x.fma(b0, c50);
            c51 = x.fma(b1, c51);
            x = FloatVector.broadcast(SPECIES, ap[a + 6]);
            c60 = x.fma(b0, c60);
            c61 = x.fma(b1, c61);
            x = FloatVector.broadcast(SPECIES, ap[a + 7]);
            c70 = x.fma(b0, c70);
            c71 = x.fma(b1, c71);
        }
        c00.intoArray(c, ci);
        c01.intoArray(c, ci + LANES);
        c10.intoArray(c, ci + ldc);
        c11.intoArray(c, ci + ldc + LANES);
        c20.intoArray(c, ci + 2 * ldc);
        c21.intoArray(c, ci + 2 * ldc + LANES);
        c30.intoArray(c, ci + 3 * ldc);
        c31.intoArray(c, ci + 3 * ldc + LANES);
        c40.intoArray(c, ci + 4 * ldc);
        c41.intoArray(c, ci + 4 * ldc + LANES);
        c50.intoArray(c, ci + 5 * ldc);
        c51.intoArray(c, ci + 5 * ldc + LANES);
        c60.intoArray(c, ci + 6 * ldc);
        c61.intoArray(c, ci + 6 * ldc + LANES);
        c70.intoArray(c, ci + 7 * ldc);
        c71.intoArray(c, ci + 7 * ldc + LANES);
    }
}
