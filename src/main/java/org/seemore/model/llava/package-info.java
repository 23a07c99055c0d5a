/**
 * Hugging Face's {@code LlavaForConditionalGeneration} in float32 under its checkpoint names
 * ({@link org.seemore.model.llava.LlavaModel}): a CLIP or SigLIP tower
 * ({@code org.seemore.model.hfvision}), the two-layer {@link org.seemore.model.llava.LlavaProjector}
 * and a Llama or Qwen2 decoder ({@code org.seemore.model.llama}), image features scattered into the
 * prompt's expanded image tokens; the forward with autodiff, LLaVA's loss, KV-cached greedy generation.
 *
 * <p>Legend: B sequences, T prompt positions, I images, Nv feature rows per image, D the tower's
 * width, C the language model's width, V the vocabulary.
 */
package org.seemore.model.llava;
