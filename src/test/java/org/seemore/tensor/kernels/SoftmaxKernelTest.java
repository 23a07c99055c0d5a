package org.seemore.tensor.kernels;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.seemore.tensor.Rng;

/**
 * A row's softmax, log-sum-exp and exp-gradient do not depend on where the row lies in its array:
 * a row that ends an array (where a last masked vector would overrun it) gets the same bits as the
 * same row inside a larger one. (A scalar tail at array ends once made attention results depend on
 * the size of a thread's scratch buffer, so two threads disagreed.)
 */
class SoftmaxKernelTest {

    @Test
    void rowAtTheEndOfItsArrayGivesTheSameBitsAsInside() {
        Rng rng = new Rng(8);
        for (int n : new int[] {1, 5, 16, 17, 37, 65, 66}) {
            float[] row = rng.normal(n, 0f, 3f);
            float[] atEnd = new float[3 + n], inside = new float[3 + n + 40];
            System.arraycopy(row, 0, atEnd, 3, n);
            System.arraycopy(row, 0, inside, 3, n);

            float[] outEnd = new float[n], outInside = new float[n + 40];
            SoftmaxKernel.row(atEnd, 3, outEnd, 0, n, n, 0.7f);
            SoftmaxKernel.row(inside, 3, outInside, 0, n, n, 0.7f);
            assertThat(java.util.Arrays.copyOf(outInside, n)).as("softmax n=%d", n).containsExactly(outEnd);
            double total = 0;
            for (float p : outEnd) total += p;
            assertThat(total).as("softmax n=%d sums to 1", n).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-5));

            assertThat(SoftmaxKernel.logSumExp(inside, 3, n)).as("logSumExp n=%d", n).isEqualTo(SoftmaxKernel.logSumExp(atEnd, 3, n));

            float[] gEnd = rng.normal(n, 0f, 1f), gInside = java.util.Arrays.copyOf(gEnd, n + 40);
            SoftmaxKernel.addExp(atEnd, 3, 1.5f, 0.25f, gEnd, 0, n);
            SoftmaxKernel.addExp(inside, 3, 1.5f, 0.25f, gInside, 0, n);
            assertThat(java.util.Arrays.copyOf(gInside, n)).as("addExp n=%d", n).containsExactly(gEnd);
        }
    }
}
