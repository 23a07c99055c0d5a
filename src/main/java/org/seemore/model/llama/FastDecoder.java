package org.seemore.model.llama;

import java.util.Arrays;
import org.seemore.model.hf.DecoderConfig;
import org.seemore.model.moe.Routing;
import org.seemore.tensor.RopeTable;
import org.seemore.tensor.kernels.Activations;
import org.seemore.tensor.kernels.BinaryKernel;
import org.seemore.tensor.kernels.DecodeAttention;
import org.seemore.tensor.kernels.Parallel;
import org.seemore.tensor.kernels.RmsNormKernel;
import org.seemore.tensor.kernels.RopeKernel;
import org.seemore.tensor.kernels.VectorMath;
import org.seemore.tensor.kernels.WeightProduct;
import org.seemore.tensor.kernels.WeightProduct.Product;

/**
 * Inference on a Llama, Qwen2 or Mixtral decoder without the autodiff graph: B sequences over a KV cache of
 * {@code capacity} positions, preallocated, extended by a prefill (many positions per sequence in
 * one pass: each weight matrix meets all B·T rows in one GEMM) or by a step (one position per
 * sequence: each weight row is read once for all B rows, {@link WeightProduct}). The arithmetic is
 * {@link LlamaModel#layer}'s: the logits agree with {@link GreedyDecoder} to float precision.
 *
 * <p>As Hugging Face's {@code generate}: rotary positions are {@code cumsum(attention_mask) - 1} per
 * sequence (a padded position takes the one before it and stays masked as a key for every later
 * query); grouped-query attention reads kv head {@code h / group} for query head h. The cache keeps
 * keys in {@link DecodeAttention}'s transposed blocks (per layer and head {@code keysSize(capacity, hd)}
 * floats, {@link DecodeAttention#keyAt}), values as (B, KV, capacity, hd). Prefill takes input embeddings, so a
 * vision-language model can put its visual tokens first ({@link #embed} gives the text's).
 *
 * <p>Mixtral's sparse block is {@link MixtralMoeBlock}'s: each row's router logits, the top k by
 * {@link Routing#route} (the same choice and weights), then each expert once, in expert order, over
 * the rows routed to it, gathered together: a step's B rows read each chosen expert's matrices once,
 * a prefill's rows make each expert's products GEMMs. The weighted outputs are summed in expert
 * order as HF's loop does, on one thread, so nothing depends on the thread count.
 */
public final class FastDecoder {
    private final LlamaWeights weights;
    private final int batch, capacity, width, heads, kvHeads, headDim, group, qWidth, kvWidth, ffn, vocab, stride, headKeys, numExperts, topK;
    private final float scale, eps;
    private final RopeTable.Snapshot rope;
    private final float[][] keys;      // per layer (B, KV, keysSize): DecodeAttention's blocks of transposed keys
    private final float[][] values;    // per layer (B, KV, capacity, hd)
    private final int[] keyMask;       // (B, capacity): 0 where a position is padding
    private final int[] seen;          // (B) positions of each sequence that were not padding
    private final ThreadLocal<float[]> scores;
    private final float[] lastLogits;  // (B, V) the last step's or prefill's
    private int length, lastT;
    private Buffers buffers;

    /** The activations of {@code rows} rows (B·T), reused until a pass needs more; {@code routed} null for a dense model. */
    private record Buffers(int rows, float[] x, float[] normed, float[] rstd, float[] q, float[] k, float[] v, float[] attended,
                           float[] projected, float[] gate, float[] up, int[] positions, Routed routed) {
        Buffers(int rows, int width, int qWidth, int kvWidth, int ffn, int layers, int experts, int topK) {
            this(rows, new float[rows * width], new float[rows * width], new float[rows], new float[rows * qWidth], new float[rows * kvWidth],
                    new float[rows * kvWidth], new float[rows * qWidth], new float[rows * width], new float[rows * ffn], new float[rows * ffn], new int[rows],
                    experts == 0 ? null : new Routed(rows, width, layers, experts, topK));
        }
    }

