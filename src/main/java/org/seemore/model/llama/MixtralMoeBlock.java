package org.seemore.model.llama;

import java.util.ArrayList;
import java.util.List;
import org.seemore.model.moe.Routing;
import org.seemore.nn.Params;
import org.seemore.tensor.Elementwise;
import org.seemore.tensor.Indexing;
import org.seemore.tensor.Linalg;
import org.seemore.tensor.NnOps;
import org.seemore.tensor.Shaping;
import org.seemore.tensor.Tensor;

/**
 * Hugging Face's {@code MixtralSparseMoeBlock} (transformers 4.45, eval mode: no router jitter):
 * the router {@code gate} (E, C) scores every token, the k most probable experts are chosen, their
 * probabilities renormalised to sum to 1, and the token's output is the weighted sum of those
 * experts' SwiGLU MLPs, {@code w2(silu(w1 x) * w3 x)}.
 *
 * <p>HF takes a softmax over all E logits, then {@code topk}, then divides by the chosen ones' sum;
 * {@code p_i / sum_chosen p_j = exp(l_i) / sum_chosen exp(l_j)}, so this is the same function (and
 * gradient) as a softmax over the k chosen logits, which is how seemore's own {@link Routing} weights
 * its experts: the choice of experts is {@link Routing#route} without a capacity limit. The gradient
 * reaches the router through those weights only; the choice itself is a constant.
 *
 * <p>Unlike seemore's noisy router ({@link org.seemore.model.moe.Router}) there is no noise and no
 * bias, and the experts are gated (SwiGLU) instead of ReLU MLPs, so the experts run as tensor ops
 * (gather each expert's rows, its MLP, scale by the routing weight, index-add back, in expert order
 * as HF does) rather than through seemore's fused ReLU-expert op.
 */
public final class MixtralMoeBlock implements FeedForward {
    private final Tensor gate;            // (E, C)
    private final List<Expert> experts;
    private final int topK;

    /** One expert's weights: w1 and w3 (F, C), w2 (C, F). */
    record Expert(Tensor w1, Tensor w2, Tensor w3) {}

    /**
     * How a block routed N tokens (N = B*T, row b*T + t).
     *
     * @param logits  (N, E) the router logits, HF's {@code router_logits}
     * @param experts (N*k) the chosen experts, most probable first (HF's {@code topk} order)
     * @param weights (N, k) their weights, renormalised to sum to 1 per token
     */
    public record RouterOutput(Tensor logits, int[] experts, Tensor weights) {
        /** Experts chosen per token. */
        public int topK() {
            return weights.dim(1);
        }
    }

    /** Fresh weights under {@code block}'s names: {@code gate.weight}, {@code experts.e.w1/w2/w3.weight}. */
    MixtralMoeBlock(Params block, int width, int hidden, int numExperts, int topK) {
        this.gate = block.sub("gate").normal("weight", 0.02f, numExperts, width);
        List<Expert> list = new ArrayList<>();
        for (int e = 0; e < numExperts; e++) {
            Params p = block.sub("experts").sub(Integer.toString(e));
            Tensor w1 = p.sub("w1").normal("weight", 0.02f, hidden, width);
            Tensor w2 = p.sub("w2").normal("weight", 0.02f, width, hidden);
            Tensor w3 = p.sub("w3").normal("weight", 0.02f, hidden, width);
            list.add(new Expert(w1, w2, w3));
        }
        this.experts = List.copyOf(list);
        this.topK = topK;
    }

    /** The router's weights (E, C). */
    Tensor gate() {
        return gate;
    }

    /** Each expert's w1, w2, w3, in expert order. */
    List<Expert> experts() {
        return experts;
    }

    /** Experts chosen per token. */
    int topK() {
        return topK;
    }

    /** The router's choice for x (N, C): logits, the top-k experts and their renormalised weights. */
    RouterOutput route(Tensor x) {
        int n = x.dim(0), numExperts = experts.size();
        Tensor logits = Linalg.linear(x, gate, null);                                   // (N, E)
        int[] chosen = new int[n * topK];
        Routing.route(logits.data(), logits.offset(), n, numExperts, topK, Integer.MAX_VALUE,
                chosen, new float[n * topK], new boolean[n * topK], new int[numExperts]);
        Tensor weights = NnOps.softmax(Indexing.gather(logits, chosen, topK), false);   // (N, k)
        return new RouterOutput(logits, chosen, weights);
    }

    @Override
    public Result forward(Tensor x) {
        int[] shape = x.shape();
        int c = shape[shape.length - 1], n = x.size() / c, numExperts = experts.size();
        Tensor rows = Shaping.reshape(x, n, c);                                         // (N, C)
        RouterOutput routing = route(rows);
        // each expert's tokens, and the flat (token*k + j) index of its weight, in token order
        int[][] tokens = new int[numExperts][], slots = new int[numExperts][];
        int[] counts = new int[numExperts], fill = new int[numExperts];
        for (int e : routing.experts()) counts[e]++;
        for (int e = 0; e < numExperts; e++) {
            tokens[e] = new int[counts[e]];
            slots[e] = new int[counts[e]];
        }
        for (int i = 0; i < routing.experts().length; i++) {
            int e = routing.experts()[i];
            tokens[e][fill[e]] = i / topK;
            slots[e][fill[e]++] = i;
        }
        Tensor slotWeights = Shaping.reshape(routing.weights(), n * topK, 1);           // (N*k, 1)
        Tensor y = Tensor.zeros(n, c);                                                  // (N, C)
        for (int e = 0; e < numExperts; e++) {
            // an expert no token chose runs on no rows, as HF's loop does: it adds nothing and its weights get a zero gradient
            Expert w = experts.get(e);
            Tensor in = Indexing.indexSelect(rows, tokens[e]);                          // (n_e, C)
            Tensor out = FeedForward.SwiGlu.apply(in, w.w1(), w.w3(), w.w2());          // (n_e, C)
            y = Indexing.indexAdd(y, tokens[e], Elementwise.mul(out, Indexing.indexSelect(slotWeights, slots[e])));
        }
        return new Result(Shaping.reshape(y, shape), routing);
    }
}
