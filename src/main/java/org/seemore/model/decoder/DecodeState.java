package org.seemore.model.decoder;

import java.util.ArrayList;
import java.util.List;
import org.seemore.model.moe.SparseMoeStep;
import org.seemore.nn.Attention;
import org.seemore.nn.LayerNorm;
import org.seemore.tensor.kernels.DecodeAttention;
import org.seemore.tensor.kernels.LayerNormKernel;
import org.seemore.tensor.kernels.VectorMath;

/**
 * The decoder on one new position per sequence, for generation: the same computation as
 * {@link Decoder#forwardCached} with one token each, written out on preallocated buffers with fused
 * kernels: matrix-vector products ({@link org.seemore.nn.Linear#forwardRow}), one-query attention
 * over the cache ({@link DecodeAttention}), and only the routed experts ({@link SparseMoeStep}).
 * No autodiff graph, no tensors, no allocation per token; everything runs on the calling thread, so
 * results do not depend on the number of threads.
 *
 * <p>Keys and values are appended to the layers' {@link Attention.KvCache}s, as the cached forward
 * appends them (the two can be interleaved). The attention reads keys from a transposed mirror kept
 * here ((B, H, hd, stride) per layer), caught up from the cache whenever the cache has grown
 * elsewhere (the prefill). Weights are read from the model's parameters at every step.
 */
public final class DecodeState {
    private final Decoder decoder;
    private final List<Attention.KvCache> caches;
    private final int batch, width, heads, headDim, vocab, capacity, stride;
    private final float scale;
    private final List<SparseMoeStep> moe = new ArrayList<>();
    private final float[][] keysT;   // per layer (B, H, hd, stride): the cached keys, transposed
    private final int[] mirrored;    // per layer: positions already in keysT
    private final float[] x;         // (B, C) the residual stream
    private final float[] normed;    // (B, C)
    private final float[] qkv;       // (3C) one row's projections
    private final float[] attended;    // (C) one row's attention output, heads side by side
    private final float[] projected; // (C)
    private final float[] ffn;       // (B, C) the MoE output
    private final float[] scores;    // (stride)
    private final float[] stats = new float[2];
    private final float[] logits;    // (B, V)

    DecodeState(Decoder decoder, List<Attention.KvCache> caches) {
        if (caches.size() != decoder.blocks.size()) throw new IllegalArgumentException(caches.size() + " caches for " + decoder.blocks.size() + " layers");
        Attention.KvCache first = caches.get(0);
        this.decoder = decoder;
        this.caches = caches;
        this.batch = first.batch();
        this.width = decoder.config.width();
        this.heads = first.heads();
        this.headDim = first.headDim();
        this.vocab = decoder.config.vocabSize();
        this.capacity = first.capacity();
        this.stride = DecodeAttention.padded(capacity);
        this.scale = (float) (1 / Math.sqrt(headDim));
        keysT = new float[caches.size()][batch * heads * headDim * stride];
        mirrored = new int[caches.size()];
        for (Decoder.Block block : decoder.blocks) moe.add(new SparseMoeStep(block.moe, decoder.config, batch));
        x = new float[batch * width];
        normed = new float[batch * width];
        qkv = new float[3 * width];
        attended = new float[width];
        projected = new float[width];
        ffn = new float[batch * width];
        scores = new float[stride];
        logits = new float[batch * vocab];
    }

    /** The number of positions cached so far (the position the next token takes). */
    public int length() {
        return caches.get(0).length();
    }

    /**
     * tokens (B), one per sequence, at the next position -> logits (B, V). The returned array is this
     * state's buffer: it is overwritten by the next step.
     */
    public float[] step(int[] tokens) {
        if (tokens.length != batch) throw new IllegalArgumentException(tokens.length + " tokens for a batch of " + batch);
        int position = length();
        if (position + 1 > decoder.config.maxPositions()) {
            throw new IllegalArgumentException("sequence of " + (position + 1) + " positions exceeds max_pos " + decoder.config.maxPositions());
        }
        embed(tokens, position);
        for (int layer = 0; layer < decoder.blocks.size(); layer++) {
            Decoder.Block block = decoder.blocks.get(layer);
            Attention.KvCache cache = caches.get(layer);
            if (cache.length() != position) throw new IllegalStateException("layer " + layer + " caches " + cache.length() + " positions, layer 0 " + position);
            if (position + 1 > cache.capacity()) throw new IllegalStateException("KV cache full: " + (position + 1) + " > " + cache.capacity());
            catchUp(layer, cache);
            for (int b = 0; b < batch; b++) attention(block, layer, cache, b, position); // x += attn(ln1(x))
            cache.advance(1);
            mirrored[layer] = position + 1;
            for (int b = 0; b < batch; b++) norm(block.ln2, b);
            moe.get(layer).forward(normed, ffn, batch);                                   // (B, C)
            VectorMath.addInto(ffn, 0, x, 0, batch * width);                              // x += moe(ln2(x))
        }
        for (int b = 0; b < batch; b++) {
            norm(decoder.lnF, b);
            decoder.lmHead.forwardRow(normed, b * width, logits, b * vocab);
        }
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

    private void norm(LayerNorm ln, int b) {
        LayerNormKernel.forwardRow(x, b * width, ln.weight.data(), ln.weight.offset(), ln.bias.data(), ln.bias.offset(),
                normed, b * width, width, LayerNorm.EPS, stats);
    }

    /** Row b: projections, this position's keys and values into the cache, attention per head, output projection, residual. */
    private void attention(Decoder.Block block, int layer, Attention.KvCache cache, int b, int position) {
        norm(block.ln1, b);
        block.attn.qkv.forwardRow(normed, b * width, qkv, 0);                          // (3C): q | k | v
        float[] keys = cache.keys(), values = cache.values(), mirror = keysT[layer];
        for (int h = 0; h < heads; h++) {
            int bh = b * heads + h, slot = (bh * capacity + position) * headDim, column = bh * headDim * stride + position;
            System.arraycopy(qkv, width + h * headDim, keys, slot, headDim);
            System.arraycopy(qkv, 2 * width + h * headDim, values, slot, headDim);
            for (int d = 0; d < headDim; d++) mirror[column + d * stride] = qkv[width + h * headDim + d];
            DecodeAttention.attend(qkv, h * headDim, mirror, bh * headDim * stride, stride, values, bh * capacity * headDim,
                    position + 1, headDim, scale, scores, attended, h * headDim);
        }
        block.attn.proj.forwardRow(attended, 0, projected, 0);
        VectorMath.addInto(projected, 0, x, b * width, width);
    }

    /** Copies into the transposed mirror the keys the cache gained since the last step (the prefill's). */
    private void catchUp(int layer, Attention.KvCache cache) {
        float[] keys = cache.keys(), mirror = keysT[layer];
        for (int bh = 0; bh < batch * heads; bh++) {
            for (int j = mirrored[layer]; j < cache.length(); j++) {
                int from = (bh * capacity + j) * headDim, column = bh * headDim * stride + j;
                for (int d = 0; d < headDim; d++) mirror[column + d * stride] = keys[from + d];
            }
        }
        mirrored[layer] = cache.length();
    }
}