    /** A sparse block's scratch: router logits (rows, E), the chosen experts of every layer (layers, rows·k), and one expert's gathered rows. */
    private record Routed(float[] logits, int[][] chosen, float[] weights, boolean[] kept, int[] load, int[] slots, float[] gathered, float[] out) {
        Routed(int rows, int width, int layers, int experts, int topK) {
            this(new float[rows * experts], new int[layers][rows * topK], new float[rows * topK], new boolean[rows * topK], new int[experts],
                    new int[rows], new float[rows * width], new float[rows * width]);
        }
    }

    public FastDecoder(LlamaWeights weights, int batch, int capacity) {
        DecoderConfig c = weights.config();
        if (batch < 1) throw new IllegalArgumentException("a batch of " + batch);
        if (capacity < 1 || capacity > c.maxPositionEmbeddings()) {
            throw new IllegalArgumentException("a KV cache of " + capacity + " positions; the model has " + c.maxPositionEmbeddings());
        }
        this.weights = weights;
        this.batch = batch;
        this.capacity = capacity;
        width = c.hiddenSize();
        heads = c.numAttentionHeads();
        kvHeads = c.numKeyValueHeads();
        headDim = c.headDim();
        group = c.groupSize();
        qWidth = heads * headDim;
        kvWidth = kvHeads * headDim;
        ffn = c.intermediateSize();
        vocab = c.vocabSize();
        stride = DecodeAttention.padded(capacity);
        headKeys = DecodeAttention.keysSize(capacity, headDim);
        numExperts = c.moe().map(DecoderConfig.Moe::numLocalExperts).orElse(0);
        topK = c.moe().map(DecoderConfig.Moe::numExpertsPerTok).orElse(0);
        scale = (float) (1 / Math.sqrt(headDim));
        eps = (float) c.rmsNormEps();
        rope = RopeTable.of(LlamaModel.inverseFrequencies(c)).covering(capacity);
        int layers = c.numHiddenLayers();
        keys = new float[layers][batch * kvHeads * headKeys];
        values = new float[layers][batch * kvWidth * capacity];
        keyMask = new int[batch * capacity];
        seen = new int[batch];
        int scoreSize = group * stride;
        scores = ThreadLocal.withInitial(() -> new float[scoreSize]);
        buffers = newBuffers(batch);
        lastLogits = new float[batch * vocab];
    }

    private Buffers newBuffers(int rows) {
        return new Buffers(rows, width, qWidth, kvWidth, ffn, weights.layers().size(), numExperts, topK);
    }

    public LlamaWeights weights() {
        return weights;
    }

    /** Positions cached so far (padding included), the same for every sequence. */
    public int length() {
        return length;
    }

    public int capacity() {
        return capacity;
    }

    public int batch() {
        return batch;
    }

    /** The embeddings of {@code tokens} (B·T, row-major) into a new (B·T, C) array: a prefill's input. */
    public float[] embed(int[] tokens) {
        float[] out = new float[tokens.length * width];
        embed(tokens, out);
        return out;
    }

    private void embed(int[] tokens, float[] out) {
        for (int i = 0; i < tokens.length; i++) {
            if (tokens[i] < 0 || tokens[i] >= vocab) throw new IndexOutOfBoundsException("token " + tokens[i] + " outside a vocabulary of " + vocab);
            weights.embed().widenRows(tokens[i], tokens[i] + 1, out, i * width);
        }
    }

