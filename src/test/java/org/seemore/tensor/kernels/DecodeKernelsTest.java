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

    @Test
    void oneRmsNormRowAndOneRotaryRowAreRowsOfTheBatchedKernels() {
        for (int c : new int[] {5, 16, 128, 131}) {
            int rows = 3;
            float[] x = randomArray(rows * c), w = randomArray(c), batched = new float[rows * c], rstd = new float[rows], row = new float[rows * c];
            RmsNormKernel.forward(x, 0, w, 0, batched, rstd, rows, c, 1e-6f);
            for (int r = 0; r < rows; r++) assertThat(RmsNormKernel.forwardRow(x, r * c, w, 0, row, r * c, c, 1e-6f)).isEqualTo(rstd[r]);
            assertThat(row).containsExactly(batched);
        }
        int heads = 3, hd = 64, width = heads * hd;
        float[] cos = randomArray(40 * hd / 2), sin = randomArray(40 * hd / 2), x = randomArray(2 * width);
        int[] positions = {7, 39};
        float[] batched = new float[2 * width], row = x.clone();
        RopeKernel.rotate(x, 0, batched, 2, heads, hd, positions, cos, sin, false);
        for (int r = 0; r < 2; r++) RopeKernel.rotateRow(row, r * width, row, r * width, heads, hd, positions[r], cos, sin, false); // in place
        assertThat(row).containsExactly(batched);
    }

    @Test
    void everyQueryOfAGroupGetsTheBitsOfAttendWithoutAMaskOrWithAllOnes() {
        for (int hd : new int[] {8, 16, 64}) {
            for (int group : new int[] {1, 3, 4, 7}) {
                int length = 21, stride = DecodeAttention.padded(length);
                float[] keysT = randomArray(DecodeAttention.keysSize(length, hd)), values = randomArray(length * hd), q = randomArray(group * hd);
                int[] ones = new int[length];
                java.util.Arrays.fill(ones, 1);
                float[] single = new float[group * hd], none = new float[group * hd], all = new float[group * hd];
                for (int g = 0; g < group; g++) {
                    DecodeAttention.attend(q, g * hd, keysT, 0, values, 0, length, hd, 0.25f, new float[stride], single, g * hd);
                }
                DecodeAttention.attendGroup(q, 0, group, keysT, 0, values, 0, length, hd, 0.25f, null, 0, new float[group * stride], none, 0);
                DecodeAttention.attendGroup(q, 0, group, keysT, 0, values, 0, length, hd, 0.25f, ones, 0, new float[group * stride], all, 0);
                assertThat(none).as("hd=%d group=%d, no mask", hd, group).containsExactly(single);
                assertThat(all).as("hd=%d group=%d, all ones", hd, group).containsExactly(single);
            }
        }
    }

    @Test
    void keyBlocksPlaceEveryComponentOnceAndEachBlockInOneRun() {
        for (int hd : new int[] {8, 20, 64}) {
            int capacity = 37, size = DecodeAttention.keysSize(capacity, hd), lanes = VectorMath.LANES;
            boolean[] taken = new boolean[size];
            for (int j = 0; j < capacity; j++) {
                for (int d = 0; d < hd; d++) {
                    int at = DecodeAttention.keyAt(j, d, hd);
                    assertThat(taken[at]).as("hd=%d j=%d d=%d placed twice", hd, j, d).isFalse();
                    taken[at] = true;
                    // the block of positions [j - j % lanes, + lanes) spans hd * lanes floats in one run
                    assertThat(at / (hd * lanes)).isEqualTo(j / lanes);
                }
            }
            float[] key = randomArray(hd), keys = new float[size];
            DecodeAttention.storeKey(key, 0, keys, 0, 19, hd);
            for (int d = 0; d < hd; d++) assertThat(keys[DecodeAttention.keyAt(19, d, hd)]).isEqualTo(key[d]);
        }
    }
}
