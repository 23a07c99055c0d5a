package org.seemore.tensor.kernels;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.seemore.tensor.kernels.AttentionKernel.Strided;

/**
 * One head of attention on strided matrices against {@link AttentionKernelReference}, for a KV-cached suffix (fewer
 * queries than keys), over head widths that take the direct loops (16, 32) and GEMM (5, 64).
 */
class AttentionKernelTest {

    @Test
    void aCachedSuffixAttendsToEveryEarlierKey() {
        Random r = new Random(4);
        for (int hd : new int[] {5, 16, 32, 64}) {
            for (int[] tqk : new int[][] {{1, 9}, {3, 10}, {7, 40}, {17, 17}}) {
                int tq = tqk[0], tk = tqk[1], ld = 3 * hd + 2; // rows wider than a head, as in a qkv buffer
                float[] q = random(r, tq * ld), kv = random(r, tk * ld), y = new float[tq * ld];
                float scale = 0.3f;
                float[] work = new float[AttentionKernel.scratchSize(tq, tk, hd) + tq * AttentionKernel.probsWidth(tk, hd)];
                AttentionKernel.forward(new Strided(q, 1, ld), new Strided(kv, 1, ld), new Strided(kv, 1 + hd, ld), tq, tk, hd, true, scale,
                        work, AttentionKernel.scratchSize(tq, tk, hd), new Strided(y, 2, ld), work);
                float[] want = new float[tq * ld];
                AttentionKernelReference.forward(new Strided(q, 1, ld), new Strided(kv, 1, ld), new Strided(kv, 1 + hd, ld), tq, tk, hd, true, scale,
                        new Strided(want, 2, ld));
                double worst = 0;
                for (int i = 0; i < y.length; i++) worst = Math.max(worst, Math.abs(y[i] - want[i]));
                assertThat(worst).as("hd %d, %d queries over %d keys: max |diff|", hd, tq, tk).isLessThan(1e-5);
            }
        }
    }

    private static float[] random(Random r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = r.nextFloat() * 2 - 1;
        return a;
    }
}
