package org.seemore.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.seemore.tensor.Rng;
import org.seemore.tensor.Tensor;
import org.seemore.tensor.kernels.AdamWKernel;
import org.seemore.tensor.kernels.AdamWKernelReference;
import org.seemore.tensor.kernels.Parallel;

class AdamWTest {

    @Test
    void vectorizedUpdateEqualsThePlainLoopBitForBit() {
        Rng rng = new Rng(3);
        for (int n : new int[] {1, 7, 16, 17, 33, 100, 1000}) {
            float[] w = rng.normal(n, 0, 1), g = rng.normal(n, 0, 1e-3f), m = rng.normal(n, 0, 1e-3f), v = rng.uniform(n, 0, 1e-5f);
            float[] w2 = w.clone(), m2 = m.clone(), v2 = v.clone();
            AdamWKernel.update(w, 0, g, m, v, n, 0.9f, 0.95f, 0.9999f, 1e-3f, 1.3f, 1e-8f);
            AdamWKernelReference.update(w2, 0, g, m2, v2, n, 0.9f, 0.95f, 0.9999f, 1e-3f, 1.3f, 1e-8f);
            assertThat(w).as("n=%d", n).containsExactly(w2);
            assertThat(m).containsExactly(m2);
            assertThat(v).containsExactly(v2);
        }
    }

    private static List<Tensor> gradients(long seed, float scale) {
        Rng rng = new Rng(seed);
        List<Tensor> params = new java.util.ArrayList<>();
        for (int n : new int[] {1, 3, 70_001, 32_768, 100_003}) {
            Tensor p = Tensor.parameter(new float[n], n);
            float[] g = p.gradBuffer();
            System.arraycopy(rng.normal(n, 0, scale), 0, g, 0, n);
            params.add(p);
        }
        return params;
    }

    @Test
    void clippingMeasuresTheGlobalNormAndScalesOnlyAboveTheLimit() {
        int threads = Parallel.threads();
        try {
            for (float scale : new float[] {1e-4f, 1f}) {
                List<Tensor> params = gradients(5, scale);
                double sq = 0;
                for (Tensor p : params) for (float x : p.grad()) sq += (double) x * x;
                double expected = Math.sqrt(sq);
                float[] before = params.get(2).grad().clone();
                double norm = AdamW.clipGradNorm(params, 1.0);
                assertThat(norm).isCloseTo(expected, org.assertj.core.data.Offset.offset(expected * 1e-12));
                float factor = norm > 1.0 ? (float) (1.0 / (norm + 1e-6)) : 1f;
                for (int j = 0; j < before.length; j++) assertThat(params.get(2).grad()[j]).isEqualTo(before[j] * factor);
                // the chunked sum does not depend on the thread count
                Parallel.setThreads(1);
                double one = AdamW.clipGradNorm(gradients(5, scale), 1.0);
                Parallel.setThreads(2);
                assertThat(AdamW.clipGradNorm(gradients(5, scale), 1.0)).isEqualTo(one).isEqualTo(norm);
                Parallel.setThreads(threads);
            }
        } finally {
            Parallel.setThreads(threads);
        }
    }
}
