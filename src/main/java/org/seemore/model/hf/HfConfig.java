package org.seemore.model.hf;

/** A parsed Hugging Face model config: a decoder, a vision tower, or a LLaVA model combining both. */
public sealed interface HfConfig permits DecoderConfig, VisionConfig, LlavaConfig {}
