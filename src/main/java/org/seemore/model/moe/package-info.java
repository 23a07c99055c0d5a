/**
 * The sparse Mixture-of-Experts feed-forward: its config, the one routing rule
 * ({@link org.seemore.model.moe.Routing}), the noisy top-k router, grouped experts and balancing
 * losses on tensors ({@link org.seemore.model.moe.SparseMoe}), and the same layer on preallocated
 * rows for decoding ({@link org.seemore.model.moe.SparseMoeStep}).
 */
package org.seemore.model.moe;
