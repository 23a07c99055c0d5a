/**
 * Benchmarks: training, inference and generation speed of the model ({@link org.seemore.bench.TrainBenchmark},
 * with the matmul FLOP count of {@link org.seemore.bench.MatmulFlops}), and the kernels other than
 * the matrix products one at a time ({@link org.seemore.bench.KernelBenchmark}). The commands of
 * {@code seemore bench} run them.
 */
package org.seemore.bench;
