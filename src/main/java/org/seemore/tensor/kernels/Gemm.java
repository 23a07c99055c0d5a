package org.seemore.tensor.kernels;

/**
 * Single-precision general matrix multiply on row-major arrays:
 * {@code C[m,n] = (accumulate ? C : 0) + op(A)[m,k] · op(B)[k,n]}, where op transposes when the flag is set.
 * A is stored {@code [m,k]} (or {@code [k,m]} when transposed) with leading dimension lda; likewise B and C.
 */
public final class Gemm {
    private Gemm() {}

    public static void gemm(boolean transA, boolean transB, int m, int n, int k,
                            float[] a, int aOff, int lda,
                            float[] b, int bOff, int ldb,
                            float[] c, int cOff, int ldc, boolean accumulate) {
        GemmReference.gemm(transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate);
    }
}
