package org.seemore.nn;

import org.seemore.tensor.FusedAttention;
import org.seemore.tensor.GradMode;
import org.seemore.tensor.Linalg;
import org.seemore.tensor.Shaping;
import org.seemore.tensor.Tensor;
import org.seemore.tensor.kernels.AttentionKernel;
import org.seemore.tensor.kernels.AttentionKernel.Strided;
import org.seemore.tensor.kernels.Parallel;

/**
 * Multi-head self-attention (Vaswani et al. 2017) with a fused qkv projection (no bias) and an
 * output projection (with bias). Scores are scaled by 1/sqrt(head width), not the model width
 * (one of the original seemore's defects). Optionally causal; {@link #forwardCached} runs inference
 * with a KV cache. The attention itself is {@link FusedAttention}: heads are read out of, and written
 * into, the projections' buffers in place.
 */
public final class Attention {
    public final Linear qkv;  // (3C, C)
    public final Linear proj; // (C, C)
    private final int width;
    private final int heads;
    private final boolean causal;

    public Attention(Params p, int width, int heads, boolean causal) {
        if (width % heads != 0) throw new IllegalArgumentException("width " + width + " is not divisible by " + heads + " heads");
        this.qkv = new Linear(p.sub("qkv"), width, 3 * width, false);
        this.proj = new Linear(p.sub("proj"), width, width, true);
        this.width = width;
        this.heads = heads;
        this.causal = causal;
    }

    /** x (B, T, C) -> (B, T, C). */
    public Tensor forward(Tensor x) {
        Tensor qkvOut = qkv.forward(x);                                      // (B, T, 3C)
        Tensor y = FusedAttention.selfAttention(qkvOut, heads, causal);       // (B, T, C), heads split and merged in place
        return proj.forward(y);
    }

    /**
     * Attention of some rows only: {@code queries (B, Tq, C)} attend (not causally) to every row of
     * {@code x (B, T, C)}; the result equals rows of {@link #forward} when the queries are those rows
     * of x. The queries go through the qkv weight's first C rows, the context through the other 2C.
     */
    public Tensor forwardQueries(Tensor queries, Tensor x) {
        if (causal) throw new IllegalStateException("query attention is not causal");
        Tensor q = Linalg.linear(queries, Shaping.sliceRows(qkv.weight, 0, width), null);         // (B, Tq, C)
        Tensor kv = Linalg.linear(x, Shaping.sliceRows(qkv.weight, width, 2 * width), null);       // (B, T, 2C)
        return proj.forward(FusedAttention.queryAttention(q, kv, heads));                          // (B, Tq, C)
    }

    /** Keys and values of the positions seen so far, for one layer: (B, H, capacity, hd) each. */
    public static final class KvCache {
        final float[] keys, values;
        final int batch, heads, capacity, headDim;
        int length;

        public KvCache(int batch, int heads, int capacity, int headDim) {
            this.batch = batch;
            this.heads = heads;
            this.capacity = capacity;
            this.headDim = headDim;
            this.keys = new float[batch * heads * capacity * headDim];
            this.values = new float[keys.length];
        }

        public int length() { return length; }

        public int capacity() { return capacity; }

        public int batch() { return batch; }

        public int heads() { return heads; }

        public int headDim() { return headDim; }

        /** The key storage, (B, H, capacity, hd): a decoding step writes its position's keys here, then {@link #advance}s. */
        public float[] keys() { return keys; }

        /** The value storage, laid out as {@link #keys()}. */
        public float[] values() { return values; }

        /** Counts {@code count} more positions as cached, once their keys and values have been written. */
        public void advance(int count) {
            if (length + count > capacity) throw new IllegalStateException("KV cache full: " + (length + count) + " > " + capacity);
            length += count;
        }
    }

    public KvCache newCache(int batch, int capacity) {
        return new KvCache(batch, heads, capacity, width / heads);
    }

    /**
     * Inference on the next {@code T} positions given the cache of the earlier ones: appends their
     * keys and values and attends causally over everything cached. x (B, T, C) -> (B, T, C).
     */
    public Tensor forwardCached(Tensor x, KvCache cache) {
        if (GradMode.isEnabled() && x.requiresGrad()) throw new IllegalStateException("cached attention is for inference (no-grad) only");
        int b = x.dim(0), t = x.dim(1), hd = width / heads, c3 = 3 * width;
        int past = cache.length, total = past + t;
        if (total > cache.capacity) throw new IllegalStateException("KV cache full: " + total + " > " + cache.capacity);
        float[] qkvd = qkv.forward(x).data();                             // (B, T, 3C)
        for (int bi = 0; bi < b; bi++) {
            for (int ti = 0; ti < t; ti++) {
                int src = (bi * t + ti) * c3;
                for (int h = 0; h < heads; h++) {
                    int slot = ((bi * heads + h) * cache.capacity + past + ti) * hd;
                    System.arraycopy(qkvd, src + width + h * hd, cache.keys, slot, hd);
                    System.arraycopy(qkvd, src + 2 * width + h * hd, cache.values, slot, hd);
                }
            }
        }
        cache.length = total;
        float scale = (float) (1 / Math.sqrt(hd));
        float[] y = new float[b * t * width];
        Parallel.parallelFor(b * heads, bh -> { // query i sees keys <= past + i
            int bi = bh / heads, h = bh % heads, kv = bh * cache.capacity * hd;
            int room = AttentionKernel.scratchSize(t, total, hd);
            float[] work = new float[room + t * AttentionKernel.probsWidth(total, hd)]; // scratch, then probabilities
            AttentionKernel.forward(new Strided(qkvd, bi * t * c3 + h * hd, c3), new Strided(cache.keys, kv, hd),
                    new Strided(cache.values, kv, hd), t, total, hd, true, scale, work, room,
                    new Strided(y, bi * t * width + h * hd, width), work);
        });
        return proj.forward(Tensor.of(y, b, t, width));
    }
}
