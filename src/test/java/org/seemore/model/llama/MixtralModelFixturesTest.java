package org.seemore.model.llama;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.seemore.model.llama.LlamaModelFixturesTest.maxDiff;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.seemore.io.HfFixtures;
import org.seemore.io.SafetensorsCheckpoint;
import org.seemore.io.SafetensorsFile;
import org.seemore.io.StoredTensor;
import org.seemore.model.hf.HfModelDirectory;
import org.seemore.tensor.Tensor;

/**
 * {@link LlamaModel} with Mixtral's sparse blocks against what transformers 4.45 computes on the tiny
 * mixtral checkpoint (8 experts, top-2, router_aux_loss_coef 0.02): logits at every position, hidden
 * states, router logits and the experts they choose, the load-balancing loss, the losses and every
 * parameter's gradient, and greedy KV-cached generation.
 */
class MixtralModelFixturesTest {
    private static final double TOL = 1e-4;
    private static final HfModelDirectory DIR = HfModelDirectory.open(HfFixtures.model("mixtral"));
    private static final SafetensorsFile REF = SafetensorsFile.read(DIR.directory().resolve("reference.safetensors"));
    private static final int[] IDS = ints(REF.longs("input_ids")), MASK = ints(REF.longs("attention_mask")), LABELS = ints(REF.longs("labels"));
    private static final int BATCH = REF.get("input_ids").shape()[0];

    private static LlamaModel model() {
        return LlamaModel.load(DIR.decoder().orElseThrow(), DIR.weights());
    }

    @Test
    void logitsHiddenStatesAndRouterLogitsMatchTransformers() {
        LlamaModel model = model();
        LlamaModel.Output out = model.forward(IDS, MASK, BATCH);
        int v = model.config().vocabSize(), c = model.config().hiddenSize(), e = 8;
        // every position, the padded ones too: their queries see the real keys before them, masked as HF masks them
        double logits = maxDiff(out.logits().toArray(), REF.floats("logits"), v);
        System.out.printf("mixtral logits max diff %.3g%n", logits);
        assertThat(logits).isLessThan(TOL);
        assertThat(out.hiddenStates()).hasSize(3);
        for (int i = 0; i < 3; i++) {
            double d = maxDiff(out.hiddenStates().get(i).toArray(), REF.floats("hidden_states." + i), c);
            System.out.printf("mixtral hidden_states.%d max diff %.3g%n", i, d);
            assertThat(d).as("hidden_states.%d", i).isLessThan(TOL);
        }
        assertThat(out.routerLogits()).hasSize(2);
        for (int i = 0; i < 2; i++) {
            assertThat(out.routerLogits().get(i).shape()).containsExactly(24, e);
            double d = maxDiff(out.routerLogits().get(i).toArray(), REF.floats("router_logits." + i), e);
            System.out.printf("mixtral router_logits.%d max diff %.3g%n", i, d);
            assertThat(d).as("router_logits.%d", i).isLessThan(TOL);
        }
    }

    @Test
    void theChosenExpertsAreExactlyTheTopTwoOfTransformersRouterLogits() {
        LlamaModel.Output out = model().forward(IDS, MASK, BATCH);
        for (int layer = 0; layer < 2; layer++) {
            int[] want = topTwo(REF.floats("router_logits." + layer), 8);
            assertThat(out.chosenExperts().get(layer)).as("layer %d", layer).containsExactly(want);
            // the weights of the two chosen are HF's renormalised probabilities and sum to 1
            float[] w = out.routing().get(layer).weights().toArray();
            for (int row = 0; row < 24; row++) {
                assertThat(w[2 * row] + w[2 * row + 1]).isCloseTo(1f, org.assertj.core.data.Offset.offset(1e-6f));
                assertThat(w[2 * row]).isGreaterThanOrEqualTo(w[2 * row + 1]);
            }
        }
    }

    @Test
    void auxLossLmLossLossAndEveryGradientMatchTransformers() {
        LlamaModel model = model();
        LlamaModel.CausalLmOutput out = model.forward(IDS, MASK, LABELS, BATCH);
        double aux = Math.abs(out.auxLoss().item() - REF.floats("aux_loss")[0]);
        double lm = Math.abs(out.lmLoss().item() - REF.floats("lm_loss")[0]);
        double loss = Math.abs(out.loss().item() - REF.floats("loss")[0]);
        System.out.printf("mixtral aux_loss %.6f (diff %.3g), lm_loss %.6f (diff %.3g), loss %.6f (diff %.3g)%n",
                out.auxLoss().item(), aux, out.lmLoss().item(), lm, out.loss().item(), loss);
        assertThat(aux).isLessThan(TOL);
        assertThat(lm).isLessThan(TOL);
        assertThat(loss).isLessThan(TOL);
        out.loss().backward();
        long grads = REF.names().stream().filter(n -> n.startsWith("grad.")).count();
        assertThat(model.parameters()).hasSize((int) grads);
        double worst = 0, router = 0;
        for (Map.Entry<String, Tensor> p : model.parameters().entrySet()) {
            float[] want = REF.floats("grad." + p.getKey());
            assertThat(p.getValue().grad()).as("grad of %s", p.getKey()).isNotNull(); // layer 0's expert 7 has no token: zeros, as in HF
            double d = maxDiff(p.getValue().grad(), want, want.length);
            worst = Math.max(worst, d);
            if (p.getKey().endsWith("gate.weight")) router = Math.max(router, d);
            assertThat(d).as("grad.%s", p.getKey()).isLessThan(TOL);
        }
        System.out.printf("mixtral gradients of %d parameters max diff %.3g (router gates %.3g)%n", grads, worst, router);
        // an expert that no token chose (layer 0's expert 7 here) still has a gradient, zero, as HF's loop gives it
        int[] chosen = out.output().chosenExperts().get(0);
        assertThat(chosen).doesNotContain(7);
        String unused = "model.layers.0.block_sparse_moe.experts.7.w1.weight";
        assertThat(model.parameters().get(unused).grad()).containsOnly(0f);
        assertThat(REF.floats("grad." + unused)).containsOnly(0f);
    }

