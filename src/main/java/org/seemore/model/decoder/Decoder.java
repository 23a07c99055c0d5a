package org.seemore.model.decoder;

import java.util.ArrayList;
import java.util.List;
import org.seemore.model.ForwardContext;
import org.seemore.model.LanguageModel;
import org.seemore.model.moe.SparseMoe;
import org.seemore.nn.Attention;
import org.seemore.nn.LayerNorm;
import org.seemore.nn.Linear;
import org.seemore.nn.Params;
import org.seemore.nn.TransformerBlock;
import org.seemore.tensor.Elementwise;
import org.seemore.tensor.Indexing;
import org.seemore.tensor.Profiler;
import org.seemore.tensor.Shaping;
import org.seemore.tensor.Tensor;

/**
 * The character-level, decoder-only language model. Its input is the projected visual tokens
 * followed by the text's token embeddings, plus learned positions; each block is
 * {@code x + attn(ln1(x))} (causal over the whole sequence, visual prefix included) then
 * {@code x + moe(ln2(x))} ({@link TransformerBlock}); a final LayerNorm and the LM head give the
 * logits. The second residual wraps the block's input (the original wrapped ln2's output).
 */
public final class Decoder implements LanguageModel {
    final DecoderConfig config;
    public final Tensor tokEmbed; // (V, C)
    public final Tensor posEmbed; // (max_pos, C)
    final List<TransformerBlock<SparseMoe>> blocks = new ArrayList<>();
    final LayerNorm lnF;
    final Linear lmHead;

    public Decoder(Params p, DecoderConfig config) {
        this.config = config;
        int c = config.width();
        tokEmbed = p.sub("tok_embed").normal("weight", 0.02f, config.vocabSize(), c);
        posEmbed = p.sub("pos_embed").normal("weight", 0.02f, config.maxPositions(), c);
        for (int i = 0; i < config.layers(); i++) {
            blocks.add(new TransformerBlock<>(p.sub("blocks." + i), c, config.heads(), true, "moe", q -> new SparseMoe(q, c, config.moe())));
        }
        lnF = new LayerNorm(p.sub("ln_f"), c);
        lmHead = new Linear(p.sub("lm_head"), c, config.vocabSize(), true);
    }

    @Override
    public DecoderConfig config() { return config; }

    @Override
    public Output forward(Tensor visualTokens, int[] tokens, int batch, ForwardContext ctx) {
        Tensor logits;
        TensorPath path = new TensorPath(ctx, null, true);
        try (var s = Profiler.scope("decoder (embeddings, norms, head)")) {
            Tensor x = ctx.dropout(embed(visualTokens, tokens, batch, 0));     // (B, L, C)
            logits = blocksAndHead(x, path);                                   // (B, L, V)
        }
        Tensor aux = null, z = null;
        for (SparseMoe.Output m : path.moe) {
            aux = aux == null ? m.auxLoss() : Elementwise.add(aux, m.auxLoss());
            if (m.zLoss() != null) z = z == null ? m.zLoss() : Elementwise.add(z, m.zLoss());
        }
        aux = Elementwise.scale(aux, 1f / blocks.size());
        if (z != null) z = Elementwise.scale(z, 1f / blocks.size());
        return new Output(logits, aux, z, path.moe);
    }

    /** {@code ce + aux_loss_coef * aux (+ router_z_loss_coef * z)}. */
    @Override
    public Tensor objective(Tensor crossEntropy, Output out) {
        Tensor total = Elementwise.add(crossEntropy, Elementwise.scale(out.auxLoss(), (float) config.moe().auxLossCoef()));
        if (out.zLoss() != null) total = Elementwise.add(total, Elementwise.scale(out.zLoss(), (float) config.moe().routerZLossCoef()));
        return total;
    }

    @Override
    public Decoding newDecoding(int batch, int capacity) {
        return new DecodeState(this, batch, capacity);
    }

    /** The MoE feed-forward of block {@code layer}. */
    public SparseMoe moeLayer(int layer) {
        return blocks.get(layer).ffn;
    }

    /**
     * Inference on the next positions with the layers' KV caches (prefill when they are empty):
     * visual tokens (B, Nv, C) or null, tokens (B*T) -> logits of the new positions (B, Nv+T, V).
     * Every layer's MoE output is added to {@code moe}.
     */
    Tensor forwardCached(Tensor visualTokens, int[] tokens, int batch, List<Attention.KvCache> caches, List<SparseMoe.Output> moe) {
        Tensor x = embed(visualTokens, tokens, batch, caches.get(0).length()); // (B, L, C)
        TensorPath path = new TensorPath(ForwardContext.inference(), caches, false);
        Tensor logits = blocksAndHead(x, path);
        moe.addAll(path.moe);
        return logits;
    }

    /** Every block, the final norm and the LM head: (B, L, C) -> (B, L, V). */
    private Tensor blocksAndHead(Tensor x, TensorPath path) {
        for (int i = 0; i < blocks.size(); i++) x = blocks.get(i).forward(x, i, path);
        return lmHead.forward(lnF.forward(x));
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

    /** Per-layer KV caches for incremental decoding. */
    List<Attention.KvCache> newCaches(int batch, int capacity) {
        List<Attention.KvCache> caches = new ArrayList<>();
        for (TransformerBlock<SparseMoe> block : blocks) caches.add(block.attn.newCache(batch, capacity));
        return caches;
    }

    /**
     * The blocks' pieces on tensors: with autodiff over the whole sequence (a training or inference
     * pass), or over the layers' KV caches (a prefill, which skips the auxiliary losses). Collects
     * every layer's MoE output.
     */
    private static final class TensorPath implements TransformerBlock.Path<Tensor, SparseMoe> {
        private final ForwardContext ctx;
        private final List<Attention.KvCache> caches; // null: attend over the given rows only
        private final boolean losses;
        final List<SparseMoe.Output> moe = new ArrayList<>();

        TensorPath(ForwardContext ctx, List<Attention.KvCache> caches, boolean losses) {
            this.ctx = ctx;
            this.caches = caches;
            this.losses = losses;
        }

        @Override
        public Tensor norm(LayerNorm norm, Tensor x) {
            return norm.forward(x);
        }

        @Override
        public Tensor attention(int layer, Attention attention, Tensor normed) {
            try (var s = Profiler.scope("attention")) {
                return caches == null ? attention.forward(normed) : attention.forwardCached(normed, caches.get(layer)); // (B, L, C)
            }
        }

        @Override
        public Tensor feedForward(int layer, SparseMoe ffn, Tensor normed) {
            int b = normed.dim(0), l = normed.dim(1), c = normed.dim(2);
            SparseMoe.Output m = ffn.forward(Shaping.reshape(normed, b * l, c), layer, ctx, losses); // (B*L, C)
            moe.add(m);
            return Shaping.reshape(m.y(), b, l, c);                                                // (B, L, C)
        }

        @Override
        public Tensor residual(Tensor x, Tensor out) {
            return Elementwise.add(x, ctx.dropout(out));
        }
    }
}
