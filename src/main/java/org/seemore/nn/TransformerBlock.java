package org.seemore.nn;

import java.util.function.Function;

/**
 * A pre-LN transformer block (GPT-2, ViT): {@code x = x + attn(ln1(x))}, then
 * {@code x = x + ffn(ln2(x))}, with any feed-forward F (an MLP, a mixture of experts).
 *
 * <p>That structure is written once, in {@link #forward}; a {@link Path} says how each piece runs on
 * one representation S of the residual stream: tensors with autodiff for a full pass, tensors over
 * a KV cache for a prefill, preallocated rows for a one-position decoding step. So the full pass,
 * the cached prefill and the decoding step cannot drift apart in structure, while each keeps its
 * own kernels.
 *
 * @param <F> the feed-forward sublayer
 */
public final class TransformerBlock<F> {
    public final LayerNorm ln1;
    public final Attention attn;
    public final LayerNorm ln2;
    public final F ffn;

    /**
     * How the block's pieces run on one representation S of the rows (the residual stream).
     *
     * @param <S> the residual stream's representation: a tensor (B, T, C), or buffers of rows
     * @param <F> the feed-forward sublayer it can run
     */
    public interface Path<S, F> {
        /** norm(x). */
        S norm(LayerNorm norm, S x);

        /** Block {@code layer}'s attention over the normalized rows. */
        S attention(int layer, Attention attention, S normed);

        /** Block {@code layer}'s feed-forward over the normalized rows. */
        S feedForward(int layer, F ffn, S normed);

        /** {@code x + out}: the residual connection around a sublayer (dropout, if any, goes on out). */
        S residual(S x, S out);
    }

    /**
     * Creates ln1, attn, ln2, then the feed-forward under {@code ffnName}, in that order (the order
     * in which parameters draw their initial values).
     */
    public TransformerBlock(Params p, int width, int heads, boolean causal, String ffnName, Function<Params, F> ffn) {
        this.ln1 = new LayerNorm(p.sub("ln1"), width);
        this.attn = new Attention(p.sub("attn"), width, heads, causal);
        this.ln2 = new LayerNorm(p.sub("ln2"), width);
        this.ffn = ffn.apply(p.sub(ffnName));
    }

    /** The block as block {@code layer} of its stack, along {@code path}. */
    public <S> S forward(S x, int layer, Path<S, ? super F> path) {
        x = path.residual(x, path.attention(layer, attn, path.norm(ln1, x)));  // x + attn(ln1(x))
        return path.residual(x, path.feedForward(layer, ffn, path.norm(ln2, x))); // x + ffn(ln2(x))
    }
}