    @Test
    void theAuxLossIsWhatGivesTheRouterItsGradientBeyondTheCrossEntropy() {
        // without the aux term the gate gradients differ from HF's: the test above would catch a missing or unweighted aux loss
        LlamaModel model = model();
        LlamaModel.CausalLmOutput out = model.forward(IDS, MASK, LABELS, BATCH);
        out.lmLoss().backward();
        String gate = "model.layers.0.block_sparse_moe.gate.weight";
        double d = maxDiff(model.parameters().get(gate).grad(), REF.floats("grad." + gate), 8 * 64);
        assertThat(d).isGreaterThan(1e-3);
    }

    @Test
    void greedyGenerationWithAKvCacheMatchesTransformers() {
        LlamaModel model = model();
        int[] prompt = ints(REF.longs("gen.input_ids")), want = ints(REF.longs("gen.output_ids"));
        int steps = want.length - prompt.length;
        GreedyDecoder.Result got = new GreedyDecoder(model).generate(prompt, ints(REF.longs("gen.attention_mask")), 1, steps);
        int[] output = Arrays.copyOf(prompt, want.length);
        System.arraycopy(got.tokens(), 0, output, prompt.length, steps);
        assertThat(output).containsExactly(want);
        double d = maxDiff(got.logits(), REF.floats("gen.logits"), model.config().vocabSize());
        System.out.printf("mixtral generation logits max diff %.3g%n", d);
        assertThat(d).isLessThan(TOL);
    }

    @Test
    void aLeftPaddedBatchGeneratesWhatEachPromptGeneratesAlone() {
        // padded positions are routed too (HF routes every row), but as masked keys they never reach a real token
        GreedyDecoder decoder = new GreedyDecoder(model());
        int[] a = {1, 17, 300, 42, 9}, b = {1, 88, 5};
        int steps = 6;
        int[] aloneA = decoder.generate(a, null, 1, steps).tokens(), aloneB = decoder.generate(b, null, 1, steps).tokens();
        GreedyDecoder.Result both = decoder.generate(new int[] {1, 17, 300, 42, 9, 0, 0, 1, 88, 5}, new int[] {1, 1, 1, 1, 1, 0, 0, 1, 1, 1}, 2, steps);
        assertThat(Arrays.copyOf(both.tokens(), steps)).containsExactly(aloneA);
        assertThat(Arrays.copyOfRange(both.tokens(), steps, 2 * steps)).containsExactly(aloneB);
    }

    @Test
    void aMissingExpertOrAWronglyShapedGateIsOneLineNamingTheTensor(@TempDir Path tmp) {
        String expert = "model.layers.1.block_sparse_moe.experts.7.w2.weight", gate = "model.layers.0.block_sparse_moe.gate.weight";
        Path missing = tmp.resolve("missing"), misshaped = tmp.resolve("misshaped");
        HfFixtures.rewrite(DIR.directory(), missing, t -> t.name().equals(expert) ? null : t);
        HfFixtures.rewrite(DIR.directory(), misshaped, t -> t.name().equals(gate) ? StoredTensor.ofFloats(gate, new int[] {4, 64}, new float[256]) : t);
        for (Path dir : List.of(missing, misshaped)) { // the checkpoint alone: HfModelDirectory.open would refuse it first
            SafetensorsCheckpoint weights = SafetensorsCheckpoint.open(dir);
            assertThatThrownBy(() -> LlamaModel.load(DIR.decoder().orElseThrow(), weights))
                    .isInstanceOf(org.seemore.UserException.class)
                    .hasMessageContaining(dir == missing ? "no tensor " + expert : gate + " is [4, 64], expected [8, 64]")
                    .hasMessageNotContaining("\n");
        }
    }

    /** The two largest of each row of (rows, width) logits, larger first. */
    static int[] topTwo(float[] logits, int width) {
        int rows = logits.length / width;
        int[] out = new int[2 * rows];
        for (int r = 0; r < rows; r++) {
            int first = 0;
            for (int j = 1; j < width; j++) if (logits[r * width + j] > logits[r * width + first]) first = j;
            int second = first == 0 ? 1 : 0;
            for (int j = 0; j < width; j++) if (j != first && logits[r * width + j] > logits[r * width + second]) second = j;
            out[2 * r] = first;
            out[2 * r + 1] = second;
        }
        return out;
    }

    static int[] ints(long[] values) {
        return Arrays.stream(values).mapToInt(Math::toIntExact).toArray();
    }
}
