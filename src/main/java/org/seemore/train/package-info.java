/**
 * Training: sequence encoding and batching (with a prefetching data thread), the one
 * {@link org.seemore.train.TrainingStep} (forward/backward over the micro-batches, clipping, AdamW)
 * that training, the benchmark and the parity check all run, the learning-rate schedule, stages
 * (lm, projector, finetune, full), settings with their defaults, evaluation, atomic checkpoints with
 * resumable training state, and metrics.
 */
package org.seemore.train;
