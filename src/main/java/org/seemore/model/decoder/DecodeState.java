package org.seemore.model.decoder;

import java.util.ArrayList;
import java.util.List;
import org.seemore.model.LanguageModel;
import org.seemore.model.moe.SparseMoe;
import org.seemore.model.moe.SparseMoeStep;
import org.seemore.nn.Attention;
import org.seemore.nn.LayerNorm;
import org.seemore.nn.TransformerBlock;
import org.seemore.tensor.Tensor;
import org.seemore.tensor.kernels.DecodeAttention;
import org.seemore.tensor.kernels.LayerNormKernel;
import org.seemore.tensor.kernels.VectorMath;

/**
 * The decoder's {@link LanguageModel.Decoding}: per-layer {@link Attention.KvCache}s, extended by
 * {@link Decoder#forwardCached} (the prefill) or by {@link #step}, one new position per sequence.
 *
 * <p>A step runs the same {@link TransformerBlock#forward} as the full pass, along a path of
 * preallocated rows with fused kernels: matrix-vector products ({@link org.seemore.nn.Linear#forwardRow}),
 * one-query attention over the cache ({@link DecodeAttention}), and only the routed experts
 * ({@link SparseMoeStep}). No autodiff graph, no tensors, no allocation per token; everything runs
 * on the calling thread, so results do not depend on the number of threads.
 *
 * <p>The attention reads keys from a mirror kept here in {@link DecodeAttention}'s transposed blocks ((B, H, keysSize) per layer),
 * caught up from the cache whenever the cache has grown elsewhere (the prefill). Weights are read
 * from the model's parameters at every step.
 */
final class DecodeState implements LanguageModel.Decoding {
    private final Decoder decoder;
    private final List<Attention.KvCache> caches;
    private final int batch, width, heads, headDim, vocab, capacity, stride, headKeys;
    private final float scale;
    private final List<SparseMoeStep> moe = new ArrayList<>();
    private final Rows rows = new Rows();
    private final float[][] keysT;   // per layer (B, H, keysSize): the cached keys in DecodeAttention's transposed blocks
    private final int[] mirrored;    // per layer: positions already in keysT
    private final float[] x;         // (B, C) the residual stream
    private final float[] normed;    // (B, C)
    private final float[] qkv;       // (3C) one row's projections
    private final float[] attended;  // (C) one row's attention output, heads side by side
    private final float[] projected; // (B, C) the attention sublayer's output
    private final float[] ffn;       // (B, C) the MoE output
    private final float[] scores;    // (stride)
    private final float[] stats = new float[2];
    private final float[] logits;    // (B, V)
    private final int[] routes;      // (layers, B, k) the last position's chosen experts

    DecodeState(Decoder decoder, int batch, int capacity) {
        this.decoder = decoder;
        this.caches = decoder.newCaches(batch, capacity);
        Attention.KvCache first = caches.get(0);
        this.batch = batch;
        this.width = decoder.config.width();
        this.heads = first.heads();
        this.headDim = first.headDim();
        this.vocab = decoder.config.vocabSize();
        this.capacity = capacity;
        this.stride = DecodeAttention.padded(capacity);
        this.headKeys = DecodeAttention.keysSize(capacity, headDim);
        this.scale = (float) (1 / Math.sqrt(headDim));
        keysT = new float[caches.size()][batch * heads * headKeys];
        mirrored = new int[caches.size()];
        for (TransformerBlock<SparseMoe> block : decoder.blocks) moe.add(block.ffn.newStep(batch));
        x = new float[batch * width];
        normed = new float[batch * width];
        qkv = new float[3 * width];
        attended = new float[width];
        projected = new float[batch * width];
        ffn = new float[batch * width];
        scores = new float[stride];
        logits = new float[batch * vocab];
        routes = new int[caches.size() * batch * decoder.config.moe().topK()];
    }

    @Override
    public int length() {
        return caches.get(0).length();
    }

    @Override
    public int capacity() {
        return capacity;
    }

    @Override
    public Tensor forward(Tensor visualTokens, int[] tokens) {
        List<SparseMoe.Output> layers = new ArrayList<>();
        Tensor out = decoder.forwardCached(visualTokens, tokens, batch, caches, layers); // (B, L, V)
        int k = decoder.config.moe().topK(), rows = out.dim(1);
        for (int layer = 0; layer < layers.size(); layer++) {
            int[] chosen = layers.get(layer).routes();                                 // (B*L*k)
            for (int b = 0; b < batch; b++) System.arraycopy(chosen, (b * rows + rows - 1) * k, routes, (layer * batch + b) * k, k);
        }
        return out;
    }

    @Override
    public int[] routes() {
        return routes;
    }