    /**
     * The next {@code t} positions of every sequence from their input embeddings (B·t rows of C,
     * sequence-major), {@code mask} (B·t, 1 for a token, 0 for padding; null: all tokens). Returns
     * the logits (B, V) of each sequence's last position (in a buffer the next call overwrites), or
     * with {@code allPositions} those of every position (B·t, V), in a new array.
     */
    public float[] prefill(float[] embeddings, int t, int[] mask, boolean allPositions) {
        int rows = batch * t;
        if (embeddings.length != rows * width) throw new IllegalArgumentException(embeddings.length + " values for " + batch + " x " + t + " embeddings of " + width);
        if (mask != null && mask.length != rows) throw new IllegalArgumentException("an attention mask of " + mask.length + " for " + rows + " positions");
        if (length + t > capacity) throw new IllegalStateException("the KV cache holds " + capacity + " positions, " + (length + t) + " asked");
        if (buffers.rows() < rows) buffers = newBuffers(rows);
        System.arraycopy(embeddings, 0, buffers.x(), 0, rows * width);
        for (int b = 0; b < batch; b++) {
            for (int j = 0; j < t; j++) {
                int visible = mask == null ? 1 : mask[b * t + j];
                seen[b] += visible;
                keyMask[b * capacity + length + j] = visible;
                buffers.positions()[b * t + j] = Math.max(seen[b] - 1, 0); // HF's cumsum(mask) - 1; padding's are masked keys anyway
            }
        }
        return run(t, allPositions);
    }

    /** Prefill from token ids (B·t): {@link #prefill(float[], int, int[], boolean)} of their embeddings. */
    public float[] prefill(int[] tokens, int[] mask, boolean allPositions) {
        if (tokens.length % batch != 0) throw new IllegalArgumentException(tokens.length + " tokens for " + batch + " sequences");
        return prefill(embed(tokens), tokens.length / batch, mask, allPositions);
    }

    /** One token per sequence (B) at the next position -> logits (B, V), in a buffer the next call overwrites. */
    public float[] step(int[] tokens) {
        if (tokens.length != batch) throw new IllegalArgumentException(tokens.length + " tokens for " + batch + " sequences");
        if (length + 1 > capacity) throw new IllegalStateException("the KV cache holds " + capacity + " positions, " + (length + 1) + " asked");
        embed(tokens, buffers.x());
        for (int b = 0; b < batch; b++) {
            keyMask[b * capacity + length] = 1;
            buffers.positions()[b] = seen[b]++;
        }
        return run(1, false);
    }

    /** Every layer over the t new positions per sequence in the buffers, then the head. */
    private float[] run(int t, boolean allPositions) {
        Buffers buf = buffers;
        int rows = batch * t;
        for (int i = 0; i < weights.layers().size(); i++) layer(i, weights.layers().get(i), buf, rows, t);
        length += t;
        lastT = t;
        int headRows = allPositions ? rows : batch;
        if (!allPositions) { // each sequence's last row, gathered at the front
            for (int b = 0; b < batch; b++) System.arraycopy(buf.x(), (b * t + t - 1) * width, buf.projected(), b * width, width);
        } else {
            System.arraycopy(buf.x(), 0, buf.projected(), 0, rows * width);
        }
        RmsNormKernel.forward(buf.projected(), 0, weights.finalNorm(), 0, buf.normed(), buf.rstd(), headRows, width, eps);
        float[] logits = allPositions ? new float[headRows * vocab] : lastLogits;
        WeightProduct.multiply(buf.normed(), 0, width, headRows, new Product(weights.lmHead(), null, logits, 0, vocab));
        return logits;
    }

