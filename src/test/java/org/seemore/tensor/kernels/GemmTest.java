package org.seemore.tensor.kernels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What the pair harness does not see of {@link Gemm}: an empty depth, a bad leading dimension, and
 * a product with a bias giving the same bits as the bias then the product accumulated onto it.
 */
class GemmTest {
    private static final int MR = GemmMicroKernel.MR;
    private static final int NR = GemmMicroKernel.NR;
    private static final int KC = GemmBlocked.KC;

    private final int defaultThreads = Parallel.threads();

    @AfterEach
    void restoreThreads() {
        Parallel.setThreads(defaultThreads);
    }

    @Test
    void zeroDepthClearsOrKeepsC() {
        float[] c = {1, 2, 3, 4, 5, 6};
        Gemm.gemm(false, false, 2, 2, 0, new float[0], 0, 0, new float[0], 0, 2, c, 1, 3, true);
        assertThat(c).containsExactly(1, 2, 3, 4, 5, 6);
        Gemm.gemm(false, false, 2, 2, 0, new float[0], 0, 0, new float[0], 0, 2, c, 1, 3, false);
        assertThat(c).containsExactly(1, 0, 0, 4, 0, 0);
    }

    @Test
    void rejectsLeadingDimensionsSmallerThanTheWidth() {
        assertThatThrownBy(() -> Gemm.gemm(false, false, 2, 3, 4, new float[8], 0, 3, new float[12], 0, 3,
                new float[6], 0, 3, false))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("lda=3");
    }

    /** A product with a bias is the same bits as C filled with the bias and the product accumulated into it. */
    @Test
    void biasGoesInWithTheProductBitForBit() {
        SplittableRandom random = new SplittableRandom(23);
        int[][] shapes = {{1, 7, 5}, {3, 33, 17}, {5, 40, 64}, {65, 65, 65}, {MR * 9 + 3, NR * 5 + 7, KC + 13}, {592, 96, 512}, {37, 2 * NR, 2 * KC + 1}};
        for (int threads = 1; threads <= 3; threads++) {
            Parallel.setThreads(threads);
            for (int[] s : shapes) {
                for (boolean transA : new boolean[] {false, true}) {
                    for (boolean transB : new boolean[] {false, true}) {
                        int m = s[0], n = s[1], k = s[2], lda = (transA ? m : k) + 3, ldb = (transB ? k : n) + 1, ldc = n + 2;
                        float[] a = randomArray(lda * (transA ? k : m) + 2, random), b = randomArray(ldb * (transB ? n : k) + 1, random);
                        float[] bias = randomArray(n + 4, random);
                        float[] expected = randomArray(ldc * m + 1, random), actual = expected.clone();
                        for (int i = 0; i < m; i++) System.arraycopy(bias, 4, expected, 1 + i * ldc, n);
                        Gemm.gemm(transA, transB, m, n, k, a, 2, lda, b, 1, ldb, expected, 1, ldc, true);
                        Gemm.gemmBias(transA, transB, m, n, k, a, 2, lda, b, 1, ldb, actual, 1, ldc, bias, 4);
                        assertThat(actual).as("m=%d n=%d k=%d transA=%s transB=%s threads=%d", m, n, k, transA, transB, threads)
                                .containsExactly(expected);
                    }
                }
            }
        }
    }

    private static float[] randomArray(int size, SplittableRandom random) {
        float[] x = new float[size];
        for (int i = 0; i < size; i++) {
            x[i] = (float) random.nextDouble(-1, 1);
        }
        return x;
    }
}
