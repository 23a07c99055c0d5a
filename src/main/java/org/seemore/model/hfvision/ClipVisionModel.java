package org.seemore.model.hfvision;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.seemore.model.hf.VisionConfig;
import org.seemore.nn.LayerNorm;
import org.seemore.nn.Params;
import org.seemore.tensor.Shaping;
import org.seemore.tensor.Tensor;

/**
 * Hugging Face's {@code CLIPVisionModel} (OpenAI CLIP's image tower, Radford et al. 2021): the class
 * embedding, then the patches (a conv without bias), plus learned positions; {@code pre_layrnorm}
 * (sic, HF's name) before the encoder; {@code post_layernorm} on the class row only, for
 * {@code pooler_output}. {@code last_hidden_state} is the encoder's output, not normalized.
 */
public final class ClipVisionModel implements HfVisionModel {
    private final HfVisionTowerConfig config;
    private final Embeddings embeddings;
    private final LayerNorm preNorm, postNorm;
    private final Encoder encoder;
    private final Map<String, Tensor> own;

    /** A tower with fresh weights, its parameters under {@code params}' scope as {@code vision_model.*}. */
    public ClipVisionModel(HfVisionTowerConfig config, Params params) {
        VisionConfig c = config.vision();
        Embeddings.require(c, VisionConfig.Family.CLIP);
        this.config = config;
        Set<String> before = Set.copyOf(params.all().keySet());
        int d = c.hiddenSize();
        Params model = params.sub("vision_model");
        embeddings = Embeddings.create(model.sub("embeddings"), c);
        preNorm = new LayerNorm(model.sub("pre_layrnorm"), d);
        encoder = new Encoder(model.sub("encoder"), c);
        postNorm = new LayerNorm(model.sub("post_layernorm"), d);
        own = Embeddings.added(params, before);
    }

    @Override public HfVisionTowerConfig config() { return config; }
    @Override public Map<String, Tensor> parameters() { return own; }

    @Override
    public Output forward(Tensor images) {
        List<Tensor> states = hiddenStates(images, encoder.size());
        Tensor last = states.getLast();                                                  // (B, N+1, D)
        Tensor cls = Shaping.reshape(Shaping.slice(last, 1, 0, 1), last.dim(0), last.dim(2)); // (B, D)
        return new Output(last, encoder.norm(postNorm, cls), states);
    }

    @Override
    public List<Tensor> hiddenStates(Tensor images, int count) {
        return encoder.hiddenStates(encoder.norm(preNorm, embeddings.forward(images)), count); // (B, N+1, D) each
    }
}
