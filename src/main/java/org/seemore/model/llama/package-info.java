/**
 * Hugging Face's dense decoders, {@code LlamaForCausalLM} and {@code Qwen2ForCausalLM}, in float32
 * under their checkpoint names: the model with autodiff ({@link org.seemore.model.llama.LlamaModel}),
 * KV-cached greedy generation through the tensor ops ({@link org.seemore.model.llama.GreedyDecoder}, the
 * reference), the inference path off the autodiff graph ({@link org.seemore.model.llama.FastDecoder} over
 * {@link org.seemore.model.llama.LlamaWeights}, float32 or bfloat16) and the
 * {@link org.seemore.model.LanguageModel} a vision-language model composes
 * ({@link org.seemore.model.llama.LlamaLanguageModel}).
 */
package org.seemore.model.llama;
