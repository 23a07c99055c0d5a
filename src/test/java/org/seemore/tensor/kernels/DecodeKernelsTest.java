package org.seemore.tensor.kernels;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The decoding kernels against the batched ones, to the bit: {@link MatVec} gives the sums of the
 * small GEMM on one row, and one LayerNorm row is a row of the batched kernel (the pair harness
 * checks both decoding kernels against their references).
 */
class DecodeKernelsTest {
    private final SplittableRandom random = new SplittableRandom(11);

    private float[] randomArray(int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) (random.nextDouble() * 2 - 1);
        return a;
    }

    @Test
    void matVecGivesExactlyTheSumsOfTheSmallGemmOnOneRow() {
        // the decoding step and the cached forward then agree to the bit on the linear layers
        for (int rows : new int[] {3, 66, 384}) {
            for (int cols : new int[] {17, 128, 512}) {
                float[] w = randomArray(rows * cols), x = randomArray(cols), b = randomArray(rows);
                float[] viaGemm = b.clone(), viaMatVec = new float[rows];
                Gemm.gemm(false, true, 1, rows, cols, x, 0, cols, w, 0, cols, viaGemm, 0, rows, true);
                MatVec.multiply(w, 0, rows, cols, x, 0, b, 0, viaMatVec, 0);
                assertThat(viaMatVec).as("rows=%d cols=%d", rows, cols).containsExactly(viaGemm);
            }
        }
    }

    @Test
    void oneLayerNormRowIsARowOfTheBatchedKernel() {
        for (int c : new int[] {5, 16, 128, 131}) {
            int rows = 3;
            float[] x = randomArray(rows * c), w = randomArray(c), b = randomArray(c);
            float[] batched = new float[rows * c], mean = new float[rows], rstd = new float[rows];
            LayerNormKernel.forward(x, 0, w, 0, b, 0, batched, mean, rstd, rows, c, 1e-5f);
            float[] row = new float[rows * c], stats = new float[2];
            for (int r = 0; r < rows; r++) {
                LayerNormKernel.forwardRow(x, r * c, w, 0, b, 0, row, r * c, c, 1e-5f, stats);
                assertThat(stats).containsExactly(mean[r], rstd[r]);
            }
            assertThat(row).containsExactly(batched);
        }
    }
}
