/**
 * The character-level decoder-only language model with MoE blocks ({@link org.seemore.model.decoder.Decoder}),
 * its config, and its KV-cached decoding ({@code DecodeState}): the full pass, the prefill and the
 * one-position step all run the blocks' one {@link org.seemore.nn.TransformerBlock#forward}.
 */
package org.seemore.model.decoder;
