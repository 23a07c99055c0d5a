package org.seemore.model.vision;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.seemore.model.ForwardContext;
import org.seemore.model.Presets;
import org.seemore.model.Vlm;
import org.seemore.tensor.Elementwise;
import org.seemore.tensor.Reductions;
import org.seemore.tensor.Rng;
import org.seemore.tensor.Shaping;
import org.seemore.tensor.Tensor;

/** The CLS-only path of the ViT is row 0 of the full encoder, values and gradients. */
class VisionEncoderTest {

    @Test
    void clsOnlyPathGivesRowZeroAndItsGradients() {
        Vlm model = new Vlm(Presets.get("tiny", 20), 4);
        Rng rng = new Rng(9);
        int batch = 3, size = model.config().imageSize(), width = model.config().vision().featureWidth();
        VisionEncoder vit = (VisionEncoder) model.vision();
        Tensor images = Tensor.of(rng.normal(batch * 3 * size * size, 0f, 1f), batch, 3, size, size);
        Tensor weights = Tensor.of(rng.uniform(batch * width, -1f, 1f), batch, 1, width);

        Tensor full = Shaping.slice(vit.forward(images, ForwardContext.inference()), 1, 0, 1); // (B, 1, D)
        Reductions.sumAll(Elementwise.mul(full, weights)).backward();
        Map<String, float[]> expected = gradientsAndClear(model);

        Tensor cls = vit.forwardCls(images, ForwardContext.inference());                      // (B, 1, D)
        Reductions.sumAll(Elementwise.mul(cls, weights)).backward();
        Map<String, float[]> actual = gradientsAndClear(model);

        assertThat(cls.shape()).containsExactly(batch, 1, width);
        assertClose("CLS row", cls.toArray(), full.toArray());
        assertThat(actual.keySet()).isEqualTo(expected.keySet()).hasSizeGreaterThan(10);
        for (String name : expected.keySet()) assertClose(name, actual.get(name), expected.get(name));
    }

    private static Map<String, float[]> gradientsAndClear(Vlm model) {
        Map<String, float[]> grads = new HashMap<>();
        model.parameters().forEach((name, p) -> {
            if (name.startsWith("vision.") && p.grad() != null) grads.put(name, p.grad().clone());
            p.clearGrad();
        });
        return grads;
    }

    private static void assertClose(String what, float[] actual, float[] expected) {
        assertThat(actual).as(what).hasSize(expected.length);
        double worst = 0;
        for (int i = 0; i < actual.length; i++) worst = Math.max(worst, Math.abs(actual[i] - expected[i]) / (1 + Math.abs(expected[i])));
        assertThat(worst).as("%s: max scaled |diff| %.3e", what, worst).isLessThanOrEqualTo(1e-5);
    }
}
