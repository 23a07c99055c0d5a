package org.seemore.model.llama;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.seemore.model.hf.Activation;
import org.seemore.model.hf.DecoderConfig;
import org.seemore.nn.Params;
import org.seemore.tensor.GradCheck;
import org.seemore.tensor.Rng;
import org.seemore.tensor.Shaping;
import org.seemore.tensor.Tensor;

/**
 * {@link MixtralMoeBlock} and {@link LoadBalancingLoss} on tiny random weights: the block's output
 * against HF's recipe computed by hand in double (softmax over all experts, top-k, renormalise,
 * weighted SwiGLU experts), the balancing loss's fixed points, and finite-difference gradients of a
 * whole tiny Mixtral through the router: the cross-entropy reaches the gate only through the routing
 * weights, the balancing loss only through the router probabilities.
 */
class MixtralMoeBlockTest {
    private static final int WIDTH = 8, HIDDEN = 6, EXPERTS = 4, TOP_K = 2;

    @Test
    void theBlockIsTheRenormalisedTopKWeightedSumOfItsSwiGluExpertsComputedByHand() {
        Params params = new Params(new Rng(3));
        MixtralMoeBlock block = new MixtralMoeBlock(params, WIDTH, HIDDEN, EXPERTS, TOP_K);
        scale(params.all(), new Rng(4));
        Tensor x = Tensor.of(new Rng(5).normal(2 * 3 * WIDTH, 0f, 1f), 2, 3, WIDTH); // (B, T, C)
        FeedForward.Result out = block.forward(x);
        assertThat(out.y().shape()).containsExactly(2, 3, WIDTH);
        Map<String, Tensor> p = params.all();
        float[] xs = x.toArray(), y = out.y().toArray(), weights = out.routing().weights().toArray();
        for (int row = 0; row < 6; row++) {
            double[] logits = linear(p.get("gate.weight"), xs, row * WIDTH, WIDTH);
            double[] probs = softmax(logits);
            int[] top = topK(probs);
            double chosenSum = probs[top[0]] + probs[top[1]];
            double[] want = new double[WIDTH];
            for (int j = 0; j < TOP_K; j++) {
                int e = top[j];
                double w = probs[e] / chosenSum;
                assertThat(out.routing().experts()[row * TOP_K + j]).isEqualTo(e);
                assertThat((double) weights[row * TOP_K + j]).isCloseTo(w, within(1e-6));
                double[] g = linear(p.get("experts." + e + ".w1.weight"), xs, row * WIDTH, WIDTH);
                double[] u = linear(p.get("experts." + e + ".w3.weight"), xs, row * WIDTH, WIDTH);
                float[] h = new float[HIDDEN];
                for (int i = 0; i < HIDDEN; i++) h[i] = (float) (g[i] / (1 + Math.exp(-g[i])) * u[i]);
                double[] o = linear(p.get("experts." + e + ".w2.weight"), h, 0, HIDDEN);
                for (int c = 0; c < WIDTH; c++) want[c] += w * o[c];
            }
            assertThat((double) weights[row * TOP_K] + weights[row * TOP_K + 1]).isCloseTo(1, within(1e-6));
            for (int c = 0; c < WIDTH; c++) assertThat((double) y[row * WIDTH + c]).as("row %d, %d", row, c).isCloseTo(want[c], within(1e-5));
        }
    }

    @Test
    void aPerfectlyBalancedRouterHasALoadBalancingLossOfTopK() {
        // uniform probabilities, and every expert chosen equally often: E * sum_e (k/E) * (1/E) = k
        Tensor logits = Tensor.zeros(4, EXPERTS);
        int[] experts = {0, 1, 2, 3, 1, 0, 3, 2};
        Tensor loss = LoadBalancingLoss.of(List.of(new MixtralMoeBlock.RouterOutput(logits, experts, Tensor.zeros(4, TOP_K))), null);
        assertThat(loss.item()).isCloseTo(2f, within(1e-6f));
    }

    @Test
    void maskedTokensCountNeitherInTheChoicesNorInTheProbabilitiesAndLayersArePooled() {
        Rng rng = new Rng(11);
        Tensor a = Tensor.of(rng.normal(3 * EXPERTS, 0f, 1f), 3, EXPERTS), b = Tensor.of(rng.normal(3 * EXPERTS, 0f, 1f), 3, EXPERTS);
        int[] ea = {0, 1, 2, 0, 3, 1}, eb = {1, 2, 2, 3, 0, 1};
        var la = new MixtralMoeBlock.RouterOutput(a, ea, Tensor.zeros(3, TOP_K));
        var lb = new MixtralMoeBlock.RouterOutput(b, eb, Tensor.zeros(3, TOP_K));
        float masked = LoadBalancingLoss.of(List.of(la, lb), new int[] {1, 1, 0}).item();
        // the same two tokens per layer without the third
        var ta = new MixtralMoeBlock.RouterOutput(Shaping.sliceRows(a, 0, 2), java.util.Arrays.copyOf(ea, 4), Tensor.zeros(2, TOP_K));
        var tb = new MixtralMoeBlock.RouterOutput(Shaping.sliceRows(b, 0, 2), java.util.Arrays.copyOf(eb, 4), Tensor.zeros(2, TOP_K));
        assertThat(masked).isCloseTo(LoadBalancingLoss.of(List.of(ta, tb), null).item(), within(1e-6f));
        // one value over both layers: E * sum_e f_e * P_e with f and P pooled, by hand
        double[] f = new double[EXPERTS], prob = new double[EXPERTS];
        for (int[] chosen : new int[][] {java.util.Arrays.copyOf(ea, 4), java.util.Arrays.copyOf(eb, 4)}) for (int e : chosen) f[e] += 1 / 4.0;
        for (Tensor l : List.of(a, b)) {
            for (int r = 0; r < 2; r++) {
                double[] s = softmax(linearRow(l.toArray(), r * EXPERTS));
                for (int e = 0; e < EXPERTS; e++) prob[e] += s[e] / 4;
            }
        }
        double want = 0;
        for (int e = 0; e < EXPERTS; e++) want += EXPERTS * f[e] * prob[e];
        assertThat((double) masked).isCloseTo(want, within(1e-6));
        assertThatThrownBy(() -> LoadBalancingLoss.of(List.of(la), new int[] {0, 0, 0})).hasMessageContaining("all zeros");
    }

