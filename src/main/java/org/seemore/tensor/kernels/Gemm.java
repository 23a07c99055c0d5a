package org.seemore.tensor.kernels;

import java.util.Arrays;

/**
 * Single-precision general matrix multiply on row-major arrays:
 * {@code C[m,n] = (accumulate ? C : 0) + op(A)[m,k] · op(B)[k,n]}, where op transposes when the flag is set.
 * A is stored {@code [m,k]} (or {@code [k,m]} when transposed) with leading dimension lda; likewise B and C.
 *
 * <p>The three products of a linear layer are all this call: {@code Y = X·Wᵀ} is (false, true),
 * {@code dX = dY·W} is (false, false) and {@code dW = dYᵀ·X} is (true, false). Large products run
 * on the {@link Parallel} pool through {@link GemmBlocked}; small ones, and those with only a few
 * rows, go to the unpacked kernels of {@link GemmSmall}.
 * {@link GemmReference} is the plain triple loop this is tested against.
 */
public final class Gemm {
    /** Below this many multiply-adds (m·n·k) a product stays on the calling thread: a hand-off costs more. */
    static final long PARALLEL_THRESHOLD = 1L << 20;
    /** Below this many multiply-adds (64³) packing costs more than it saves, so {@link GemmSmall} runs instead. */
    static final long SMALL_THRESHOLD = 1L << 18;

    private Gemm() {}

    /** Computes {@code C = (accumulate ? C : 0) + op(A)·op(B)}; see the class comment. */
    public static void gemm(boolean transA, boolean transB, int m, int n, int k,
                            float[] a, int aOff, int lda,
                            float[] b, int bOff, int ldb,
                            float[] c, int cOff, int ldc, boolean accumulate) {
        gemm(transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate, Parallel.threads());
    }

    /**
     * {@code C = op(A)·op(B) + bias}, the bias {@code bias[biasOff + j]} added to column j of every row
     * (a linear layer's forward). The same bits as filling C's rows with the bias and accumulating the
     * product into it, without that fill and the product reading it back: packed products add the
     * bias to each tile as they store it.
     */
    public static void gemmBias(boolean transA, boolean transB, int m, int n, int k,
                                float[] a, int aOff, int lda,
                                float[] b, int bOff, int ldb,
                                float[] c, int cOff, int ldc, float[] bias, int biasOff) {
        gemm(transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, false, bias, biasOff, Parallel.threads());
    }

    /**
     * {@code batch} independent products with the {@link #gemm} contract; item t reads A at
     * {@code aOff + t*strideA}, B at {@code bOff + t*strideB} and writes C at {@code cOff + t*strideC}.
     * Items are spread over the pool (attention: one small product per batch element and head).
     */
    public static void gemmBatched(int batch, boolean transA, boolean transB, int m, int n, int k,
                                   float[] a, int aOff, int lda, int strideA,
                                   float[] b, int bOff, int ldb, int strideB,
                                   float[] c, int cOff, int ldc, int strideC, boolean accumulate) {
        if (batch < 0) {
            throw new IllegalArgumentException("batch must be >= 0, got " + batch);
        }
        int threads = Parallel.threads();
        long work = (long) m * n * k;
        if (batch < threads && work >= PARALLEL_THRESHOLD) {
            for (int t = 0; t < batch; t++) { // few large items: each one uses the whole pool
                gemm(transA, transB, m, n, k, a, aOff + t * strideA, lda, b, bOff + t * strideB, ldb,
                        c, cOff + t * strideC, ldc, accumulate, threads);
            }
        } else if (work * batch < PARALLEL_THRESHOLD) {
            for (int t = 0; t < batch; t++) {
                gemm(transA, transB, m, n, k, a, aOff + t * strideA, lda, b, bOff + t * strideB, ldb,
                        c, cOff + t * strideC, ldc, accumulate, 1);
            }
        } else {
            Parallel.parallelFor(batch, t -> gemm(transA, transB, m, n, k, a, aOff + t * strideA, lda,
                    b, bOff + t * strideB, ldb, c, cOff + t * strideC, ldc, accumulate, 1));
        }
    }

    /** {@link #gemm} on at most {@code threads} threads. */
    static void gemm(boolean transA, boolean transB, int m, int n, int k,
                     float[] a, int aOff, int lda,
                     float[] b, int bOff, int ldb,
                     float[] c, int cOff, int ldc, boolean accumulate, int threads) {
        gemm(transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate, null, 0, threads);
    }

    /** {@link #gemm}, or {@link #gemmBias} when bias is not null (then without accumulate), on at most {@code threads} threads. */
    private static void gemm(boolean transA, boolean transB, int m, int n, int k,
                             float[] a, int aOff, int lda,
                             float[] b, int bOff, int ldb,
                             float[] c, int cOff, int ldc, boolean accumulate, float[] bias, int biasOff, int threads) {
        checkShape(transA, transB, m, n, k, lda, ldb, ldc);
        if (m == 0 || n == 0) {
            return;
        }
        long work = (long) m * n * k;
        boolean parallel = threads > 1 && work >= PARALLEL_THRESHOLD;
        boolean small = m <= GemmSmall.DOT_MAX_ROWS || work < SMALL_THRESHOLD;
        boolean onBias = bias != null && small; // only packed products take the bias as they store: the others accumulate onto it
        if (onBias) {
            for (int i = 0; i < m; i++) System.arraycopy(bias, biasOff, c, cOff + i * ldc, n);
        }
        boolean add = accumulate || onBias;
        if (k == 0) {
            if (!add) {
                for (int i = 0; i < m; i++) {
                    Arrays.fill(c, cOff + i * ldc, cOff + i * ldc + n, 0f);
                }
            }
            return;
        }
        if (m <= GemmSmall.DOT_MAX_ROWS && parallel) {
            // A few rows times a large B (a decoder step): split the columns of C,
            // so each thread reads its part of B once.
            Parallel.parallelRange(n, 64, (j0, j1) -> GemmSmall.gemm(transA, transB, m, j1 - j0, k, a, aOff, lda,
                    b, transB ? bOff + j0 * ldb : bOff + j0, ldb, c, cOff + j0, ldc, add));
        } else if (small) {
            GemmSmall.gemm(transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, add);
        } else {
            GemmBlocked.gemm(transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, add,
                    add ? null : bias, biasOff, parallel ? threads : 1);
        }
    }

    private static void checkShape(boolean transA, boolean transB, int m, int n, int k, int lda, int ldb, int ldc) {
        if (m < 0 || n < 0 || k < 0) {
            throw new IllegalArgumentException("gemm sizes must be >= 0, got m=" + m + " n=" + n + " k=" + k);
        }
        int aWidth = transA ? m : k;
        int bWidth = transB ? k : n;
        if (lda < aWidth || ldb < bWidth || ldc < n) {
            throw new IllegalArgumentException("gemm leading dimensions too small: lda=" + lda + " (need >= " + aWidth
                    + "), ldb=" + ldb + " (need >= " + bWidth + "), ldc=" + ldc + " (need >= " + n + ")");
        }
    }
}
