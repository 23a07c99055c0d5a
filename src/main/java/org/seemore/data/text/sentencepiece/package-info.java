/**
 * SentencePiece {@code tokenizer.model} files: {@link org.seemore.data.text.sentencepiece.SentencePieceModel}
 * reads the ModelProto protobuf without a protobuf library, and
 * {@link org.seemore.data.text.sentencepiece.SentencePieceTokenizer} encodes and decodes as transformers'
 * slow {@code LlamaTokenizer} does (Llama 2, TinyLlama).
 */
package org.seemore.data.text.sentencepiece;
