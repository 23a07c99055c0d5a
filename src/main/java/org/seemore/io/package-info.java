/**
 * Reading and writing tensors in the safetensors format: {@link org.seemore.io.SafetensorsFile}
 * (memory-mapped, validated reader), {@link org.seemore.io.Safetensors} (writer, with an atomic
 * variant for checkpoints) and {@link org.seemore.io.StoredTensor} (one named tensor and its raw
 * bytes). Every malformed file is a {@link org.seemore.UserException} naming the file and tensor.
 */
package org.seemore.io;
