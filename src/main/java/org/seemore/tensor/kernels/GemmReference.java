package org.seemore.tensor.kernels;

/** The plain triple loop that {@link Gemm} is tested against, one method per {@link Gemm} method (same contracts). */
public final class GemmReference {
    private GemmReference() {}

    /** As {@link Gemm#gemm}: each element's sum of products in double, in order. */
    public static void gemm(boolean transA, boolean transB, int m, int n, int k,
                            float[] a, int aOff, int lda,
                            float[] b, int bOff, int ldb,
                            float[] c, int cOff, int ldc, boolean accumulate) {
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double sum = 0;
                for (int p = 0; p < k; p++) {
                    float av = transA ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
                    float bv = transB ? b[bOff + j * ldb + p] : b[bOff + p * ldb + j];
                    sum += (double) av * bv;
                }
                int ci = cOff + i * ldc + j;
                c[ci] = accumulate ? c[ci] + (float) sum : (float) sum;
            }
        }
    }

    /** As {@link Gemm#gemmBias}: {@code C = op(A)·op(B) + bias}, the bias added to each row. */
    public static void gemmBias(boolean transA, boolean transB, int m, int n, int k,
                                float[] a, int aOff, int lda,
                                float[] b, int bOff, int ldb,
                                float[] c, int cOff, int ldc, float[] bias, int biasOff) {
        for (int i = 0; i < m; i++) System.arraycopy(bias, biasOff, c, cOff + i * ldc, n);
        gemm(transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, true);
    }

    /** As {@link Gemm#gemmBatched}: the items one after the other. */
    public static void gemmBatched(int batch, boolean transA, boolean transB, int m, int n, int k,
                                   float[] a, int aOff, int lda, int strideA,
                                   float[] b, int bOff, int ldb, int strideB,
                                   float[] c, int cOff, int ldc, int strideC, boolean accumulate) {
        for (int t = 0; t < batch; t++) {
            gemm(transA, transB, m, n, k, a, aOff + t * strideA, lda, b, bOff + t * strideB, ldb, c, cOff + t * strideC, ldc, accumulate);
        }
    }
}
