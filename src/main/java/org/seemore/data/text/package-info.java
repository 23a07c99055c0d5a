/**
 * Text to token ids and back. {@link org.seemore.data.text.Tokenizer} is what every tokenizer offers
 * (encode, decode, vocabulary size, special ids); {@link org.seemore.data.text.Tokenizers#load} picks the
 * one in a model directory.
 *
 * <ul>
 *   <li>{@link org.seemore.data.text.CharTokenizer}: the character-level tokenizer of the original seemore
 *       and makemore: one token per Unicode code point seen in the training text, after four special
 *       tokens ({@code <pad>}=0, {@code <bos>}=1, {@code <eos>}=2, {@code <unk>}=3).</li>
 *   <li>{@link org.seemore.data.text.hf}: Hugging Face {@code tokenizer.json} files with a BPE model
 *       (GPT-2, Llama 2/3, Qwen2, SmolLM2, TinyLlama).</li>
 *   <li>{@link org.seemore.data.text.sentencepiece}: SentencePiece {@code tokenizer.model} files (BPE).</li>
 *   <li>{@link org.seemore.data.text.chat}: chat templates, the Jinja programs that turn a conversation
 *       into a model's prompt text.</li>
 * </ul>
 * {@link org.seemore.data.text.TokenizerConfig} reads {@code tokenizer_config.json}, which both Hugging Face
 * kinds and the chat templates use.
 */
package org.seemore.data.text;
