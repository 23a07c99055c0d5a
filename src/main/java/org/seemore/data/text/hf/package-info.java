/**
 * Hugging Face {@code tokenizer.json} tokenizers with a BPE model, written from the tokenizers library's
 * behaviour: {@link org.seemore.data.text.hf.HfTokenizer} runs the pipeline (added tokens, normalizer,
 * pre-tokenizer, BPE, post-processor; decoder on the way back), each stage a small interface
 * ({@code Normalizer}, {@code PreTokenizer}, {@code Decoder}, {@code PostProcessor}) whose {@code parse}
 * reads its JSON and names the supported types when a file uses another.
 */
package org.seemore.data.text.hf;
