/**
 * Hugging Face's dense decoders, {@code LlamaForCausalLM} and {@code Qwen2ForCausalLM}, in float32
 * under their checkpoint names: the model with autodiff ({@link org.seemore.model.llama.LlamaModel}),
 * KV-cached greedy generation ({@link org.seemore.model.llama.GreedyDecoder}) and the
 * {@link org.seemore.model.LanguageModel} a vision-language model composes
 * ({@link org.seemore.model.llama.LlamaLanguageModel}).
 */
package org.seemore.model.llama;
