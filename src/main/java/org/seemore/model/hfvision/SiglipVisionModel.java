package org.seemore.model.hfvision;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.seemore.model.hf.VisionConfig;
import org.seemore.nn.LayerNorm;
import org.seemore.nn.Params;
import org.seemore.tensor.Elementwise;
import org.seemore.tensor.Shaping;
import org.seemore.tensor.Tensor;

/**
 * Hugging Face's {@code SiglipVisionModel} (Zhai et al. 2023): patches (a conv with bias) plus learned
 * positions, no class token and no pre-norm; {@code post_layernorm} on {@code last_hidden_state}
 * (the hidden states stay unnormalized); {@code pooler_output} from the attention-pooling head,
 * which {@code vision_use_head: false} leaves out (as LLaVA's SigLIP towers do).
 */
public final class SiglipVisionModel implements HfVisionModel {
    private final HfVisionTowerConfig config;
    private final PatchEmbedding patches;
    private final Tensor positionEmbedding;  // (N, D)
    private final Encoder encoder;
    private final LayerNorm postNorm;
    private final AttentionPoolingHead head; // null without vision_use_head
    private final Map<String, Tensor> own;

    /** A tower with fresh weights, its parameters under {@code params}' scope as {@code vision_model.*}. */
    public SiglipVisionModel(HfVisionTowerConfig config, Params params) {
        VisionConfig c = config.vision();
        if (c.family() != VisionConfig.Family.SIGLIP) throw new IllegalArgumentException("a " + c.family() + " config is not a SigLIP tower");
        this.config = config;
        Set<String> before = Set.copyOf(params.all().keySet());
        int d = c.hiddenSize();
        Params model = params.sub("vision_model"), embeddings = model.sub("embeddings");
        patches = PatchEmbedding.create(embeddings.sub("patch_embedding"), c, true);
        positionEmbedding = embeddings.sub("position_embedding").normal("weight", 0.02f, c.numPositions(), d);
        encoder = new Encoder(model.sub("encoder"), c);
        postNorm = new LayerNorm(model.sub("post_layernorm"), d);
        head = c.useHead() ? new AttentionPoolingHead(model.sub("head"), c) : null;
        own = PatchEmbedding.added(params, before);
    }

    @Override public HfVisionTowerConfig config() { return config; }
    @Override public Map<String, Tensor> parameters() { return own; }

    @Override
    public Output forward(Tensor images) {
        List<Tensor> states = hiddenStates(images, encoder.size());
        Tensor last = encoder.norm(postNorm, states.getLast());                          // (B, N, D)
        return new Output(last, head == null ? null : head.forward(last), states);
    }

    @Override
    public List<Tensor> hiddenStates(Tensor images, int count) {
        Tensor x = patches.forward(images);                                              // (B, N, D)
        x = Elementwise.add(x, Shaping.reshape(positionEmbedding, 1, x.dim(1), x.dim(2)));
        List<Tensor> states = new ArrayList<>();
        states.add(x);
        encoder.run(x, count, states);
        return states;
    }
}
