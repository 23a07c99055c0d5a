package org.seemore.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.seemore.tensor.Rng;
import org.seemore.tensor.Tensor;
import org.seemore.tensor.kernels.Parallel;

class AdamWTest {

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
