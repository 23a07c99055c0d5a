package org.seemore.train;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.seemore.tensor.Rng;

class AdamWTest {

    /** The plain per-element update the vectorized one must reproduce bit for bit. */
    private static void reference(float[] w, float[] g, float[] m, float[] v, float b1, float b2, float decay, float step, float inv, float eps) {
        for (int j = 0; j < w.length; j++) {
            m[j] = b1 * m[j] + (1 - b1) * g[j];
            v[j] = b2 * v[j] + (1 - b2) * g[j] * g[j];
            w[j] = w[j] * decay - step * m[j] / ((float) Math.sqrt(v[j]) * inv + eps);
        }
    }

    @Test
    void vectorizedUpdateEqualsThePlainLoopBitForBit() {
        Rng rng = new Rng(3);
        for (int n : new int[] {1, 7, 16, 17, 33, 100, 1000}) {
            float[] w = rng.normal(n, 0, 1), g = rng.normal(n, 0, 1e-3f), m = rng.normal(n, 0, 1e-3f), v = rng.uniform(n, 0, 1e-5f);
            float[] w2 = w.clone(), m2 = m.clone(), v2 = v.clone();
            AdamW.update(w, 0, g, m, v, 0, n, 0.9f, 0.95f, 0.9999f, 1e-3f, 1.3f, 1e-8f);
            reference(w2, g, m2, v2, 0.9f, 0.95f, 0.9999f, 1e-3f, 1.3f, 1e-8f);
            assertThat(w).as("n=%d", n).containsExactly(w2);
            assertThat(m).containsExactly(m2);
            assertThat(v).containsExactly(v2);
        }
    }
}
