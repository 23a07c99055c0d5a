/**
 * The seemore vision-language model: configuration and presets, the ViT vision encoder, the
 * projector, the sparse-MoE decoder, the composed {@link org.seemore.model.Vlm}, and model
 * directories on disk. Reads top-down like nanoGPT: config, then the pieces in dependency order.
 */
package org.seemore.model;
