/**
 * seemore on Apache Spark, a module apart from the core so that Spark's jars never enter the core jar:
 * distributed captioning and evaluation ({@link org.seemore.spark.DistributedCaptioner}: one model per
 * executor JVM, each partition captioned in batches by the core's generator) and data-parallel training
 * ({@link org.seemore.spark.DataParallelTrainer}: synchronous gradient averaging through the core's one
 * {@link org.seemore.train.TrainingStep}, or DiLoCo-style local steps with an outer Nesterov optimizer).
 * The driver keeps the run directory: checkpoints, {@code metrics.jsonl} and plots as single-process training.
 */
package org.seemore.spark;
