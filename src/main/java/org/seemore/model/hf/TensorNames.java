package org.seemore.model.hf;

import java.util.ArrayList;
import java.util.List;

/**
 * The name map: from a config to the tensors its Hugging Face checkpoint holds, named and shaped as
 * transformers' {@code state_dict()} (4.45) has them. A model loads its weights by these names; the
 * layout also checks a directory before anything is loaded ({@link TensorLayout#check}).
 *
 * <p>Decoders ({@code model.} prefix): {@code embed_tokens [V, H]}; per layer two RMSNorm weights,
 * {@code q_proj [heads·head_dim, H]}, {@code k_proj} and {@code v_proj [kv_heads·head_dim, H]},
 * {@code o_proj [H, heads·head_dim]}, then the SwiGLU MLP ({@code gate_proj}, {@code up_proj [I, H]},
 * {@code down_proj [H, I]}) or Mixtral's {@code block_sparse_moe} ({@code gate [E, H]}, experts'
 * {@code w1}, {@code w3 [I, H]}, {@code w2 [H, I]}); the final {@code norm}; {@code lm_head [V, H]}
 * unless tied. Vision towers ({@code vision_model.} prefix): patch, position (and CLIP's class)
 * embeddings, CLIP's {@code pre_layrnorm}, encoder layers with biased projections, {@code post_layernorm},
 * SigLIP's pooling head. LLaVA prefixes them with {@code language_model.} and {@code vision_tower.}
 * and adds {@code multi_modal_projector.linear_1 [H_text, H_vision]} and {@code linear_2 [H_text, H_text]}.
 */
public final class TensorNames {
    /** Buffers that older transformers versions saved with the weights. */
    private static final List<String> SAVED_BUFFERS = List.of(".rotary_emb.inv_freq", ".embeddings.position_ids");
    /** What a dual encoder holds besides its vision tower. */
    private static final List<String> TEXT_TOWER = List.of("text_model.", "text_projection.", "visual_projection.", "logit_scale", "logit_bias");

    private TensorNames() {}

    /** The layout of a checkpoint of {@code config}. */
    public static TensorLayout layout(HfModelConfig config) {
        List<TensorSpec> tensors = new ArrayList<>();
        List<TensorSpec> optional = new ArrayList<>();
        switch (config.config()) {
            case DecoderConfig decoder -> decoder(decoder, "", tensors, optional);
            case VisionConfig vision -> vision(vision, "", tensors);
            case LlavaConfig llava -> {
                decoder(llava.text(), "language_model.", tensors, optional);
                vision(llava.vision(), "vision_tower.", tensors);
                projector(llava, tensors);
            }
        }
        boolean dualEncoder = config.architecture() == Architecture.CLIP || config.architecture() == Architecture.SIGLIP;
        return new TensorLayout(tensors, optional, dualEncoder ? TEXT_TOWER : List.of(), SAVED_BUFFERS);
    }

    private static void decoder(DecoderConfig c, String prefix, List<TensorSpec> out, List<TensorSpec> optional) {
        int hidden = c.hiddenSize(), q = c.numAttentionHeads() * c.headDim(), kv = c.numKeyValueHeads() * c.headDim();
        int inner = c.intermediateSize();
        String model = prefix + "model.";
        out.add(spec(model + "embed_tokens.weight", c.vocabSize(), hidden));
        for (int i = 0; i < c.numHiddenLayers(); i++) {
            String layer = model + "layers." + i + ".";
            out.add(spec(layer + "input_layernorm.weight", hidden));
            out.add(spec(layer + "post_attention_layernorm.weight", hidden));
            linear(out, layer + "self_attn.q_proj", q, hidden, c.qkvBias());
            linear(out, layer + "self_attn.k_proj", kv, hidden, c.qkvBias());
            linear(out, layer + "self_attn.v_proj", kv, hidden, c.qkvBias());
            linear(out, layer + "self_attn.o_proj", hidden, q, c.outputBias());
            if (c.moe().isPresent()) {
                String moe = layer + "block_sparse_moe.";
                out.add(spec(moe + "gate.weight", c.moe().get().numLocalExperts(), hidden));
                for (int e = 0; e < c.moe().get().numLocalExperts(); e++) {
                    String expert = moe + "experts." + e + ".";
                    out.add(spec(expert + "w1.weight", inner, hidden));
                    out.add(spec(expert + "w2.weight", hidden, inner));
                    out.add(spec(expert + "w3.weight", inner, hidden));
                }
            } else {
                linear(out, layer + "mlp.gate_proj", inner, hidden, c.mlpBias());
                linear(out, layer + "mlp.up_proj", inner, hidden, c.mlpBias());
                linear(out, layer + "mlp.down_proj", hidden, inner, c.mlpBias());
            }
        }
        out.add(spec(model + "norm.weight", hidden));
        // tied: the embeddings are the output projection; some checkpoints store a copy anyway
        (c.tieWordEmbeddings() ? optional : out).add(spec(prefix + "lm_head.weight", c.vocabSize(), hidden));
    }

