package org.seemore.model.llama;

import java.util.List;
import org.seemore.tensor.Elementwise;
import org.seemore.tensor.NnOps;
import org.seemore.tensor.Reductions;
import org.seemore.tensor.Shaping;
import org.seemore.tensor.Tensor;

/**
 * Mixtral's auxiliary loss, Hugging Face's {@code load_balancing_loss_func} (transformers 4.45;
 * Switch Transformer, Fedus et al. 2022, eq. 4-6, with top-k): over the rows of every layer's router
 * logits together (L x B x T rows, each weighted by its token's attention mask m),
 *
 * <pre>
 * tokens_per_expert[j, e] = sum_rows m * onehot(j-th choice == e) / sum_rows m      (no gradient)
 * router_prob[e]          = sum_rows m * softmax(logits)[e]       / sum_rows m
 * aux                     = E * sum_{j, e} tokens_per_expert[j, e] * router_prob[e]
 * </pre>
 *
 * One value for the whole model, not a mean of per-layer values; a perfectly balanced router gives k.
 */
final class LoadBalancingLoss {
    private LoadBalancingLoss() {}

    /**
     * The loss over {@code layers} (each routing B*T rows, row b*T + t); {@code attentionMask} (B*T)
     * weights each token, null for all ones (HF's plain mean without a mask).
     */
    static Tensor of(List<MixtralMoeBlock.RouterOutput> layers, int[] attentionMask) {
        int n = layers.getFirst().logits().dim(0), numExperts = layers.getFirst().logits().dim(1);
        if (attentionMask != null && attentionMask.length != n) {
            throw new IllegalArgumentException("an attention mask of " + attentionMask.length + " values for " + n + " routed tokens");
        }
        int rows = layers.size() * n;
        float[] mask = new float[rows];                       // (L*N) m of each row
        double[] share = new double[numExperts];              // (E) sum over j of tokens_per_expert[j, e], before / sum m
        double total = 0;
        for (int l = 0; l < layers.size(); l++) {
            MixtralMoeBlock.RouterOutput r = layers.get(l);
            int k = r.topK();
            for (int i = 0; i < n; i++) {
                float m = attentionMask == null ? 1f : attentionMask[i];
                mask[l * n + i] = m;
                total += m;
                for (int j = 0; j < k; j++) share[r.experts()[i * k + j]] += m;
            }
        }
        if (total == 0) throw new IllegalArgumentException("the attention mask is all zeros: no token to balance");
        float[] tokensPerExpert = new float[numExperts];
        for (int e = 0; e < numExperts; e++) tokensPerExpert[e] = (float) (share[e] / total);
        Tensor logits = Shaping.concat(0, layers.stream().map(MixtralMoeBlock.RouterOutput::logits).toArray(Tensor[]::new)); // (L*N, E)
        Tensor probs = Elementwise.mul(NnOps.softmax(logits, false), Tensor.of(mask, rows, 1));                            // (L*N, E)
        Tensor routerProb = Elementwise.scale(Reductions.sum(probs, 0, false), (float) (1 / total));                       // (E)
        return Elementwise.scale(Reductions.sumAll(Elementwise.mul(Tensor.of(tokensPerExpert, numExperts), routerProb)), numExperts);
    }
}
