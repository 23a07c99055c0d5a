/**
 * Training: sequence encoding and batching (with a prefetching data thread), AdamW, the learning-rate
 * schedule, stages (lm, projector, finetune, full), evaluation, atomic checkpoints with resumable
 * training state, and metrics.
 */
package org.seemore.train;
