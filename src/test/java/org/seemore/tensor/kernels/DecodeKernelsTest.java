package org.seemore.tensor.kernels;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The decoding kernels ({@link MatVec}, {@link DecodeAttention}, one LayerNorm row) against their plain versions. */
class DecodeKernelsTest {
    private final SplittableRandom random = new SplittableRandom(11);

    private float[] randomArray(int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) (random.nextDouble() * 2 - 1);
        return a;
    }

    @Test
    void matVecMatchesTheReferenceOnOddShapesAndOffsets() {
        for (int rows : new int[] {1, 3, 4, 5, 8, 66, 131}) {
            for (int cols : new int[] {1, 7, 16, 17, 33, 128, 200}) {
                for (boolean bias : new boolean[] {false, true}) {
                    int wo = 3, xo = 5, bo = 2, yo = 7;
                    float[] w = randomArray(wo + rows * cols + 4), x = randomArray(xo + cols + 4), b = randomArray(bo + rows);
                    float[] fast = randomArray(yo + rows + 3), ref = fast.clone();
                    MatVec.multiply(w, wo, rows, cols, x, xo, bias ? b : null, bo, fast, yo);
                    MatVecReference.multiply(w, wo, rows, cols, x, xo, bias ? b : null, bo, ref, yo);
                    double max = maxDiff(fast, ref);
                    assertThat(max).as("rows=%d cols=%d bias=%b: max diff %g", rows, cols, bias, max).isLessThan(1e-6 * cols + 1e-6);
                    for (int i = 0; i < yo; i++) assertThat(fast[i]).isEqualTo(ref[i]);          // nothing outside y moved
                    for (int i = yo + rows; i < fast.length; i++) assertThat(fast[i]).isEqualTo(ref[i]);
                }
            }
        }
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
    void decodeAttentionMatchesTheReference() {
        for (int hd : new int[] {8, 16, 20, 32}) {
            for (int length : new int[] {1, 2, 15, 16, 17, 40}) {
                int capacity = length + 5, stride = DecodeAttention.padded(capacity), ko = 4, vo = 6, qo = 3, yo = 2;
                float[] keys = randomArray(ko + capacity * hd), values = randomArray(vo + capacity * hd), q = randomArray(qo + hd);
                float[] keysT = new float[ko + hd * stride];
                for (int j = 0; j < capacity; j++) for (int d = 0; d < hd; d++) keysT[ko + d * stride + j] = keys[ko + j * hd + d];
                float scale = (float) (1 / Math.sqrt(hd));
                float[] fast = new float[yo + hd], ref = new float[yo + hd];
                DecodeAttention.attend(q, qo, keysT, ko, stride, values, vo, length, hd, scale, new float[stride], fast, yo);
                DecodeAttentionReference.attend(q, qo, keys, ko, values, vo, length, hd, scale, ref, yo);
                double max = maxDiff(fast, ref);
                assertThat(max).as("hd=%d length=%d: max diff %g", hd, length, max).isLessThan(1e-6);
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

    private static double maxDiff(float[] a, float[] b) {
        double max = 0;
        for (int i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
        return max;
    }
}
