package org.seemore.model.hfvision;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.seemore.model.hf.Activation;
import org.seemore.model.hf.LlavaConfig.SelectStrategy;
import org.seemore.model.hf.VisionConfig;
import org.seemore.nn.Params;
import org.seemore.tensor.Elementwise;
import org.seemore.tensor.GradMode;
import org.seemore.tensor.Reductions;
import org.seemore.tensor.Rng;
import org.seemore.tensor.Shaping;
import org.seemore.tensor.Tensor;

/**
 * Finite-difference checks of the towers' gradients on tiny random CLIP and SigLIP towers (the
 * fixtures hold no vision gradients): d/d every parameter (sampled entries) and d/d pixels of
 * {@code sum(last_hidden_state * r1) + sum(pooler_output * r2)}, SigLIP's head included. The image
 * side (7) is not a multiple of the patch (2), so the ignored last row and column are covered too.
 */
class HfVisionModelGradientTest {
    private static final float STEP = 1e-2f;

    private static VisionConfig tiny(VisionConfig.Family family, Activation act) {
        return new VisionConfig(family, 8, 12, 2, 2, 3, 7, 2, act, family == VisionConfig.Family.CLIP ? 1e-5 : 1e-6,
                family == VisionConfig.Family.SIGLIP);
    }

    @Test
    void clipGradientsMatchFiniteDifferences() {
        check(tiny(VisionConfig.Family.CLIP, Activation.QUICK_GELU), 11);
    }

    @Test
    void siglipGradientsWithTheHeadMatchFiniteDifferences() {
        check(tiny(VisionConfig.Family.SIGLIP, Activation.GELU_TANH), 12);
    }

    @Test
    void featuresOfAnEarlierLayerGiveTheLaterLayersNoGradient() {
        Rng rng = new Rng(5);
        HfVisionModel model = new HfVisionTowerConfig(tiny(VisionConfig.Family.CLIP, Activation.GELU), -2, SelectStrategy.DEFAULT)
                .build(new Params(rng));
        Tensor images = Tensor.of(rng.normal(2 * 3 * 7 * 7, 0f, 1f), 2, 3, 7, 7);
        Tensor features = model.features(images);
        assertThat(features.shape()).containsExactly(2, 9, 8);
        Reductions.sumAll(features).backward();
        model.parameters().forEach((name, p) -> {
            boolean after = name.contains("layers.1.") || name.contains("post_layernorm");
            assertThat(p.hasGrad()).as(name).isEqualTo(!after);
        });
    }

    @Test
    void likeTheStridedConvolutionTheLastRowsAndColumnsThatFillNoPatchAreIgnored() {
        VisionConfig seven = tiny(VisionConfig.Family.SIGLIP, Activation.GELU_TANH);
        VisionConfig six = new VisionConfig(seven.family(), 8, 12, 2, 2, 3, 6, 2, seven.hiddenAct(), seven.layerNormEps(), true);
        Rng rng = new Rng(8);
        HfVisionModel a = HfVisionTowerConfig.lastLayer(seven).build(new Params(rng)), b = HfVisionTowerConfig.lastLayer(six).build(new Params(rng));
        a.parameters().forEach((name, p) -> randomize(name, p, rng));
        b.parameters().forEach((name, p) -> System.arraycopy(a.parameters().get(name).data(), 0, p.data(), p.offset(), p.size()));
        Tensor images = Tensor.of(rng.normal(2 * 3 * 7 * 7, 0f, 1f), 2, 3, 7, 7);
        Tensor cropped = Shaping.slice(Shaping.slice(images, 2, 0, 6), 3, 0, 6);
        assertThat(a.forward(images).poolerOutput().toArray()).containsExactly(b.forward(cropped).poolerOutput().toArray());
    }

    private static void check(VisionConfig config, long seed) {
        Rng rng = new Rng(seed);
        HfVisionModel model = HfVisionTowerConfig.lastLayer(config).build(new Params(rng));
        for (Map.Entry<String, Tensor> e : model.parameters().entrySet()) randomize(e.getKey(), e.getValue(), rng);
        Tensor images = Tensor.parameter(rng.normal(2 * 3 * 7 * 7, 0f, 1f), 2, 3, 7, 7);
        HfVisionModel.Output out = model.forward(images);
        float[] r1 = rng.uniform(out.lastHiddenState().size(), -1f, 1f), r2 = rng.uniform(out.poolerOutput().size(), -1f, 1f);
        objective(out, r1, r2).backward();
        int checked = 0;
        for (Map.Entry<String, Tensor> e : model.parameters().entrySet()) checked += compare(e.getKey(), e.getValue(), model, images, r1, r2, rng);
        checked += compare("pixel_values", images, model, images, r1, r2, rng);
        assertThat(checked).isGreaterThan(100);
    }

    /** Checks up to 6 entries of {@code t} (chosen by {@code rng}); returns how many. */
    private static int compare(String name, Tensor t, HfVisionModel model, Tensor images, float[] r1, float[] r2, Rng rng) {
        assertThat(t.grad()).as("grad of %s", name).isNotNull();
        float[] analytic = t.grad().clone(), d = t.data();
        int n = Math.min(6, t.size());
        for (int s = 0; s < n; s++) {
            int i = t.size() <= 6 ? s : rng.nextInt(t.size());
            float saved = d[t.offset() + i];
            d[t.offset() + i] = saved + STEP;
            double plus = value(model, images, r1, r2);
            d[t.offset() + i] = saved - STEP;
            double minus = value(model, images, r1, r2);
            d[t.offset() + i] = saved;
            double numeric = (plus - minus) / (2 * STEP);
            assertThat(Math.abs(numeric - analytic[i])).as("d/d %s[%d]: analytic %s, numeric %s", name, i, analytic[i], numeric)
                    .isLessThanOrEqualTo(3e-3 + 2e-2 * Math.abs(numeric));
        }
        return n;
    }

    private static Tensor objective(HfVisionModel.Output out, float[] r1, float[] r2) {
        Tensor a = Reductions.sumAll(Elementwise.mul(out.lastHiddenState(), Tensor.of(r1, out.lastHiddenState().shape())));
        Tensor b = Reductions.sumAll(Elementwise.mul(out.poolerOutput(), Tensor.of(r2, out.poolerOutput().shape())));
        return Elementwise.add(a, b);
    }

    private static double value(HfVisionModel model, Tensor images, float[] r1, float[] r2) {
        try (GradMode.Scope ignored = GradMode.noGrad()) {
            HfVisionModel.Output out = model.forward(images);
            double s = 0;
            float[] last = out.lastHiddenState().toArray(), pooled = out.poolerOutput().toArray();
            for (int i = 0; i < last.length; i++) s += (double) last[i] * r1[i];
            for (int i = 0; i < pooled.length; i++) s += (double) pooled[i] * r2[i];
            return s;
        }
    }

    /** Weights of order 1, as the fixtures have (fresh ones are N(0, 0.02²): too small to show a wrong path). */
    private static void randomize(String name, Tensor p, Rng rng) {
        boolean normWeight = name.endsWith("norm1.weight") || name.endsWith("norm2.weight") || name.endsWith("layrnorm.weight")
                || name.endsWith("layernorm.weight");
        float[] values = rng.normal(p.size(), normWeight ? 1f : 0f, normWeight ? 0.1f : 0.4f);
        System.arraycopy(values, 0, p.data(), p.offset(), values.length);
    }

}
