/**
 * The numeric kernels under the tensors: plain loops over {@code float[]} with offsets and leading
 * dimensions, no tensor objects, so the autodiff layer above decides shapes and these only compute.
 *
 * <p>Every fast kernel has a plain reference beside it that states the contract in a few lines, and
 * a test that compares the two on odd sizes: {@link org.seemore.tensor.kernels.Gemm} (Vector API,
 * cache-blocked, multithreaded) against {@link org.seemore.tensor.kernels.GemmReference} (a triple loop).
 *
 * <ul>
 *   <li>{@link org.seemore.tensor.kernels.Gemm}: matrix multiply with either operand transposed,
 *       single or batched; it picks {@code GemmSmall} (unpacked, for small products and few rows) or
 *       {@code GemmBlocked} (packed panels, {@code GemmPacking} and {@code GemmTranspose}, around the
 *       register-blocked {@code GemmMicroKernel}).
 *   <li>{@link org.seemore.tensor.kernels.Parallel}: the shared thread pool; {@code seemore} sets its
 *       size once and every kernel splits its loops over it.
 * </ul>
 *
 * <p>Matrices are row-major: element (i, j) of a matrix with leading dimension ld starting at off is
 * {@code x[off + i*ld + j]}. The dimension legend of the model (B, T, C) lives in {@code org.seemore.tensor}.
 */
package org.seemore.tensor.kernels;
