/** The sparse Mixture-of-Experts feed-forward: noisy top-k router, grouped experts, balancing losses. */
package org.seemore.model.moe;
