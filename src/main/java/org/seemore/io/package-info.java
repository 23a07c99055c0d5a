/**
 * Reading and writing tensors in the safetensors format: {@link org.seemore.io.SafetensorsFile}
 * (memory-mapped as a {@code MemorySegment}, no size limit, validated reader),
 * {@link org.seemore.io.SafetensorsCheckpoint} (a Hugging Face directory's weights: one file, or
 * shards listed by {@code model.safetensors.index.json}), {@link org.seemore.io.Safetensors} (writer,
 * with an atomic variant for checkpoints) and {@link org.seemore.io.StoredTensor} (one named tensor
 * and its raw bytes, a zero-copy view; F32, BF16 and F16 read as floats, 16-bit kept as bits or
 * widened by rows). Every malformed file is a {@link org.seemore.UserException} naming the file and tensor.
 */
package org.seemore.io;
