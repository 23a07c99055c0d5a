/**
 * Hugging Face checkpoints at the edge: config records for the model classes seemore reads
 * ({@link org.seemore.model.hf.DecoderConfig} for Llama, Qwen2 and Mixtral,
 * {@link org.seemore.model.hf.VisionConfig} for CLIP and SigLIP towers,
 * {@link org.seemore.model.hf.LlavaConfig}, {@link org.seemore.model.hf.GenerationConfig}), each with
 * the HF class defaults in one place, and the name map ({@link org.seemore.model.hf.TensorNames})
 * from a config to the tensors its checkpoint holds. {@link org.seemore.model.hf.HfModelDirectory}
 * opens a directory and checks it against the map, so the model code never sees a file format or an
 * HF name it was not told about. Files are read by {@code org.seemore.io}; nothing here depends on
 * the CLI or training.
 */
package org.seemore.model.hf;
