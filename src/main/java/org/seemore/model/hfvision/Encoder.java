package org.seemore.model.hfvision;

import java.util.ArrayList;
import java.util.List;
import org.seemore.model.hf.Activation;
import org.seemore.model.hf.VisionConfig;
import org.seemore.nn.LayerNorm;
import org.seemore.nn.Linear;
import org.seemore.nn.Params;
import org.seemore.tensor.Elementwise;
import org.seemore.tensor.FusedAttention;
import org.seemore.tensor.NnOps;
import org.seemore.tensor.Tensor;

/**
 * The encoder CLIP and SigLIP share ({@code CLIPEncoder}, {@code SiglipEncoder}): pre-LN layers,
 * each {@code h + out_proj(attn(layer_norm1(h)))} then {@code h + fc2(act(fc1(layer_norm2(h))))},
 * with biased q, k, v and output projections and non-causal multi-head attention over every row.
 */
final class Encoder {
    private final List<Layer> layers = new ArrayList<>();
    private final int heads;
    private final float eps;

    /** The two-layer MLP of a layer and of SigLIP's head: {@code fc2(act(fc1(x)))}. */
    record FeedForward(Linear fc1, Linear fc2, Activation act) {
        FeedForward(Params p, int width, int inner, Activation act) {
            this(new Linear(p.sub("fc1"), width, inner, true), new Linear(p.sub("fc2"), inner, width, true), act);
        }

        Tensor forward(Tensor x) {
            return fc2.forward(ActivationOps.apply(act, fc1.forward(x))); // (..., D) -> (..., I) -> (..., D)
        }
    }

    /** One encoder layer's parameters. */
    record Layer(LayerNorm norm1, Linear q, Linear k, Linear v, Linear out, LayerNorm norm2, FeedForward mlp) {}

    /** Layers {@code layers.0 ..} under {@code p} (the {@code encoder} scope). */
    Encoder(Params p, VisionConfig c) {
        this.heads = c.numAttentionHeads();
        this.eps = (float) c.layerNormEps();
        int d = c.hiddenSize();
        for (int i = 0; i < c.numHiddenLayers(); i++) {
            Params l = p.sub("layers").sub(Integer.toString(i)), a = l.sub("self_attn");
            layers.add(new Layer(new LayerNorm(l.sub("layer_norm1"), d),
                    new Linear(a.sub("q_proj"), d, d, true), new Linear(a.sub("k_proj"), d, d, true),
                    new Linear(a.sub("v_proj"), d, d, true), new Linear(a.sub("out_proj"), d, d, true),
                    new LayerNorm(l.sub("layer_norm2"), d), new FeedForward(l.sub("mlp"), d, c.intermediateSize(), c.hiddenAct())));
        }
    }

    int size() {
        return layers.size();
    }

    /** LayerNorm with the config's eps (nn.LayerNorm's own eps is seemore's 1e-5). */
    Tensor norm(LayerNorm norm, Tensor x) {
        return NnOps.layerNorm(x, norm.weight, norm.bias, eps);
    }

    /** HF's hidden states from {@code input} (B, N, D): the input itself, then the outputs of the first {@code count} layers. */
    List<Tensor> hiddenStates(Tensor input, int count) {
        List<Tensor> states = new ArrayList<>();
        states.add(input);
        for (int i = 0; i < count; i++) states.add(layer(layers.get(i), states.getLast()));
        return states;
    }

    private Tensor layer(Layer l, Tensor x) {
        Tensor a = norm(l.norm1(), x);                                                   // (B, N, D)
        Tensor y = FusedAttention.attention(l.q().forward(a), l.k().forward(a), l.v().forward(a), heads, heads, false, null);
        x = Elementwise.add(x, l.out().forward(y));
        return Elementwise.add(x, l.mlp().forward(norm(l.norm2(), x)));                  // (B, N, D)
    }
}
