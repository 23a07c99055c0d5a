package org.seemore.model;

import org.seemore.tensor.Rng;
import org.seemore.tensor.Tensor;

/**
 * Models whose every parameter is random, biases and norms included (the initialization leaves those
 * at 0 and 1, where a path that skipped them would go unnoticed), seeded.
 */
public final class RandomWeights {
    private RandomWeights() {}

    public static Vlm model(VlmConfig config, long seed) {
        Vlm model = new Vlm(config, seed);
        Rng rng = new Rng(seed + 1000);
        model.parameters().forEach((name, p) -> {
            boolean vector = p.rank() == 1;
            float[] v = rng.normal(p.size(), 0f, vector ? 0.3f : 0.1f);
            if (vector && name.contains("ln") && name.endsWith(".weight")) for (int i = 0; i < v.length; i++) v[i] += 1f;
            System.arraycopy(v, 0, p.data(), p.offset(), p.size());
        });
        return model;
    }

    /** Random images (B, 3, S, S) for the config. */
    public static Tensor images(VlmConfig config, int batch, long seed) {
        int s = config.imageSize();
        return Tensor.of(new Rng(seed).normal(batch * 3 * s * s, 0f, 1f), batch, 3, s, s);
    }
}
