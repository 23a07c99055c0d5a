package org.seemore.model.hfvision;

import org.seemore.model.hf.VisionConfig;
import org.seemore.nn.LayerNorm;
import org.seemore.nn.Linear;
import org.seemore.nn.Params;
import org.seemore.tensor.Elementwise;
import org.seemore.tensor.FusedAttention;
import org.seemore.tensor.Indexing;
import org.seemore.tensor.Linalg;
import org.seemore.tensor.NnOps;
import org.seemore.tensor.Shaping;
import org.seemore.tensor.Tensor;

/**
 * SigLIP's {@code SiglipMultiheadAttentionPoolingHead}: the learned {@code probe} attends to every
 * row through a {@code torch.nn.MultiheadAttention} ({@code in_proj_weight} (3D, D) packs the q, k
 * and v projections, {@code in_proj_bias} their biases, then {@code out_proj}), and
 * {@code h = attn + mlp(layernorm(attn))}: the residual is the attention output, not the probe.
 */
final class AttentionPoolingHead {
    private final Tensor probe;         // (1, 1, D)
    private final Tensor inProjWeight;  // (3D, D)
    private final Tensor inProjBias;    // (3D)
    private final Linear outProj;
    private final LayerNorm norm;
    private final Encoder.FeedForward mlp;
    private final int width, heads;
    private final float eps;

    AttentionPoolingHead(Params p, VisionConfig c) {
        width = c.hiddenSize();
        heads = c.numAttentionHeads();
        eps = (float) c.layerNormEps();
        probe = p.normal("probe", 0.02f, 1, 1, width);
        Params attention = p.sub("attention");
        inProjWeight = attention.normal("in_proj_weight", 0.02f, 3 * width, width);
        inProjBias = attention.zeros("in_proj_bias", 3 * width);
        outProj = new Linear(attention.sub("out_proj"), width, width, true);
        norm = new LayerNorm(p.sub("layernorm"), width);
        mlp = new Encoder.FeedForward(p.sub("mlp"), width, c.intermediateSize(), c.hiddenAct());
    }

    /** last_hidden_state (B, N, D) -> pooled (B, D). */
    Tensor forward(Tensor hidden) {
        int b = hidden.dim(0);
        Tensor query = Indexing.indexSelect(probe, new int[b]);                        // (B, 1, D), the probe repeated
        Tensor q = Linalg.linear(query, rows(inProjWeight, 0), rows(inProjBias, 0));     // (B, 1, D)
        Tensor k = Linalg.linear(hidden, rows(inProjWeight, 1), rows(inProjBias, 1));    // (B, N, D)
        Tensor v = Linalg.linear(hidden, rows(inProjWeight, 2), rows(inProjBias, 2));    // (B, N, D)
        Tensor attn = outProj.forward(FusedAttention.attention(q, k, v, heads, heads, false, null)); // (B, 1, D)
        Tensor h = Elementwise.add(attn, mlp.forward(NnOps.layerNorm(attn, norm.weight, norm.bias, eps)));
        return Shaping.reshape(h, b, width);                                             // (B, D): token 0
    }

    /** The q (0), k (1) or v (2) block of the packed projection. */
    private Tensor rows(Tensor packed, int block) {
        return Shaping.sliceRows(packed, block * width, width);
    }
}
