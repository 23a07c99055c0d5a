package org.seemore.model.hf;

import java.util.Map;

/**
 * {@code LlavaForConditionalGeneration}'s config: a vision tower ({@code vision_config}, CLIP or
 * SigLIP), a decoder ({@code text_config}, Llama, Qwen2 or Mixtral) and the projector between them.
 * Absent keys take {@code LlavaConfig}'s defaults; the nested configs take their own classes'
 * defaults, with {@code model_type} defaulting to {@code clip_vision_model} and {@code llama}. An
 * absent {@code vision_config} is LLaVA-1.5's CLIP ViT-L/14-336 tower, an absent {@code text_config}
 * a default {@code LlamaConfig}, as transformers builds them.
 *
 * @param visionFeatureLayer           index into the tower's hidden states (0 = embeddings, -1 = last layer's output)
 * @param visionFeatureSelectStrategy  DEFAULT drops the first (CLS) row of the features, FULL keeps every row
 * @param imageTokenIndex              the token id each image feature row replaces ({@code image_token_index}, or {@code image_token_id})
 * @param imageSeqLength               image tokens per image in the expanded prompt
 * @param projectorBias                both projector layers have a bias ({@code multimodal_projector_bias}, true when absent)
 */
public record LlavaConfig(VisionConfig vision, DecoderConfig text, int visionFeatureLayer, SelectStrategy visionFeatureSelectStrategy,
                          Activation projectorHiddenAct, int imageTokenIndex, int imageSeqLength, int ignoreIndex,
                          boolean projectorBias) implements HfConfig {
    /** What LLaVA keeps of the selected hidden state. */
    public enum SelectStrategy { DEFAULT, FULL }

    /** LlavaConfig's own defaults (transformers 4.45). */
    static final int DEFAULT_FEATURE_LAYER = -2, DEFAULT_IMAGE_TOKEN = 32000, DEFAULT_IMAGE_SEQ_LENGTH = 576, DEFAULT_IGNORE_INDEX = -100;

    /** The tower transformers builds when {@code vision_config} is absent (LLaVA-1.5's CLIP ViT-L/14 at 336 pixels). */
    static final Map<String, Integer> DEFAULT_VISION = Map.of("intermediate_size", 4096, "hidden_size", 1024, "patch_size", 14,
            "image_size", 336, "num_hidden_layers", 24, "num_attention_heads", 16);

    public LlavaConfig {
        int states = vision.numHiddenLayers() + 1;   // the embeddings, then each layer's output
        if (visionFeatureLayer < -states || visionFeatureLayer >= states) {
            throw new IllegalArgumentException("vision_feature_layer " + visionFeatureLayer + " is outside the tower's " + states
                    + " hidden states (" + -states + " to " + (states - 1) + ")");
        }
        if (imageTokenIndex < 0 || imageTokenIndex >= text.vocabSize()) {
            throw new IllegalArgumentException("image_token_index " + imageTokenIndex + " is not a token of text_config's vocabulary of "
                    + text.vocabSize());
        }
        if (imageSeqLength <= 0) throw new IllegalArgumentException("image_seq_length must be positive, got " + imageSeqLength);
    }

    /** The output projection is tied to the embeddings, as the language model's config says. */
    public boolean tieWordEmbeddings() {
        return text.tieWordEmbeddings();
    }

    /** Feature rows per image the projector receives: the tower's positions, less the CLS row for DEFAULT. */
    public int featureRows() {
        return vision.numPositions() - (visionFeatureSelectStrategy == SelectStrategy.DEFAULT ? 1 : 0);
    }

    /** Parses a LLaVA config.json. */
    static LlavaConfig read(ConfigJson json) {
        VisionConfig vision = json.child("vision_config").map(LlavaConfig::readVision).orElseGet(() -> defaultVision(json));
        DecoderConfig text = json.child("text_config").map(LlavaConfig::readText)
                .orElseGet(() -> DecoderConfig.read(json.absent("text_config", Map.of()), DecoderConfig.Family.LLAMA));
        if (json.has("vision_feature_layer") && json.node().get("vision_feature_layer").isArray()) {
            throw json.error("vision_feature_layer", "a list of layers is not supported (one layer index, such as -2)");
        }
        String strategy = json.string("vision_feature_select_strategy", "default");
        SelectStrategy select = switch (strategy) {
            case "default" -> SelectStrategy.DEFAULT;
            case "full" -> SelectStrategy.FULL;
            default -> throw json.error("vision_feature_select_strategy", "\"" + strategy + "\" is neither \"default\" nor \"full\"");
        };
        String tokenKey = json.has("image_token_index") || !json.has("image_token_id") ? "image_token_index" : "image_token_id";
        try {
            return new LlavaConfig(vision, text, json.integer("vision_feature_layer", DEFAULT_FEATURE_LAYER), select,
                    Activation.read(json, "projector_hidden_act", Activation.GELU), json.integer(tokenKey, DEFAULT_IMAGE_TOKEN),
                    json.integer("image_seq_length", DEFAULT_IMAGE_SEQ_LENGTH), json.integer("ignore_index", DEFAULT_IGNORE_INDEX),
                    json.bool("multimodal_projector_bias", true));
        } catch (IllegalArgumentException e) {
            throw json.error(e.getMessage());
        }
    }

    private static VisionConfig readVision(ConfigJson json) {
        String type = json.string("model_type", VisionConfig.Family.CLIP.modelType);
        for (VisionConfig.Family family : VisionConfig.Family.values()) {
            if (family.modelType.equals(type)) return VisionConfig.read(json, family);
        }
        throw json.error("model_type", "\"" + type + "\" is not a vision tower seemore reads (clip_vision_model, siglip_vision_model)");
    }

    private static DecoderConfig readText(ConfigJson json) {
        String type = json.string("model_type", DecoderConfig.Family.LLAMA.modelType);
        for (DecoderConfig.Family family : DecoderConfig.Family.values()) {
            if (family.modelType.equals(type)) return DecoderConfig.read(json, family);
        }
        throw json.error("model_type", "\"" + type + "\" is not a language model seemore reads (llama, qwen2, mixtral)");
    }

    private static VisionConfig defaultVision(ConfigJson json) {
        return VisionConfig.read(json.absent("vision_config", DEFAULT_VISION), VisionConfig.Family.CLIP);
    }
}
