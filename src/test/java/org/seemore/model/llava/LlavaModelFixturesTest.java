package org.seemore.model.llava;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.seemore.io.HfFixtures;
import org.seemore.io.SafetensorsFile;
import org.seemore.model.hf.HfModelDirectory;
import org.seemore.tensor.Tensor;

/**
 * {@link LlavaModel} against transformers' {@code LlavaForConditionalGeneration} on the three tiny
 * LLaVA checkpoints (CLIP + tied Llama, SigLIP + Qwen2, and the sparse config of the latter):
 * features, logits, loss, every gradient (and none for the parameters HF leaves without one), and
 * greedy KV-cached generation.
 */
class LlavaModelFixturesTest {
    private static final double TOL = 1e-4;

    private record Fixture(LlavaModel model, SafetensorsFile ref) {
        int[] ints(String name) {
            return Arrays.stream(ref.longs(name)).mapToInt(Math::toIntExact).toArray();
        }

        Tensor floats(String name) {
            return Tensor.of(ref.floats(name), ref.get(name).shape());
        }

        int batch(String ids) {
            return ref.get(ids).shape()[0];
        }
    }

    private static Fixture fixture(String name) {
        HfModelDirectory dir = HfModelDirectory.open(HfFixtures.model(name));
        return new Fixture(LlavaModel.load(dir), SafetensorsFile.read(dir.directory().resolve("reference.safetensors")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"llava", "llava-siglip", "llava-siglip-sparse"})
    void featuresLogitsAndLossMatchTransformers(String name) {
        Fixture f = fixture(name);
        int[] mask = f.ints("attention_mask");
        LlavaModel.Output out = f.model().forward(f.floats("pixel_values"), f.ints("input_ids"), mask, f.batch("input_ids"));
        check(name, "vision_feature", out.visionFeature(), f);
        check(name, "image_features", out.imageFeatures(), f);
        check(name, "logits", out.logits(), f);
        check(name, "loss", LlavaModel.loss(out.logits(), f.ints("labels"), mask), f);
    }

    @ParameterizedTest
    @ValueSource(strings = {"llava", "llava-siglip", "llava-siglip-sparse"})
    void everyGradientMatchesTransformersAndTheUnusedParametersGetNone(String name) throws Exception {
        Fixture f = fixture(name);
        int[] mask = f.ints("attention_mask");
        LlavaModel.Output out = f.model().forward(f.floats("pixel_values"), f.ints("input_ids"), mask, f.batch("input_ids"));
        LlavaModel.loss(out.logits(), f.ints("labels"), mask).backward();
        List<String> without = List.of(new ObjectMapper().readValue(f.ref().metadata("params_without_grad"), String[].class));
        assertThat(without).isNotEmpty();
        Set<String> withGrad = new HashSet<>();
        for (String n : f.ref().names()) if (n.startsWith("grad.")) withGrad.add(n.substring("grad.".length()));
        assertThat(f.model().parameters().keySet()).hasSize(withGrad.size() + without.size()).containsAll(withGrad).containsAll(without);
        double worst = 0;
        for (Map.Entry<String, Tensor> e : f.model().parameters().entrySet()) {
            if (without.contains(e.getKey())) {
                assertThat(e.getValue().hasGrad()).as("%s has a gradient", e.getKey()).isFalse();
                continue;
            }
            assertThat(e.getValue().grad()).as("grad of %s", e.getKey()).isNotNull();
            double d = maxDiff(e.getValue().grad(), f.ref().floats("grad." + e.getKey()));
            assertThat(d).as("grad.%s", e.getKey()).isLessThan(TOL);
            worst = Math.max(worst, d);
        }
        System.out.printf("%s gradients of %d parameters max diff %.3g, %d without%n", name, withGrad.size(), worst, without.size());
    }

    @ParameterizedTest
    @ValueSource(strings = {"llava", "llava-siglip", "llava-siglip-sparse"})
    void greedyGenerationWithTheImageInThePrefillMatchesTransformers(String name) {
        Fixture f = fixture(name);
        int[] prompt = f.ints("gen.input_ids"), want = f.ints("gen.output_ids");
        LlavaModel.Generation got = f.model().generate(f.floats("gen.pixel_values"), prompt, f.ints("gen.attention_mask"), 1,
                want.length - prompt.length, List.of());
        assertThat(got.outputIds()).containsExactly(want);
        double d = maxDiff(got.logits(), f.ref().floats("gen.logits"));
        System.out.printf("%s gen.logits max diff %.3g%n", name, d);
        assertThat(d).isLessThan(TOL);
    }

    private static void check(String model, String name, Tensor got, Fixture f) {
        HfFixtures.assertClose(model, name, got, f.ref(), TOL);
    }

    static double maxDiff(float[] got, float[] want) {
        return HfFixtures.maxDiff(got, want);
    }
}
