package org.seemore.model.hf;

/**
 * A Hugging Face ViT image tower's config: {@code CLIPVisionConfig} or {@code SiglipVisionConfig},
 * from a vision model's config.json, the {@code vision_config} of a CLIP or SigLIP dual encoder, or
 * LLaVA's {@code vision_config}. Defaults are the HF class defaults, kept per family in {@link Family}.
 *
 * <p>CLIP prepends a class token (so {@link #numPositions} is one more than {@link #numPatches}) and
 * normalizes before the encoder ({@code pre_layrnorm}); SigLIP has neither, its patch embedding has a
 * bias, and it may pool with an attention head ({@link #useHead}).
 *
 * @param useHead SigLIP's attention-pooling head ({@code vision_use_head}, true when absent); always false for CLIP
 */
public record VisionConfig(Family family, int hiddenSize, int intermediateSize, int numHiddenLayers, int numAttentionHeads,
                           int numChannels, int imageSize, int patchSize, Activation hiddenAct, double layerNormEps,
                           boolean useHead) implements HfConfig {

    /** The tower families, each with its HF config class's defaults (the one place they are written). */
    public enum Family {
        CLIP("clip_vision_model", new Defaults(768, 3072, 12, 12, 3, 224, 32, Activation.QUICK_GELU, 1e-5)),
        SIGLIP("siglip_vision_model", new Defaults(768, 3072, 12, 12, 3, 224, 16, Activation.GELU_TANH, 1e-6));

        /** {@code model_type} of the vision config. */
        public final String modelType;
        final Defaults defaults;

        Family(String modelType, Defaults defaults) {
            this.modelType = modelType;
            this.defaults = defaults;
        }
    }

    record Defaults(int hiddenSize, int intermediateSize, int numHiddenLayers, int numAttentionHeads, int numChannels,
                    int imageSize, int patchSize, Activation hiddenAct, double layerNormEps) {}

    public VisionConfig {
        if (hiddenSize % numAttentionHeads != 0) {
            throw new IllegalArgumentException("hidden_size (" + hiddenSize + ") must be a multiple of num_attention_heads (" + numAttentionHeads + ")");
        }
        if (patchSize > imageSize) throw new IllegalArgumentException("patch_size (" + patchSize + ") is larger than image_size (" + imageSize + ")");
        if (!(layerNormEps > 0)) throw new IllegalArgumentException("layer_norm_eps must be greater than 0, got " + layerNormEps);
        if (useHead && family != Family.SIGLIP) throw new IllegalArgumentException("only SigLIP towers have an attention-pooling head");
    }

    /** Patches along each side: {@code image_size / patch_size}, rounded down as the strided convolution does. */
    public int gridSize() {
        return imageSize / patchSize;
    }

    /** Patches per image. */
    public int numPatches() {
        return gridSize() * gridSize();
    }

    /** Rows of the position embedding: the patches, and CLIP's class token. */
    public int numPositions() {
        return numPatches() + (hasClassEmbedding() ? 1 : 0);
    }

    /** CLIP's learned class token, prepended to the patches. */
    public boolean hasClassEmbedding() {
        return family == Family.CLIP;
    }

    public int headDim() {
        return hiddenSize / numAttentionHeads;
    }

    /** Parses a vision config object of the given family. */
    static VisionConfig read(ConfigJson json, Family family) {
        Defaults d = family.defaults;
        try {
            return new VisionConfig(family,
                    json.positive("hidden_size", d.hiddenSize()), json.positive("intermediate_size", d.intermediateSize()),
                    json.positive("num_hidden_layers", d.numHiddenLayers()), json.positive("num_attention_heads", d.numAttentionHeads()),
                    json.positive("num_channels", d.numChannels()), json.positive("image_size", d.imageSize()),
                    json.positive("patch_size", d.patchSize()), Activation.read(json, "hidden_act", d.hiddenAct()),
                    json.positiveNumber("layer_norm_eps", d.layerNormEps()),
                    family == Family.SIGLIP && json.bool("vision_use_head", true));
        } catch (IllegalArgumentException e) {
            throw json.error(e.getMessage());
        }
    }
}
