/**
 * Neural-network building blocks on the tensor engine, each owning its parameters under the
 * PyTorch reference names: Linear, LayerNorm, Mlp, multi-head Attention (with a KV cache), the
 * pre-LN {@link org.seemore.nn.TransformerBlock} (its structure written once, for every way a block
 * runs), and {@link org.seemore.nn.Params}, the named parameter registry.
 */
package org.seemore.nn;