    @Override
    public float[] step(int[] tokens) {
        if (tokens.length != batch) throw new IllegalArgumentException(tokens.length + " tokens for a batch of " + batch);
        int position = length();
        if (position + 1 > decoder.config.maxPositions()) {
            throw new IllegalArgumentException("sequence of " + (position + 1) + " positions exceeds max_pos " + decoder.config.maxPositions());
        }
        if (position + 1 > capacity) throw new IllegalStateException("KV cache full: " + (position + 1) + " > " + capacity);
        for (int layer = 1; layer < caches.size(); layer++) {
            int cached = caches.get(layer).length();
            if (cached != position) throw new IllegalStateException("layer " + layer + " caches " + cached + " positions, layer 0 " + position);
        }
        embed(tokens, position);                                                  // (B, C)
        for (int layer = 0; layer < decoder.blocks.size(); layer++) {
            decoder.blocks.get(layer).forward(x, layer, rows);                    // x, updated in place
            System.arraycopy(moe.get(layer).chosen(), 0, routes, layer * routes.length / moe.size(), routes.length / moe.size());
        }
        rows.norm(decoder.lnF, x);
        for (int b = 0; b < batch; b++) decoder.lmHead.forwardRow(normed, b * width, logits, b * vocab); // (B, V)
        return logits;
    }

    /** x[b] = tok_embed[token] + pos_embed[position]. */
    private void embed(int[] tokens, int position) {
        float[] tok = decoder.tokEmbed.data(), pos = decoder.posEmbed.data();
        int to = decoder.tokEmbed.offset(), po = decoder.posEmbed.offset() + position * width;
        for (int b = 0; b < batch; b++) {
            if (tokens[b] < 0 || tokens[b] >= vocab) throw new IndexOutOfBoundsException("token " + tokens[b] + " outside a vocabulary of " + vocab);
            System.arraycopy(tok, to + tokens[b] * width, x, b * width, width);
            VectorMath.addInto(pos, po, x, b * width, width);
        }
    }

    /** The blocks' pieces on this state's buffers of B rows, for one new position. */
    private final class Rows implements TransformerBlock.Path<float[], SparseMoe> {
        /** Each row of x normalized into {@code normed}. */
        @Override
        public float[] norm(LayerNorm ln, float[] in) {
            for (int b = 0; b < batch; b++) {
                LayerNormKernel.forwardRow(in, b * width, ln.weight.data(), ln.weight.offset(), ln.bias.data(), ln.bias.offset(),
                        normed, b * width, width, LayerNorm.EPS, stats);
            }
            return normed;
        }

        /** Per row: projections, this position's keys and values into the cache, attention per head, output projection. */
        @Override
        public float[] attention(int layer, Attention attn, float[] in) {
            Attention.KvCache cache = caches.get(layer);
            int position = cache.length();
            catchUp(layer, cache);
            float[] keys = cache.keys(), values = cache.values(), mirror = keysT[layer];
            for (int b = 0; b < batch; b++) {
                attn.qkv.forwardRow(in, b * width, qkv, 0);                               // (3C): q | k | v
                for (int h = 0; h < heads; h++) {
                    int bh = b * heads + h, slot = (bh * capacity + position) * headDim;
                    System.arraycopy(qkv, width + h * headDim, keys, slot, headDim);
                    System.arraycopy(qkv, 2 * width + h * headDim, values, slot, headDim);
                    DecodeAttention.storeKey(qkv, width + h * headDim, mirror, bh * headKeys, position, headDim);
                    DecodeAttention.attend(qkv, h * headDim, mirror, bh * headKeys, values, bh * capacity * headDim,
                            position + 1, headDim, scale, scores, attended, h * headDim);
                }
                attn.proj.forwardRow(attended, 0, projected, b * width);                   // (C)
            }
            cache.advance(1);
            mirrored[layer] = position + 1;
            return projected;
        }

        @Override
        public float[] feedForward(int layer, SparseMoe ffn, float[] in) {
            moe.get(layer).forward(in, DecodeState.this.ffn, batch);                      // (B, C)
            return DecodeState.this.ffn;
        }

        /** x += out, in place. */
        @Override
        public float[] residual(float[] in, float[] out) {
            VectorMath.addInto(out, 0, in, 0, batch * width);
            return in;
        }
    }

    /** Copies into the transposed mirror the keys the cache gained since the last step (the prefill's). */
    private void catchUp(int layer, Attention.KvCache cache) {
        float[] keys = cache.keys(), mirror = keysT[layer];
        for (int bh = 0; bh < batch * heads; bh++) {
            for (int j = mirrored[layer]; j < cache.length(); j++) {
                DecodeAttention.storeKey(keys, (bh * capacity + j) * headDim, mirror, bh * headKeys, j, headDim);
            }
        }
        mirrored[layer] = cache.length();
    }
}
