package org.seemore.model.llama;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.seemore.io.HfFixtures;
import org.seemore.io.SafetensorsFile;
import org.seemore.model.hf.HfModelDirectory;
import org.seemore.tensor.Tensor;

/**
 * {@link LlamaModel} against what transformers computes on the tiny llama (GQA, tied embeddings)
 * and qwen2 (q/k/v biases, untied) checkpoints: logits, every hidden state, the causal-LM loss and
 * every parameter's gradient, and greedy KV-cached generation.
 */
class LlamaModelFixturesTest {
    private static final double TOL = 1e-4;

    private record Fixture(LlamaModel model, SafetensorsFile ref, int[] ids, int[] mask, int batch, int t) {}

    private static Fixture fixture(String name) {
        HfModelDirectory dir = HfModelDirectory.open(HfFixtures.model(name));
        LlamaModel model = LlamaModel.load(dir.decoder().orElseThrow(), dir.weights());
        SafetensorsFile ref = SafetensorsFile.read(dir.directory().resolve("reference.safetensors"));
        int[] shape = ref.get("input_ids").shape();
        return new Fixture(model, ref, ints(ref.longs("input_ids")), ints(ref.longs("attention_mask")), shape[0], shape[1]);
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama", "qwen2"})
    void logitsAndHiddenStatesMatchTransformers(String name) {
        Fixture f = fixture(name);
        LlamaModel.Output out = f.model().forward(f.ids(), f.mask(), f.batch());
        int v = f.model().config().vocabSize();
        // every position, the padded queries too: they see the real keys before them, masked as HF masks them
        double logits = maxDiff(out.logits().toArray(), f.ref().floats("logits"), v);
        System.out.printf("%s logits max diff %.3g%n", name, logits);
        assertThat(logits).isLessThan(TOL);
        List<Tensor> hidden = out.hiddenStates();
        assertThat(hidden).hasSize(f.model().config().numHiddenLayers() + 1);
        for (int i = 0; i < hidden.size(); i++) {
            double d = maxDiff(hidden.get(i).toArray(), f.ref().floats("hidden_states." + i), f.model().config().hiddenSize());
            System.out.printf("%s hidden_states.%d max diff %.3g%n", name, i, d);
            assertThat(d).as("hidden_states.%d", i).isLessThan(TOL);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama", "qwen2"})
    void causalLmLossAndEveryGradientMatchTransformers(String name) {
        Fixture f = fixture(name);
        LlamaModel.Output out = f.model().forward(f.ids(), f.mask(), f.batch());
        Tensor loss = LlamaModel.causalLmLoss(out.logits(), ints(f.ref().longs("labels")));
        double lossDiff = Math.abs(loss.item() - f.ref().floats("loss")[0]);
        System.out.printf("%s loss %.6f max diff %.3g%n", name, loss.item(), lossDiff);
        assertThat(lossDiff).isLessThan(TOL);
        loss.backward();
        long grads = f.ref().names().stream().filter(n -> n.startsWith("grad.")).count();
        assertThat(f.model().parameters()).hasSize((int) grads);
        double worst = 0;
        for (Map.Entry<String, Tensor> e : f.model().parameters().entrySet()) {
            float[] want = f.ref().floats("grad." + e.getKey());
            assertThat(e.getValue().grad()).as("grad of %s", e.getKey()).isNotNull();
            double d = maxDiff(e.getValue().grad(), want, want.length);
            worst = Math.max(worst, d);
            assertThat(d).as("grad.%s", e.getKey()).isLessThan(TOL);
        }
        System.out.printf("%s gradients of %d parameters max diff %.3g%n", name, grads, worst);
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama", "qwen2"})
    void greedyGenerationWithAKvCacheMatchesTransformers(String name) {
        Fixture f = fixture(name);
        int[] prompt = ints(f.ref().longs("gen.input_ids")), want = ints(f.ref().longs("gen.output_ids"));
        int steps = want.length - prompt.length;
        GreedyDecoder.Result got = new GreedyDecoder(f.model()).generate(prompt, ints(f.ref().longs("gen.attention_mask")), 1, steps);
        int[] output = java.util.Arrays.copyOf(prompt, want.length);
        System.arraycopy(got.tokens(), 0, output, prompt.length, steps);
        assertThat(output).containsExactly(want);
        double d = maxDiff(got.logits(), f.ref().floats("gen.logits"), f.model().config().vocabSize());
        System.out.printf("%s generation logits max diff %.3g%n", name, d);
        assertThat(d).isLessThan(TOL);
    }

    private static int[] ints(long[] values) {
        int[] out = new int[values.length];
        for (int i = 0; i < out.length; i++) out[i] = Math.toIntExact(values[i]);
        return out;
    }

    /** The largest |got - want| over rows of {@code width} values. */
    static double maxDiff(float[] got, float[] want, int width) {
        assertThat(got).hasSameSizeAs(want);
        double max = 0;
        for (int r = 0; r < got.length / width; r++) {
            for (int j = 0; j < width; j++) max = Math.max(max, Math.abs(got[r * width + j] - want[r * width + j]));
        }
        return max;
    }
}
