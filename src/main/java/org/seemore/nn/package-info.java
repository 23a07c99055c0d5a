/**
 * Neural-network building blocks on the tensor engine, each owning its parameters under the
 * PyTorch reference names: Linear, LayerNorm, Mlp, multi-head Attention (with a KV cache), and
 * {@link org.seemore.nn.Params}, the named parameter registry.
 */
package org.seemore.nn;
