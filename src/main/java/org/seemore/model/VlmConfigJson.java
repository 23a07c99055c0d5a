package org.seemore.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.seemore.model.decoder.DecoderConfig;
import org.seemore.model.moe.MoeConfig;
import org.seemore.model.projector.MlpProjectorConfig;
import org.seemore.model.vision.VitConfig;
import org.seemore.model.vision.VitConfig.ImageTokens;

/**
 * config.json, and a reference dump's {@code __metadata__.config}: the one place where the JSON is
 * read and written. It is the PyTorch reference's flat format, with its names, so that its
 * checkpoints and dumps load as they are; it describes the seemore family (ViT, MLP projector, MoE
 * decoder), whose part configs it maps to and from.
 *
 * @param imageSize       img_size: input images are imageSize x imageSize RGB
 * @param patchSize       patch_size: the ViT's patch (conv kernel = stride)
 * @param visionWidth     vit_dim: ViT embedding width D
 * @param visionHeads     vit_heads: ViT attention heads
 * @param visionLayers    vit_layers: ViT blocks
 * @param width           n_embd: decoder embedding width C (the projector's output)
 * @param heads           n_head: decoder attention heads
 * @param layers          n_layer: decoder blocks
 * @param numExperts      num_experts: experts per MoE layer E
 * @param topK            top_k: experts chosen per token k
 * @param vocabSize       vocab_size: tokenizer vocabulary V
 * @param maxPositions    max_pos: decoder position table (visual + text tokens)
 * @param imageTokens     image_tokens: which ViT rows become visual tokens
 * @param auxLossCoef     aux_loss_coef: weight of the load-balancing loss
 * @param routerZLossCoef router_z_loss_coef: weight of the router z-loss; 0 turns it off
 * @param capacityFactor  capacity_factor: expert capacity as a multiple of the balanced load; 0 means dropless
 * @param dropout         dropout: dropout rate while training
 */
@JsonIgnoreProperties(ignoreUnknown = true)
record VlmConfigJson(
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

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Reads config.json strictly ({@link VlmConfigReader}); {@code vocabSizeIfAbsent} 0 makes vocab_size required. */
    static VlmConfig read(String json, int vocabSizeIfAbsent) {
        return VlmConfigReader.read(json, vocabSizeIfAbsent);
    }

    static String write(VlmConfig config) {
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(of(config));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The part configs this file describes (each validates its own values). */
    VlmConfig config() {
        VitConfig vision = new VitConfig(imageSize, patchSize, visionWidth, visionHeads, visionLayers, imageTokens);
        MoeConfig moe = new MoeConfig(numExperts, topK, capacityFactor, auxLossCoef, routerZLossCoef);
        DecoderConfig decoder = new DecoderConfig(width, heads, layers, vocabSize, maxPositions, moe);
        return new VlmConfig(vision, MlpProjectorConfig.DEFAULT, decoder, dropout);
    }

    /** The flat form of a seemore-family config; other families have no place in it. */
    static VlmConfigJson of(VlmConfig config) {
        if (!(config.vision() instanceof VitConfig v) || !MlpProjectorConfig.DEFAULT.equals(config.projector())
                || !(config.language() instanceof DecoderConfig d)) {
            throw new IllegalArgumentException("config.json's flat format describes the ViT, the default MLP projector and the MoE decoder only, not "
                    + config);
        }
        MoeConfig m = d.moe();
        return new VlmConfigJson(v.imageSize(), v.patchSize(), v.width(), v.heads(), v.layers(), d.width(), d.heads(), d.layers(),
                m.numExperts(), m.topK(), d.vocabSize(), d.maxPositions(), v.imageTokens(), m.auxLossCoef(), m.routerZLossCoef(),
                m.capacityFactor(), config.dropout());
    }
}
