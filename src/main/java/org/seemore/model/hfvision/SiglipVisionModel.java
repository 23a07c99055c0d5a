package org.seemore.model.hfvision;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.seemore.model.hf.VisionConfig;
import org.seemore.nn.LayerNorm;
import org.seemore.nn.Params;
import org.seemore.tensor.Tensor;

/**
 * Hugging Face's {@code SiglipVisionModel} (Zhai et al. 2023): patches (a conv with bias) plus learned
 * positions, no class token and no pre-norm; {@code post_layernorm} on {@code last_hidden_state}
 * (the hidden states stay unnormalized); {@code pooler_output} from the attention-pooling head,
 * which {@code vision_use_head: false} leaves out (as LLaVA's SigLIP towers do).
 */
public final class SiglipVisionModel implements HfVisionModel {
    private final HfVisionTowerConfig config;
    private final Embeddings embeddings;
    private final Encoder encoder;
    private final LayerNorm postNorm;
    private final AttentionPoolingHead head; // null without vision_use_head
    private final Map<String, Tensor> own;

    /** A tower with fresh weights, its parameters under {@code params}' scope as {@code vision_model.*}. */
    public SiglipVisionModel(HfVisionTowerConfig config, Params params) {
        VisionConfig c = config.vision();
        Embeddings.require(c, VisionConfig.Family.SIGLIP);
        this.config = config;
        Set<String> before = Set.copyOf(params.all().keySet());
        Params model = params.sub("vision_model");
        embeddings = Embeddings.create(model.sub("embeddings"), c);
        encoder = new Encoder(model.sub("encoder"), c);
        postNorm = new LayerNorm(model.sub("post_layernorm"), c.hiddenSize());
        head = c.useHead() ? new AttentionPoolingHead(model.sub("head"), c) : null;
        own = Embeddings.added(params, before);
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
        return encoder.hiddenStates(embeddings.forward(images), count);                  // (B, N, D) each
    }
}