    private static void vision(VisionConfig c, String prefix, List<TensorSpec> out) {
        int hidden = c.hiddenSize(), inner = c.intermediateSize(), patch = c.patchSize();
        String model = prefix + "vision_model.";
        String embeddings = model + "embeddings.";
        if (c.hasClassEmbedding()) out.add(spec(embeddings + "class_embedding", hidden));
        out.add(spec(embeddings + "patch_embedding.weight", hidden, c.numChannels(), patch, patch));
        if (c.family() == VisionConfig.Family.SIGLIP) out.add(spec(embeddings + "patch_embedding.bias", hidden));
        out.add(spec(embeddings + "position_embedding.weight", c.numPositions(), hidden));
        if (c.family() == VisionConfig.Family.CLIP) layerNorm(out, model + "pre_layrnorm", hidden);   // sic: HF's spelling
        for (int i = 0; i < c.numHiddenLayers(); i++) {
            String layer = model + "encoder.layers." + i + ".";
            for (String projection : List.of("q_proj", "k_proj", "v_proj", "out_proj")) {
                linear(out, layer + "self_attn." + projection, hidden, hidden, true);
            }
            layerNorm(out, layer + "layer_norm1", hidden);
            layerNorm(out, layer + "layer_norm2", hidden);
            linear(out, layer + "mlp.fc1", inner, hidden, true);
            linear(out, layer + "mlp.fc2", hidden, inner, true);
        }
        layerNorm(out, model + "post_layernorm", hidden);
        if (c.useHead()) {
            String head = model + "head.";
            out.add(spec(head + "probe", 1, 1, hidden));
            out.add(spec(head + "attention.in_proj_weight", 3 * hidden, hidden));   // torch MultiheadAttention: q, k, v stacked
            out.add(spec(head + "attention.in_proj_bias", 3 * hidden));
            linear(out, head + "attention.out_proj", hidden, hidden, true);
            layerNorm(out, head + "layernorm", hidden);
            linear(out, head + "mlp.fc1", inner, hidden, true);
            linear(out, head + "mlp.fc2", hidden, inner, true);
        }
    }

    private static void projector(LlavaConfig c, List<TensorSpec> out) {
        int text = c.text().hiddenSize();
        linear(out, "multi_modal_projector.linear_1", text, c.vision().hiddenSize(), c.projectorBias());
        linear(out, "multi_modal_projector.linear_2", text, text, c.projectorBias());
    }

    /** A torch Linear: {@code weight [out, in]}, {@code bias [out]}. */
    private static void linear(List<TensorSpec> out, String name, int outFeatures, int inFeatures, boolean bias) {
        out.add(spec(name + ".weight", outFeatures, inFeatures));
        if (bias) out.add(spec(name + ".bias", outFeatures));
    }

    private static void layerNorm(List<TensorSpec> out, String name, int width) {
        out.add(spec(name + ".weight", width));
        out.add(spec(name + ".bias", width));
    }

    private static TensorSpec spec(String name, int... shape) {
        return new TensorSpec(name, shape);
    }
}
