/**
 * Text to token ids and back. {@link org.seemore.data.text.CharTokenizer} is the character-level tokenizer
 * of the original seemore and makemore: one token per Unicode code point seen in the training text, after
 * four special tokens ({@code <pad>}=0, {@code <bos>}=1, {@code <eos>}=2, {@code <unk>}=3).
 */
package org.seemore.data.text;
