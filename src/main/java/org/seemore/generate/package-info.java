/** Autoregressive generation with a KV cache, and the samplers (greedy, temperature, top-k, top-p). */
package org.seemore.generate;
