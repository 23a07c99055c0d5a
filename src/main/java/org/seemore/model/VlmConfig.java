package org.seemore.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Locale;

/**
 * The whole model's hyper-parameters, immutable and validated. JSON names are those of the PyTorch
 * reference's {@code __metadata__.config} so that its checkpoints and dumps load as they are.
 *
 * @param imageSize       input images are imageSize x imageSize RGB
 * @param patchSize       the ViT's patch (conv kernel = stride)
 * @param visionWidth     ViT embedding width D
 * @param visionHeads     ViT attention heads
 * @param visionLayers    ViT blocks
 * @param width           decoder embedding width C (the projector's output)
 * @param heads           decoder attention heads
 * @param layers          decoder blocks
 * @param numExperts      experts per MoE layer E
 * @param topK            experts chosen per token k
 * @param vocabSize       tokenizer vocabulary V
 * @param maxPositions    decoder position table (visual + text tokens)
 * @param imageTokens     which ViT rows become visual tokens
 * @param auxLossCoef     weight of the load-balancing loss
 * @param routerZLossCoef weight of the router z-loss (ST-MoE, Zoph et al. 2022); 0 turns it off
 * @param capacityFactor  expert capacity as a multiple of the balanced load; 0 means dropless
 * @param dropout         dropout rate while training
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record VlmConfig(
        @JsonProperty("img_size") int imageSize,
        @JsonProperty("patch_size") int patchSize,
        @JsonProperty("vit_dim") int visionWidth,
        @JsonProperty("vit_heads") int visionHeads,
        @JsonProperty("vit_layers") int visionLayers,
        @JsonProperty("n_embd") int width,
        @JsonProperty("n_head") int heads,
        @JsonProperty("n_layer") int layers,
        @JsonProperty("num_experts") int numExperts,
        @JsonProperty("top_k") int topK,
        @JsonProperty("vocab_size") int vocabSize,
        @JsonProperty("max_pos") int maxPositions,
        @JsonProperty("image_tokens") ImageTokens imageTokens,
        @JsonProperty("aux_loss_coef") double auxLossCoef,
        @JsonProperty("router_z_loss_coef") double routerZLossCoef,
        @JsonProperty("capacity_factor") double capacityFactor,
        @JsonProperty("dropout") double dropout) {

    /** Which rows of the vision encoder's output become the decoder's visual tokens. */
    public enum ImageTokens {
        /** Row 0, the CLS token: one visual token (the original seemore). */
        CLS,
        /** Every patch row (as LLaVA does). */
        PATCHES;

        @JsonValue
        public String json() { return name().toLowerCase(Locale.ROOT); }

        @com.fasterxml.jackson.annotation.JsonCreator
        public static ImageTokens parse(String s) {
            return switch (s.toLowerCase(Locale.ROOT)) {
                case "cls" -> CLS;
                case "patches" -> PATCHES;
                default -> throw new IllegalArgumentException("image_tokens must be \"cls\" or \"patches\", got \"" + s + "\"");
            };
        }
    }

    public VlmConfig {
        positive("img_size", imageSize);
        positive("patch_size", patchSize);
        positive("vit_dim", visionWidth);
        positive("vit_heads", visionHeads);
        positive("vit_layers", visionLayers);
        positive("n_embd", width);
        positive("n_head", heads);
        positive("n_layer", layers);
        positive("num_experts", numExperts);
        positive("top_k", topK);
        positive("vocab_size", vocabSize);
        positive("max_pos", maxPositions);
        if (imageSize % patchSize != 0) throw new IllegalArgumentException("img_size " + imageSize + " must be a multiple of patch_size " + patchSize);
        if (visionWidth % visionHeads != 0) throw new IllegalArgumentException("vit_dim " + visionWidth + " must be divisible by vit_heads " + visionHeads);
        if (width % heads != 0) throw new IllegalArgumentException("n_embd " + width + " must be divisible by n_head " + heads);
        if (topK > numExperts) throw new IllegalArgumentException("top_k " + topK + " must not exceed num_experts " + numExperts);
        if (imageTokens == null) throw new IllegalArgumentException("image_tokens must be \"cls\" or \"patches\"");
        if (auxLossCoef < 0 || routerZLossCoef < 0) throw new IllegalArgumentException("loss coefficients must be >= 0");
        if (capacityFactor < 0) throw new IllegalArgumentException("capacity_factor must be >= 0 (0 = dropless)");
        if (dropout < 0 || dropout >= 1) throw new IllegalArgumentException("dropout must be in [0, 1), got " + dropout);
        checkTensorSizes(imageSize, patchSize, visionWidth, width, vocabSize, maxPositions);
        if (visualTokens(imageSize, patchSize, imageTokens) >= maxPositions) {
            throw new IllegalArgumentException("max_pos " + maxPositions + " leaves no room for text after the visual tokens");
        }
    }

    private static void positive(String name, int v) {
        if (v <= 0) throw new IllegalArgumentException(name + " must be positive, got " + v);
    }

    /** The most numbers one tensor holds: its values are one Java array. */
    private static final long MAX_TENSOR = Integer.MAX_VALUE;

    /**
     * Refuses a config with a parameter too large for one array before anything is allocated, naming
     * the settings that make it so (n_embd 1000000 would otherwise fail deep in the model's
     * construction). How much memory the whole model needs is {@link MemoryEstimate}'s question.
     */
    private static void checkTensorSizes(int imageSize, int patchSize, int visionWidth, int width, int vocabSize, int maxPositions) {
        long grid = imageSize / patchSize, d = visionWidth, c = width;
        fits("img_size " + imageSize + " with patch_size " + patchSize + " makes the vision position table", grid * grid + 1, d);
        fits("patch_size " + patchSize + " makes the patch embedding", d, 3L * patchSize * patchSize);
        fits("vit_dim " + visionWidth + " makes each vision MLP weight", 4 * d, d);
        fits("n_embd " + width + " makes each expert's weight", 4 * c, c);
        fits("vit_dim " + visionWidth + " with n_embd " + width + " makes the projector's weight", c, 4 * d);
        fits("vocab_size " + vocabSize + " makes the token embedding", vocabSize, c);
        fits("max_pos " + maxPositions + " makes the position table", maxPositions, c);
    }

    private static void fits(String what, long rows, long cols) {
        if (rows > MAX_TENSOR || cols > MAX_TENSOR || rows * cols > MAX_TENSOR) {
            throw new IllegalArgumentException(what + " " + rows + " x " + cols + ", more numbers than the "
                    + MAX_TENSOR + " a tensor holds");
        }
    }

    private static int visualTokens(int imageSize, int patchSize, ImageTokens tokens) {
        int grid = imageSize / patchSize;
        return tokens == ImageTokens.CLS ? 1 : grid * grid;
    }

    /** Patches per image, N = (img_size / patch_size)^2. */
    public int numPatches() {
        int grid = imageSize / patchSize;
        return grid * grid;
    }

    /** Visual tokens per image in the decoder's sequence, Nv. */
    public int numVisualTokens() {
        return visualTokens(imageSize, patchSize, imageTokens);
    }

    /** The longest text (in tokens) that fits the position table after the visual tokens. */
    public int maxTextTokens() {
        return maxPositions - numVisualTokens();
    }

    public VlmConfig withVocabSize(int v) {
        return new VlmConfig(imageSize, patchSize, visionWidth, visionHeads, visionLayers, width, heads, layers,
                numExperts, topK, v, maxPositions, imageTokens, auxLossCoef, routerZLossCoef, capacityFactor, dropout);
    }

    public VlmConfig withDropout(double d) {
        return new VlmConfig(imageSize, patchSize, visionWidth, visionHeads, visionLayers, width, heads, layers,
                numExperts, topK, vocabSize, maxPositions, imageTokens, auxLossCoef, routerZLossCoef, capacityFactor, d);
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Reads a config strictly (see {@link VlmConfigReader}); IllegalArgumentException names the key and value. */
    public static VlmConfig fromJson(String json) {
        return VlmConfigReader.read(json, 0);
    }

    /** As {@link #fromJson(String)}, with {@code vocab_size} optional: a training config, whose tokenizer decides it. */
    public static VlmConfig fromJson(String json, int vocabSizeIfAbsent) {
        return VlmConfigReader.read(json, vocabSizeIfAbsent);
    }

    public String toJson() {
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(this);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
