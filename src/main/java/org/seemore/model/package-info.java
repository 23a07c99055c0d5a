/**
 * A vision-language model as three parts behind small interfaces, as nanoVLM's vision, projector
 * and language-model files: a {@link org.seemore.model.VisionTower} (images to feature rows), a
 * {@link org.seemore.model.Projector} (rows to visual tokens) and a
 * {@link org.seemore.model.LanguageModel} (visual tokens and text to logits: a trainable forward and
 * KV-cached decoding). {@link org.seemore.model.Vlm} composes them; each is built from its own
 * config record, and {@link org.seemore.model.VlmConfig} holds the three. A new family (a CLIP
 * tower, a Llama model) is one new implementation of one interface and its config.
 *
 * <p>The seemore family: the ViT ({@code vision/}), the MLP projector ({@code projector/}) and the
 * character-level decoder ({@code decoder/}) whose blocks are sparse mixtures of experts
 * ({@code moe/}); {@link org.seemore.model.Presets} names its sizes; config.json is its flat
 * reference format ({@code VlmConfigJson}); {@link org.seemore.model.ModelDirectory} saves and loads it.
 *
 * <p>Hugging Face families, under their checkpoint names ({@code hf/} reads configs and names): CLIP
 * and SigLIP towers ({@code hfvision/}), Llama and Qwen2 decoders ({@code llama/}), and LLaVA
 * composing them ({@code llava/}).
 *
 * <p>Dimensions in shape comments: B batch, S image side, N patches per image, D vision width,
 * Nv visual tokens per image, T text tokens, L = Nv + T positions, C language-model width,
 * V vocabulary, H heads, hd head width, E experts, k experts per token, N (in {@code moe/}) routed rows.
 */
package org.seemore.model;
