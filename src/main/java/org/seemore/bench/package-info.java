/** Benchmarks of the model: training, inference and generation speed, and the matmul FLOP count. */
package org.seemore.bench;
