package org.seemore.tensor.kernels;

import static org.seemore.tensor.kernels.GemmMicroKernel.MR;
import static org.seemore.tensor.kernels.GemmMicroKernel.NR;
import static org.seemore.tensor.kernels.VectorMath.LANES;
import static org.seemore.tensor.kernels.VectorMath.SPECIES;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;

/**
 * Copies blocks of A and B into the layouts the {@link GemmMicroKernel} streams with unit stride;
 * the transposes are handled here, so all four {@code (transA, transB)} cases share one kernel.
 *
 * <ul>
 *   <li>A block, rows [i0, i0+mc) × columns [p0, p0+kc) of op(A): slivers of {@value GemmMicroKernel#MR}
 *       rows, each stored step-major: {@code ap[s*kc*MR + p*MR + r] = op(A)[i0 + s*MR + r, p0 + p]}.
 *   <li>B block, rows [p0, p0+kc) × columns [j0, j0+nc) of op(B): slivers of NR columns:
 *       {@code bp[s*kc*NR + p*NR + j] = op(B)[p0 + p, j0 + s*NR + j]}.
 * </ul>
 * Rows or columns past the edge of the matrix are stored as zeros, so the kernel always computes full tiles.
 */
final class GemmPacking {
    /** Steps per pass of a transposing copy. */
    private static final int STRIDED_BLOCK = 16;

    private GemmPacking() {}

    /** Packs A slivers [s0, s1) of the block at (i0, p0); mc rows in all, a short last sliver is zero-padded. */
    static void packA(boolean transA, float[] a, int aOff, int lda, int i0, int mc, int p0, int kc,
                      float[] ap, int s0, int s1, float[] scratch) {
        for (int s = s0; s < s1; s++) {
            int rows = Math.min(MR, mc - s * MR);
            int dst = s * kc * MR;
            int i = i0 + s * MR;
            if (transA) {
                packContiguous(a, aOff + p0 * lda + i, lda, rows, kc, ap, dst, MR);
            } else {
                packStrided(a, aOff + i * lda + p0, lda, rows, kc, ap, dst, MR, scratch);
            }
        }
    }

    /** Packs the B slivers [s0, s1) of the block at (p0, j0); nc is the block's column count. */
    static void packB(boolean transB, float[] b, int bOff, int ldb, int p0, int kc, int j0, int nc,
                      float[] bp, int s0, int s1, float[] scratch) {
        for (int s = s0; s < s1; s++) {
            int cols = Math.min(NR, nc - s * NR);
            int dst = s * kc * NR;
            int j = j0 + s * NR;
            if (transB) {
                packStrided(b, bOff + j * ldb + p0, ldb, cols, kc, bp, dst, NR, scratch);
            } else if (cols == NR) {
                packRowsOfTwoVectors(b, bOff + p0 * ldb + j, ldb, kc, bp, dst);
            } else {
                packContiguous(b, bOff + p0 * ldb + j, ldb, cols, kc, bp, dst, NR);
            }
        }
    }

    /**
     * Source lines run along the sliver's width: step p reads {@code width} consecutive floats at
     * {@code src + p*ld} into {@code dst + p*stride}, zero-filling up to stride (at most two vectors),
     * with masked vector moves: the masked load reads zeros past width.
     */
    private static void packContiguous(float[] x, int src, int ld, int width, int kc,
                                       float[] dst, int d, int stride) {
        VectorMask<Float> load0 = SPECIES.indexInRange(0, width);
        VectorMask<Float> store0 = SPECIES.indexInRange(0, stride);
        VectorMask<Float> load1 = SPECIES.indexInRange(LANES, width);
        VectorMask<Float> store1 = SPECIES.indexInRange(LANES, stride);
        boolean second = stride > LANES;
        for (int p = 0; p < kc; p++) {
            int from = src + p * ld;
            int to = d + p * stride;
            FloatVector.fromArray(SPECIES, x, from, load0).intoArray(dst, to, store0);
            if (second) {
                FloatVector.fromArray(SPECIES, x, from + LANES, load1).intoArray(dst, to + LANES, store1);
            }
        }
    }

    /** The B fast case: step p copies the NR = two vectors at {@code src + p*ld}. */
    private static void packRowsOfTwoVectors(float[] x, int src, int ld, int kc, float[] dst, int d) {
        for (int p = 0; p < kc; p++) {
            int from = src + p * ld;
            int to = d + p * NR;
            FloatVector.fromArray(SPECIES, x, from).intoArray(dst, to);
            FloatVector.fromArray(SPECIES, x, from + LANES).intoArray(dst, to + LANES);
        }
    }

    /**
     * Source lines run along k (a transpose): line q of the sliver (q < width) is the kc floats at
     * {@code src + q*ld}, and lands at {@code dst[d + p*stride + q]}; lines past width are zeros.
     * Full slivers go through {@link GemmTranspose} sixteen steps at a time.
     */
    private static void packStrided(float[] x, int src, int ld, int width, int kc,
                                    float[] dst, int d, int stride, float[] scratch) {
        int vectorSteps = 0;
        if (GemmTranspose.SUPPORTED && width == stride) {
            int groupRows = Math.min(LANES, stride);
            int outStride = LANES / groupRows * stride;
            vectorSteps = kc / LANES * LANES;
            for (int p0 = 0; p0 < vectorSteps; p0 += LANES) {
                for (int g = 0; g < stride; g += groupRows) {
                    GemmTranspose.transpose(x, src + g * ld + p0, ld, groupRows,
                            dst, d + p0 * stride + g, outStride, scratch);
                }
            }
        } else if (width < stride) {
            Arrays.fill(dst, d, d + kc * stride, 0f);
        }
        // Blocks of STRIDED_BLOCK steps keep the written part of dst (STRIDED_BLOCK x stride floats) in L1
        // while each source line is read sequentially.
        for (int p0 = vectorSteps; p0 < kc; p0 += STRIDED_BLOCK) {
            int p1 = Math.min(kc, p0 + STRIDED_BLOCK);
            for (int q = 0; q < width; q++) {
                int from = src + q * ld;
                int to = d + q;
                for (int p = p0; p < p1; p++) {
                    dst[to + p * stride] = x[from + p];
                }
            }
        }
    }
}
