package org.seemore.nn;

import org.seemore.tensor.Elementwise;
import org.seemore.tensor.GradMode;
import org.seemore.tensor.Linalg;
import org.seemore.tensor.NnOps;
import org.seemore.tensor.Shaping;
import org.seemore.tensor.Tensor;
import org.seemore.tensor.kernels.Gemm;

/**
 * Multi-head self-attention (Vaswani et al. 2017) with a fused qkv projection (no bias) and an
 * output projection (with bias). Scores are scaled by 1/sqrt(head width), not the model width
 * (one of the original seemore's defects). Optionally causal; {@link #forwardCached} runs inference
 * with a KV cache.
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
        int b = x.dim(0), t = x.dim(1), hd = width / heads;
        Tensor qkvOut = qkv.forward(x);                                   // (B, T, 3C)
        Tensor split = Shaping.permute(Shaping.reshape(qkvOut, b, t, 3, heads, hd), 2, 0, 3, 1, 4); // (3, B, H, T, hd)
        Tensor q = Shaping.select(split, 0), k = Shaping.select(split, 1), v = Shaping.select(split, 2);
        Tensor scores = Elementwise.scale(Linalg.matmul(q, k, false, true), (float) (1 / Math.sqrt(hd))); // (B, H, T, T)
        Tensor att = NnOps.softmax(scores, causal);
        Tensor y = Linalg.matmul(att, v);                                  // (B, H, T, hd)
        y = Shaping.reshape(Shaping.permute(y, 0, 2, 1, 3), b, t, width);  // (B, T, C)
        return proj.forward(y);
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
        float[] q = new float[b * heads * t * hd];
        for (int bi = 0; bi < b; bi++) {
            for (int ti = 0; ti < t; ti++) {
                int src = (bi * t + ti) * c3;
                for (int h = 0; h < heads; h++) {
                    int bh = bi * heads + h;
                    System.arraycopy(qkvd, src + h * hd, q, (bh * t + ti) * hd, hd);
                    int slot = (bh * cache.capacity + past + ti) * hd;
                    System.arraycopy(qkvd, src + width + h * hd, cache.keys, slot, hd);
                    System.arraycopy(qkvd, src + 2 * width + h * hd, cache.values, slot, hd);
                }
            }
        }
        cache.length = total;
        float scale = (float) (1 / Math.sqrt(hd));
        float[] scores = new float[t * total];
        float[] y = new float[b * t * width];
        float[] yh = new float[t * hd];
        for (int bh = 0; bh < b * heads; bh++) {
            int kv = bh * cache.capacity * hd;
            Gemm.gemm(false, true, t, total, hd, q, bh * t * hd, hd, cache.keys, kv, hd, scores, 0, total, false);
            for (int i = 0; i < scores.length; i++) scores[i] *= scale;
            float[] probs = NnOps.softmax(Tensor.of(scores, t, total), true).data(); // query i sees keys <= past + i
            Gemm.gemm(false, false, t, hd, total, probs, 0, total, cache.values, kv, hd, yh, 0, hd, false);
            int bi = bh / heads, h = bh % heads;
            for (int ti = 0; ti < t; ti++) System.arraycopy(yh, ti * hd, y, (bi * t + ti) * width + h * hd, hd);
        }
        return proj.forward(Tensor.of(y, b, t, width));
    }
}