    @Test
    void crossEntropyAndAuxLossHaveFiniteDifferenceGradientsThroughTheRouter() {
        LlamaModel model = tinyMixtral();
        int[] ids = {1, 5, 9, 14, 3, 2, 7, 7, 12, 0}, mask = {1, 1, 1, 1, 1, 1, 1, 1, 0, 0}, labels = {1, 5, 9, 14, 3, 2, 7, 7, -100, -100};
        List<int[]> routes = model.forward(ids, mask, 2).chosenExperts();
        Map<String, Tensor> p = model.parameters();
        // the gates, and a norm before the first one (its gradient also flows through both routers); the experts'
        // gradients are checked against transformers in MixtralModelFixturesTest
        Tensor[] checked = {p.get("model.layers.0.block_sparse_moe.gate.weight"), p.get("model.layers.1.block_sparse_moe.gate.weight"),
                p.get("model.layers.0.post_attention_layernorm.weight")};
        // both losses as one vector, GradCheck weighting each by its own random factor: the cross-entropy reaches
        // the gates through the routing weights only, the aux loss through the router probabilities only
        GradCheck.check("mixtral lm_loss and aux_loss", in -> {
            LlamaModel.CausalLmOutput out = model.forward(ids, mask, labels, 2);
            // a perturbation that changed a choice would make the losses jump: the check is only meaningful without one
            for (int l = 0; l < routes.size(); l++) assertThat(out.output().chosenExperts().get(l)).as("layer %d's routes", l).containsExactly(routes.get(l));
            return Shaping.concat(0, Shaping.reshape(out.lmLoss(), 1), Shaping.reshape(out.auxLoss(), 1));
        }, 5e-3f, 2e-2, 1e-3, checked);
        // the sum HF trains on: lm_loss + 0.5 * aux_loss
        LlamaModel.CausalLmOutput out = model.forward(ids, mask, labels, 2);
        assertThat(out.loss().item()).isCloseTo(out.lmLoss().item() + 0.5f * out.auxLoss().item(), within(1e-6f));
    }

    /** A 2-layer Mixtral, 4 experts, top-2, aux coefficient 0.5, with weights scaled so that router logits are of order 1. */
    private static LlamaModel tinyMixtral() {
        DecoderConfig config = new DecoderConfig(DecoderConfig.Family.MIXTRAL, 16, WIDTH, HIDDEN, 2, 2, 1, 4, 32, 1e-5, 1e4,
                Optional.empty(), Activation.SILU, false, false, false, false, Optional.empty(),
                Optional.of(new DecoderConfig.Moe(EXPERTS, TOP_K, 0.5, 0)), OptionalInt.empty(), List.of());
        LlamaModel model = new LlamaModel(config, new Rng(21));
        scale(model.parameters(), new Rng(22));
        return model;
    }

    /** HF's fixture initialisation: Linear weights ~ N(0, 1/fan_in), embeddings N(0, 0.25^2), norm weights 1 + N(0, 0.1^2). */
    private static void scale(Map<String, Tensor> params, Rng rng) {
        for (Map.Entry<String, Tensor> e : params.entrySet()) {
            Tensor t = e.getValue();
            boolean norm = e.getKey().endsWith("norm.weight");
            float std = norm ? 0.1f : e.getKey().contains("embed_tokens") ? 0.25f : (float) (1 / Math.sqrt(t.dim(1)));
            float[] v = rng.normal(t.size(), norm ? 1f : 0f, std);
            System.arraycopy(v, 0, t.data(), t.offset(), v.length);
        }
    }

    private static double[] linear(Tensor weight, float[] x, int offset, int in) {
        float[] w = weight.toArray();
        double[] out = new double[weight.dim(0)];
        for (int o = 0; o < out.length; o++) for (int i = 0; i < in; i++) out[o] += (double) w[o * in + i] * x[offset + i];
        return out;
    }

    private static double[] linearRow(float[] values, int offset) {
        double[] out = new double[EXPERTS];
        for (int e = 0; e < EXPERTS; e++) out[e] = values[offset + e];
        return out;
    }

    private static double[] softmax(double[] logits) {
        double max = Double.NEGATIVE_INFINITY, sum = 0;
        for (double l : logits) max = Math.max(max, l);
        double[] out = new double[logits.length];
        for (int i = 0; i < out.length; i++) sum += out[i] = Math.exp(logits[i] - max);
        for (int i = 0; i < out.length; i++) out[i] /= sum;
        return out;
    }

    private static int[] topK(double[] probs) {
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < probs.length; i++) order.add(i);
        order.sort((a, b) -> Double.compare(probs[b], probs[a]));
        return new int[] {order.get(0), order.get(1)};
    }
}