    /** One decoder layer over the buffers' rows (sequence-major, t per sequence): {@link LlamaModel#layer}'s arithmetic. */
    private void layer(int index, LlamaWeights.Layer l, Buffers buf, int rows, int t) {
        RmsNormKernel.forward(buf.x(), 0, l.inputNorm(), 0, buf.normed(), buf.rstd(), rows, width, eps);
        WeightProduct.multiply(buf.normed(), 0, width, rows, new Product(l.q(), l.qBias(), buf.q(), 0, qWidth),
                new Product(l.k(), l.kBias(), buf.k(), 0, kvWidth), new Product(l.v(), l.vBias(), buf.v(), 0, kvWidth));
        int[] positions = buf.positions();
        Parallel.parallelRange(rows, 16, (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                RopeKernel.rotateRow(buf.q(), r * qWidth, buf.q(), r * qWidth, heads, headDim, positions[r], rope.cos(), rope.sin(), false);
                RopeKernel.rotateRow(buf.k(), r * kvWidth, buf.k(), r * kvWidth, kvHeads, headDim, positions[r], rope.cos(), rope.sin(), false);
            }
        });
        store(index, buf, t);
        attend(index, buf, t);
        WeightProduct.multiply(buf.attended(), 0, qWidth, rows, new Product(l.o(), l.oBias(), buf.projected(), 0, width));
        VectorMath.addInto(buf.projected(), 0, buf.x(), 0, rows * width);
        RmsNormKernel.forward(buf.x(), 0, l.postNorm(), 0, buf.normed(), buf.rstd(), rows, width, eps);
        switch (l.mlp()) {
            case LlamaWeights.Dense d -> swiGlu(d, buf.normed(), rows, buf, buf.projected());
            case LlamaWeights.Sparse s -> sparse(index, s, buf, rows);
        }
        VectorMath.addInto(buf.projected(), 0, buf.x(), 0, rows * width);
    }

    /** {@code out = down(silu(gate x) * up x)} for m rows of x (m, C) -> out (m, C), through the buffers' (m, F) gate and up. */
    private void swiGlu(LlamaWeights.Dense d, float[] x, int m, Buffers buf, float[] out) {
        WeightProduct.multiply(x, 0, width, m, new Product(d.gate(), null, buf.gate(), 0, ffn), new Product(d.up(), null, buf.up(), 0, ffn));
        Activations.sigmoidGate(Activations.Gate.SILU, buf.gate(), 0, buf.gate(), m * ffn);
        BinaryKernel.forward(BinaryKernel.Op.MUL, buf.gate(), 0, BinaryKernel.Layout.FULL, buf.up(), 0, BinaryKernel.Layout.FULL, buf.gate(), 1, m * ffn);
        WeightProduct.multiply(buf.gate(), 0, ffn, m, new Product(d.down(), null, out, 0, width));
    }

    /**
     * Mixtral's block over the normed rows into {@code projected}: route every row, then each expert
     * that some row chose runs once on all its rows (gathered in row order) and its outputs, times
     * their routing weights, are added to those rows in expert order ({@link MixtralMoeBlock#forward}'s sum).
     */
    private void sparse(int layer, LlamaWeights.Sparse s, Buffers buf, int rows) {
        Routed r = buf.routed();
        int[] chosen = r.chosen()[layer];
        WeightProduct.multiply(buf.normed(), 0, width, rows, new Product(s.router(), null, r.logits(), 0, numExperts));      // (rows, E)
        Routing.route(r.logits(), 0, rows, numExperts, topK, Integer.MAX_VALUE, chosen, r.weights(), r.kept(), r.load());
        float[] y = buf.projected();
        Arrays.fill(y, 0, rows * width, 0f);
        for (int e = 0; e < numExperts; e++) {
            int n = 0;
            for (int slot = 0; slot < rows * topK; slot++) {
                if (chosen[slot] != e) continue;
                r.slots()[n] = slot;
                System.arraycopy(buf.normed(), slot / topK * width, r.gathered(), n++ * width, width);                       // (n_e, C)
            }
            if (n == 0) continue; // no row chose it: HF's loop runs it on no rows
            swiGlu(s.experts().get(e), r.gathered(), n, buf, r.out());                                                      // (n_e, C)
            for (int j = 0; j < n; j++) {
                int slot = r.slots()[j], yo = slot / topK * width, oo = j * width;
                float weight = r.weights()[slot];
                for (int c = 0; c < width; c++) y[yo + c] += weight * r.out()[oo + c];
            }
        }
    }

    /** The experts layer {@code layer} chose for every row of the last pass (B·t, k), most probable first; empty for a dense model. */
    public int[] experts(int layer) {
        if (buffers.routed() == null) return new int[0];
        return Arrays.copyOf(buffers.routed().chosen()[layer], batch * lastT * topK);
    }

    /** The experts each layer chose for each sequence's last position in the last pass: (layers, B, k); empty for a dense model. */
    public int[] routes() {
        if (buffers.routed() == null) return new int[0];
        int layers = weights.layers().size();
        int[] out = new int[layers * batch * topK];
        for (int l = 0; l < layers; l++) {
            for (int b = 0; b < batch; b++) System.arraycopy(buffers.routed().chosen()[l], (b * lastT + lastT - 1) * topK, out, (l * batch + b) * topK, topK);
        }
        return out;
    }

    /** The new keys (transposed) and values into the layer's cache at positions length .. length+t-1. */
    private void store(int layer, Buffers buf, int t) {
        float[] k = keys[layer], v = values[layer];
        for (int b = 0; b < batch; b++) {
            for (int j = 0; j < t; j++) {
                int row = b * t + j, position = length + j;
                for (int g = 0; g < kvHeads; g++) {
                    int from = row * kvWidth + g * headDim, head = b * kvHeads + g;
                    DecodeAttention.storeKey(buf.k(), from, k, head * headKeys, position, headDim);
                    System.arraycopy(buf.v(), from, v, (head * capacity + position) * headDim, headDim);
                }
            }
        }
    }

    /** Causal grouped-query attention of the t new queries per sequence over the cache, in parallel over (sequence, kv head, query). */
    private void attend(int layer, Buffers buf, int t) {
        float[] k = keys[layer], v = values[layer];
        int tasks = batch * kvHeads * t;
        Parallel.parallelRange(tasks, 1, (s, e) -> {
            float[] sc = scores.get();
            for (int task = s; task < e; task++) {
                int j = task % t, head = task / t, b = head / kvHeads, g = head % kvHeads, row = b * t + j;
                int qo = row * qWidth + g * group * headDim;
                DecodeAttention.attendGroup(buf.q(), qo, group, k, head * headKeys, v, head * capacity * headDim,
                        length + j + 1, headDim, scale, keyMask, b * capacity, sc, buf.attended(), qo);
            }
        });
    }

    /** Greedy continuations: generated tokens (B·steps, row-major; after a sequence's end, its end token again), and each sequence's count. */
    public record Generation(int[] tokens, int[] counts, int steps, float[] logits) {}

    /**
     * Greedy decoding as {@code generate(do_sample=False)}: the prompt (B·T ids, {@code mask} as in
     * {@link #prefill}) in one pass, then up to {@code maxNew} tokens per sequence; a sequence ends
     * at any of {@code eos} (its later tokens repeat it), and decoding stops when all have ended.
     * With {@code keepLogits}, the logits that chose each token (B, steps, V).
     */
    public Generation generate(int[] prompt, int[] mask, int maxNew, int[] eos, boolean keepLogits) {
        int[] tokens = new int[batch * maxNew], counts = new int[batch], next = new int[batch];
        float[] kept = keepLogits ? new float[batch * maxNew * vocab] : null;
        boolean[] done = new boolean[batch];
        float[] logits = prefill(prompt, mask, false);
        int s = 0;
        for (; s < maxNew; s++) {
            if (s > 0) logits = step(next);
            boolean all = true;
            for (int b = 0; b < batch; b++) {
                int token = done[b] ? next[b] : argmax(logits, b * vocab, vocab);
                if (keepLogits) System.arraycopy(logits, b * vocab, kept, (b * maxNew + s) * vocab, vocab);
                tokens[b * maxNew + s] = token;
                if (!done[b]) {
                    counts[b]++;
                    done[b] = Arrays.stream(eos).anyMatch(e -> e == token);
                }
                next[b] = token;
                all &= done[b];
            }
            if (all) {
                s++;
                break;
            }
        }
        return new Generation(tokens, counts, s, kept);
    }

    /** The first index of the largest value, as torch.argmax picks it. */
    public static int argmax(float[] a, int from, int n) {
        int best = 0;
        for (int j = 1; j < n; j++) if (a[from + j] > a[from + best]) best = j;
        return best;
    }
}
