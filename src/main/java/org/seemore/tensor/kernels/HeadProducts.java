package org.seemore.tensor.kernels;

import static org.seemore.tensor.kernels.VectorMath.LANES;
import static org.seemore.tensor.kernels.VectorMath.SPECIES;

import jdk.incubator.vector.FloatVector;

/**
 * The small products of one attention head written out directly, for narrow heads of one or two
 * vectors (the seemore decoder's hd = 16). With T of a few dozen and hd of 16, a packed GEMM spends
 * most of its time packing and on edge tiles; these loops need neither (from hd = 64 GEMM wins).
 *
 * <ul>
 *   <li>{@link #scores}: {@code S[i, j] = a_i · b_j}, vectorized over j against a transposed copy of b
 *       whose rows are padded to whole vectors;</li>
 *   <li>{@link #combine}: {@code y_i += sum_j C[i, j] · x_j} (or {@code C[j, i]}), vectorized over the
 *       head width, four output rows at a time so that each row of x is loaded once per four.</li>
 * </ul>
 * Rows are limited to a causal prefix where asked: row i uses the first {@code visible(i)} columns
 * (non-decreasing in i).
 */
final class HeadProducts {
    private HeadProducts() {}

    /** Columns a row of an attention matrix uses: all, or a causal prefix. */
    @FunctionalInterface
    interface Visible {
        int of(int row);
    }

    /** Rows padded to a whole number of vectors. */
    static int padded(int n) {
        return (n + LANES - 1) / LANES * LANES;
    }

    /** {@code bt[d * width + j] = b[bo + j * ldb + d]}: rows j of b (n x hd) as columns, rows padded to width. */
    static void transpose(float[] b, int bo, int ldb, int n, int hd, float[] bt, int width) {
        for (int j = 0; j < n; j++) {
            int from = bo + j * ldb;
            for (int d = 0; d < hd; d++) bt[d * width + j] = b[from + d];
        }
        for (int d = 0; d < hd; d++) java.util.Arrays.fill(bt, d * width + n, (d + 1) * width, 0f);
    }

    /**
     * {@code s[si + i * sw + j] = sum_d a[ai + i * lda + d] * bt[d * sw + j]} for i < rows and j below
     * {@code visible(i)} rounded up to whole vectors (sw is padded, so the extra lanes stay in the row);
     * columns up to {@code visible(i + 3)} may be written too, so callers treat columns beyond visible(i)
     * as scratch.
     */
    static void scores(float[] a, int ai, int lda, float[] bt, int hd, float[] s, int si, int sw, int rows, Visible visible) {
        int i = 0;
        // four rows at a time: four independent FMA chains (one alone waits on the FMA latency), one load of bt for four
        for (; i + 4 <= rows; i += 4) {
            int cols = visible.of(i + 3), a0 = ai + i * lda, s0 = si + i * sw; // rows i..i+2 may compute a few unseen columns; softmax overwrites them
            for (int j = 0; j < cols; j += LANES) {
                FloatVector acc0 = FloatVector.zero(SPECIES), acc1 = acc0, acc2 = acc0, acc3 = acc0;
                for (int d = 0; d < hd; d++) {
                    FloatVector b = FloatVector.fromArray(SPECIES, bt, d * sw + j);
                    acc0 = b.fma(FloatVector.broadcast(SPECIES, a[a0 + d]), acc0);
                    acc1 = b.fma(FloatVector.broadcast(SPECIES, a[a0 + lda + d]), acc1);
                    acc2 = b.fma(FloatVector.broadcast(SPECIES, a[a0 + 2 * lda + d]), acc2);
                    acc3 = b.fma(FloatVector.broadcast(SPECIES, a[a0 + 3 * lda + d]), acc3);
                }
                acc0.intoArray(s, s0 + j);
                acc1.intoArray(s, s0 + sw + j);
                acc2.intoArray(s, s0 + 2 * sw + j);
                acc3.intoArray(s, s0 + 3 * sw + j);
            }
        }
        for (; i < rows; i++) {
            int cols = visible.of(i), arow = ai + i * lda, srow = si + i * sw;
            for (int j = 0; j < cols; j += LANES) {
                FloatVector acc = FloatVector.zero(SPECIES);
                for (int d = 0; d < hd; d++) {
                    acc = FloatVector.fromArray(SPECIES, bt, d * sw + j).fma(FloatVector.broadcast(SPECIES, a[arow + d]), acc);
                }
                acc.intoArray(s, srow + j);
            }
        }
    }

    /**
     * {@code y_i += sum_j c_ij · x_j} over hd (a whole number of vectors) columns for i < rows, with
     * {@code c_ij = c[ci + i * cw + j]}, or {@code c[ci + j * cw + i]} when {@code transposed}. The
     * coefficient matrix must hold zeros outside the visible columns (softmax leaves them so): j runs
     * only over where they may not be, j < visible(i), or, transposed, over the rows that see i.
     */
    static void combine(float[] c, int ci, int cw, boolean transposed, Visible visible, int count,
                        float[] x, int xo, int ldx, float[] y, int yo, int ldy, int rows, int hd) {
        int step = transposed ? cw : 1, stride = transposed ? 1 : cw; // along j, and from row i to i + 1
        for (int col = 0; col < hd; col += LANES) {
            int i = 0;
            for (; i + 4 <= rows; i += 4) {
                int from = transposed ? firstSeeing(visible, i, count) : 0;
                int to = transposed ? count : visible.of(i + 3);
                int c0 = ci + i * stride;
                FloatVector y0 = FloatVector.fromArray(SPECIES, y, yo + i * ldy + col);
                FloatVector y1 = FloatVector.fromArray(SPECIES, y, yo + (i + 1) * ldy + col);
                FloatVector y2 = FloatVector.fromArray(SPECIES, y, yo + (i + 2) * ldy + col);
                FloatVector y3 = FloatVector.fromArray(SPECIES, y, yo + (i + 3) * ldy + col);
                for (int j = from; j < to; j++) {
                    FloatVector xj = FloatVector.fromArray(SPECIES, x, xo + j * ldx + col);
                    int cj = c0 + j * step;
                    y0 = xj.fma(FloatVector.broadcast(SPECIES, c[cj]), y0);
                    y1 = xj.fma(FloatVector.broadcast(SPECIES, c[cj + stride]), y1);
                    y2 = xj.fma(FloatVector.broadcast(SPECIES, c[cj + 2 * stride]), y2);
                    y3 = xj.fma(FloatVector.broadcast(SPECIES, c[cj + 3 * stride]), y3);
                }
                y0.intoArray(y, yo + i * ldy + col);
                y1.intoArray(y, yo + (i + 1) * ldy + col);
                y2.intoArray(y, yo + (i + 2) * ldy + col);
                y3.intoArray(y, yo + (i + 3) * ldy + col);
            }
            for (; i < rows; i++) {
                int from = transposed ? firstSeeing(visible, i, count) : 0;
                int to = transposed ? count : visible.of(i);
                FloatVector yi = FloatVector.fromArray(SPECIES, y, yo + i * ldy + col);
                for (int j = from; j < to; j++) {
                    yi = FloatVector.fromArray(SPECIES, x, xo + j * ldx + col).fma(FloatVector.broadcast(SPECIES, c[ci + i * stride + j * step]), yi);
                }
                yi.intoArray(y, yo + i * ldy + col);
            }
        }
    }

    /** The first of {@code count} rows whose visible columns include column {@code column}. */
    private static int firstSeeing(Visible visible, int column, int count) {
        int r = 0;
        while (r < count && visible.of(r) <= column) r++;
        return r;
    }
}
