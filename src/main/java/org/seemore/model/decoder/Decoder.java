package org.seemore.model.decoder;

import java.util.ArrayList;
import java.util.List;
import org.seemore.model.ForwardContext;
import org.seemore.model.VlmConfig;
import org.seemore.model.moe.SparseMoe;
import org.seemore.nn.Attention;
import org.seemore.nn.LayerNorm;
import org.seemore.nn.Linear;
import org.seemore.nn.Params;
import org.seemore.tensor.Elementwise;
import org.seemore.tensor.Indexing;
import org.seemore.tensor.Profiler;
import org.seemore.tensor.Shaping;
import org.seemore.tensor.Tensor;

/**
 * The character-level, decoder-only language model. Its input is the projected visual tokens
 * followed by the text's token embeddings, plus learned positions; each block is
 * {@code x + attn(ln1(x))} (causal over the whole sequence, visual prefix included) then
 * {@code x + moe(ln2(x))}; a final LayerNorm and the LM head give the logits.
 */
public final class Decoder {

    /** One decoder block. The second residual wraps the block's input (the original wrapped ln2's output). */
    static final class Block {
        final LayerNorm ln1, ln2;
        final Attention attn;
        final SparseMoe moe;

        Block(Params p, VlmConfig config) {
            ln1 = new LayerNorm(p.sub("ln1"), config.width());
            attn = new Attention(p.sub("attn"), config.width(), config.heads(), true);
            ln2 = new LayerNorm(p.sub("ln2"), config.width());
            moe = new SparseMoe(p.sub("moe"), config);
        }
    }

    /** The result of a pass: logits and the MoE statistics of every layer. */
    public record Output(Tensor logits, List<SparseMoe.Output> moe) {}

    final VlmConfig config;
    public final Tensor tokEmbed; // (V, C)
    public final Tensor posEmbed; // (max_pos, C)
    final List<Block> blocks = new ArrayList<>();
    final LayerNorm lnF;
    final Linear lmHead;

    public Decoder(Params p, VlmConfig config) {
        this.config = config;
        tokEmbed = p.sub("tok_embed").normal("weight", 0.02f, config.vocabSize(), config.width());
        posEmbed = p.sub("pos_embed").normal("weight", 0.02f, config.maxPositions(), config.width());
        for (int i = 0; i < config.layers(); i++) blocks.add(new Block(p.sub("blocks." + i), config));
        lnF = new LayerNorm(p.sub("ln_f"), config.width());
        lmHead = new Linear(p.sub("lm_head"), config.width(), config.vocabSize(), true);
    }

    /**
     * prefix (B, Nv, C) or null, tokens (B*T) row-major -> logits (B, Nv+T, V).
     */
    public Output forward(Tensor prefix, int[] tokens, int batch, ForwardContext ctx) {
        try (var s = Profiler.scope("decoder (embeddings, norms, head)")) {
            return forwardBlocks(prefix, tokens, batch, ctx);
        }
    }

    private Output forwardBlocks(Tensor prefix, int[] tokens, int batch, ForwardContext ctx) {
        Tensor x = embed(prefix, tokens, batch, 0);                          // (B, L, C)
        x = ctx.dropout(x);
        int b = x.dim(0), l = x.dim(1), c = config.width();
        List<SparseMoe.Output> stats = new ArrayList<>();
        for (int i = 0; i < blocks.size(); i++) {
            Block block = blocks.get(i);
            try (var s = Profiler.scope("attention")) {
                x = Elementwise.add(x, ctx.dropout(block.attn.forward(block.ln1.forward(x))));
            }
            SparseMoe.Output m = block.moe.forward(Shaping.reshape(block.ln2.forward(x), b * l, c), i, ctx);
            stats.add(m);
            x = Elementwise.add(x, ctx.dropout(Shaping.reshape(m.y(), b, l, c)));
        }
        return new Output(lmHead.forward(lnF.forward(x)), stats);
    }

    /** Token + position embeddings of positions start.., after an optional prefix: (B, Nv+T, C). */
    private Tensor embed(Tensor prefix, int[] tokens, int batch, int start) {
        int t = tokens.length / batch, nv = prefix == null ? 0 : prefix.dim(1), l = nv + t;
        if (start + l > config.maxPositions()) {
            throw new IllegalArgumentException("sequence of " + (start + l) + " positions exceeds max_pos " + config.maxPositions());
        }
        Tensor tok = Indexing.embedding(tokEmbed, tokens, batch, t);        // (B, T, C)
        Tensor x = prefix == null ? tok : Shaping.concat(1, prefix, tok);    // (B, L, C)
        Tensor pos = Shaping.sliceRows(posEmbed, start, l);                  // (L, C)
        return Elementwise.add(x, pos);
    }

    /** The MoE feed-forward of block {@code layer}. */
    public SparseMoe moeLayer(int layer) {
        return blocks.get(layer).moe;
    }

    /** Per-layer KV caches for incremental decoding. */
    public List<Attention.KvCache> newCaches(int batch, int capacity) {
        List<Attention.KvCache> caches = new ArrayList<>();
        for (Block block : blocks) caches.add(block.attn.newCache(batch, capacity));
        return caches;
    }

    /**
     * A single-position decoder over {@code caches} (filled by {@link #forwardCached}'s prefill): each
     * {@link DecodeState#step} takes one new token per sequence, with no autodiff and no allocation.
     */
    public DecodeState newDecodeState(List<Attention.KvCache> caches) {
        return new DecodeState(this, caches);
    }

    /**
     * Inference on the next positions with KV caches (prefill when the caches are empty): prefix
     * (B, Nv, C) or null, tokens (B*T) -> logits of the new positions (B, Nv+T, V).
     */
    public Tensor forwardCached(Tensor prefix, int[] tokens, int batch, List<Attention.KvCache> caches) {
        int start = caches.get(0).length();
        Tensor x = embed(prefix, tokens, batch, start);
        int b = x.dim(0), l = x.dim(1), c = config.width();
        ForwardContext ctx = ForwardContext.inference();
        for (int i = 0; i < blocks.size(); i++) {
            Block block = blocks.get(i);
            x = Elementwise.add(x, block.attn.forwardCached(block.ln1.forward(x), caches.get(i)));
            SparseMoe.Output m = block.moe.forwardWithoutLosses(Shaping.reshape(block.ln2.forward(x), b * l, c), i, ctx);
            x = Elementwise.add(x, Shaping.reshape(m.y(), b, l, c));
        }
        return lmHead.forward(lnF.forward(x));
    }
}
