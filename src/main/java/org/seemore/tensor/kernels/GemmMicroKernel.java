package org.seemore.tensor.kernels;

import static org.seemore.tensor.kernels.VectorMath.LANES;
import static org.seemore.tensor.kernels.VectorMath.SPECIES;

import jdk.incubator.vector.FloatVector;

/**
 * The register-blocked inner kernel of {@link Gemm}: one {@value #MR} × {@link #NR} tile of C from a
 * packed A sliver and a packed B sliver (see {@link GemmPacking} for their layouts).
 *
 * <p>For each of the kc steps it loads two vectors of B, broadcasts the {@value #MR} values of A
 * one by one, and issues {@value #MR} × 2 fused multiply-adds into accumulators that live in
 * registers for the whole loop (16 of the 32 AVX-512 registers). The straight-line, unrolled-by-hand
 * form is what C2 turns into a loop of 2 loads, 8 broadcasts and 16 {@code vfmadd231ps} with no
 * bounds checks; an array of accumulators would be spilled to the stack. On a Zen 4 core it runs
 * at 112-116 GFLOPS with its operands in L2, the same as a C loop of independent FMAs (one 512-bit
 * FMA per cycle); unrolling the k loop further gained nothing. With 256-bit vectors (AVX2, 16
 * registers) the 16 accumulators would spill, so a smaller tile would suit such machines better.
 */
final class GemmMicroKernel {
    /** Rows of the C tile: the number of broadcast A values per step. */
    static final int MR = 8;
    /** Columns of the C tile: two vectors. */
    static final int NR = 2 * LANES;

    private GemmMicroKernel() {}

    /**
     * tile[MR x NR] (row-major, dense) = Ap · Bp, where Ap holds kc steps of MR floats from
     * {@code ap[ai]} and Bp holds kc steps of NR floats from {@code bp[bi]}; {@link #storeTile} then
     * moves the tile into C. Keeping C out of the kernel keeps it small enough for C2 to inline every
     * vector operation (past its node budget the vectors get boxed and the loop runs 4x slower),
     * and a cache miss on C then stalls only the store, not the FMA chains.
     */
    static void kernel(int kc, float[] ap, int ai, float[] bp, int bi, float[] tile) {
        FloatVector c00 = FloatVector.zero(SPECIES), c01 = c00;
        FloatVector c10 = c00, c11 = c00;
        FloatVector c20 = c00, c21 = c00;
        FloatVector c30 = c00, c31 = c00;
        FloatVector c40 = c00, c41 = c00;
        FloatVector c50 = c00, c51 = c00;
        FloatVector c60 = c00, c61 = c00;
        FloatVector c70 = c00, c71 = c00;
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
        c00.intoArray(tile, 0);
        c01.intoArray(tile, 1 * LANES);
        c10.intoArray(tile, 2 * LANES);
        c11.intoArray(tile, 3 * LANES);
        c20.intoArray(tile, 4 * LANES);
        c21.intoArray(tile, 5 * LANES);
        c30.intoArray(tile, 6 * LANES);
        c31.intoArray(tile, 7 * LANES);
        c40.intoArray(tile, 8 * LANES);
        c41.intoArray(tile, 9 * LANES);
        c50.intoArray(tile, 10 * LANES);
        c51.intoArray(tile, 11 * LANES);
        c60.intoArray(tile, 12 * LANES);
        c61.intoArray(tile, 13 * LANES);
        c70.intoArray(tile, 14 * LANES);
        c71.intoArray(tile, 15 * LANES);
    }

    /**
     * C[0:rows, 0:cols] (at {@code c[ci]}, row stride ldc) = (add ? C : 0) + tile; a full tile
     * moves as vectors, an edge tile (rows < MR or cols < NR) element by element.
     */
    static void storeTile(float[] tile, int rows, int cols, float[] c, int ci, int ldc, boolean add) {
        if (rows == MR && cols == NR) {
            for (int r = 0; r < MR; r++) {
                int row = ci + r * ldc;
                FloatVector t0 = FloatVector.fromArray(SPECIES, tile, r * NR);
                FloatVector t1 = FloatVector.fromArray(SPECIES, tile, r * NR + LANES);
                if (add) {
                    t0 = t0.add(FloatVector.fromArray(SPECIES, c, row));
                    t1 = t1.add(FloatVector.fromArray(SPECIES, c, row + LANES));
                }
                t0.intoArray(c, row);
                t1.intoArray(c, row + LANES);
            }
            return;
        }
        for (int r = 0; r < rows; r++) {
            int row = ci + r * ldc;
            for (int j = 0; j < cols; j++) {
                c[row + j] = add ? c[row + j] + tile[r * NR + j] : tile[r * NR + j];
            }
        }
    }

    /**
     * As {@link #storeTile} without {@code add}, plus {@code bias[bo + j]} on column j of every row:
     * {@code tile + bias}, the same sum as adding the tile to C prefilled with the bias.
     */
    static void storeTileWithBias(float[] tile, int rows, int cols, float[] c, int ci, int ldc, float[] bias, int bo) {
        if (rows == MR && cols == NR) {
            FloatVector b0 = FloatVector.fromArray(SPECIES, bias, bo);
            FloatVector b1 = FloatVector.fromArray(SPECIES, bias, bo + LANES);
            for (int r = 0; r < MR; r++) {
                int row = ci + r * ldc;
                FloatVector.fromArray(SPECIES, tile, r * NR).add(b0).intoArray(c, row);
                FloatVector.fromArray(SPECIES, tile, r * NR + LANES).add(b1).intoArray(c, row + LANES);
            }
            return;
        }
        for (int r = 0; r < rows; r++) {
            int row = ci + r * ldc;
            for (int j = 0; j < cols; j++) {
                c[row + j] = tile[r * NR + j] + bias[bo + j];
            }
        }
    }
}
