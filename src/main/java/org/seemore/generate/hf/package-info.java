/**
 * Generation with a Hugging Face model directory: {@link org.seemore.generate.hf.HfSession} opens the
 * directory (tokenizer, chat template, image processor, generation config, model), renders a
 * conversation of {@link org.seemore.generate.hf.Turn}s through the chat template, expands image tokens,
 * generates and streams the reply text. A model family plugs in as an
 * {@link org.seemore.generate.hf.HfLanguageModel}, chosen by {@link org.seemore.generate.hf.HfModels#load}.
 */
package org.seemore.generate.hf;
