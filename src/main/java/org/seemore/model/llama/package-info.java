/**
 * Hugging Face's decoders, {@code LlamaForCausalLM}, {@code Qwen2ForCausalLM} and
 * {@code MixtralForCausalLM}, in float32 under their checkpoint names: the model with autodiff
 * ({@link org.seemore.model.llama.LlamaModel}), whose layers end in a dense SwiGLU MLP or Mixtral's
 * routed experts ({@link org.seemore.model.llama.MixtralMoeBlock}, with HF's load-balancing loss),
 * KV-cached greedy generation through the tensor ops ({@link org.seemore.model.llama.GreedyDecoder}, the
 * reference), the inference path off the autodiff graph
 * ({@link org.seemore.model.llama.FastDecoder} over {@link org.seemore.model.llama.LlamaWeights},
 * float32 or bfloat16, Mixtral's experts each run once on the rows routed to them) and the
 * {@link org.seemore.model.LanguageModel} a vision-language model composes
 * ({@link org.seemore.model.llama.LlamaLanguageModel}).
 *
 * <p>Legend: B batch, T positions, C hidden width, V vocabulary, N = B*T tokens, E experts, k experts
 * per token, F an MLP's (or each expert's) inner width.
 */
package org.seemore.model.llama;
