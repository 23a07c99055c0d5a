package org.seemore.model.llama;

import java.util.Arrays;
import java.util.Set;
import org.seemore.tensor.GradMode;
import org.seemore.tensor.Linalg;
import org.seemore.tensor.NnOps;
import org.seemore.tensor.Shaping;
import org.seemore.tensor.Tensor;

/**
 * Greedy decoding over a KV cache, as Hugging Face's {@code generate(do_sample=False, num_beams=1)}:
 * the prompt in one pass, then one token per step, each the argmax of the last position's logits.
 * Positions are {@code cumsum(attention_mask) - 1}, as {@code generate} computes them, and padded
 * prompt positions stay masked as keys for every later step.
 */
public final class GreedyDecoder {
    private final LlamaModel model;

    /** Generated tokens (B * steps, row-major) and the logits that chose them (B, steps, V); steps may be fewer than asked when every sequence ended. */
    public record Result(int[] tokens, float[] logits, int steps) {}

    public GreedyDecoder(LlamaModel model) {
        this.model = model;
    }

    /** Greedily continues {@code prompt} (B*T) with {@code steps} tokens; {@code mask} (B*T) is the prompt's attention mask, null for all ones. */
    public Result generate(int[] prompt, int[] mask, int batch, int steps) {
        Tensor embeddings;
        try (GradMode.Scope ignored = GradMode.noGrad()) {
            embeddings = model.embed(prompt, batch);
        }
        return generate(embeddings, mask, steps, Set.of());
    }

    /**
     * Greedily continues a prompt given as input embeddings (B, T, C) (LLaVA's, with image features
     * in place of its image tokens) with up to {@code steps} tokens, stopping early once every
     * sequence has produced one of {@code eosIds} (later tokens of a sequence that ended first are
     * still greedy choices: callers cut each sequence at its end). {@code mask} (B*T) is the prompt's
     * attention mask, null for all ones.
     */
    public Result generate(Tensor promptEmbeddings, int[] mask, int steps, Set<Integer> eosIds) {
        int batch = promptEmbeddings.dim(0), t = promptEmbeddings.dim(1), v = model.config().vocabSize();
        if (mask != null && mask.length != batch * t) throw new IllegalArgumentException(mask.length + " mask values for " + batch + " x " + t + " positions");
        int[] keyMask = mask == null ? filled(batch * t) : mask.clone();
        int[] next = new int[batch]; // next position per sequence
        int[] positions = new int[batch * t];
        for (int b = 0; b < batch; b++) {
            int seen = 0;
            for (int j = 0; j < t; j++) {
                seen += keyMask[b * t + j];
                positions[b * t + j] = Math.max(seen - 1, 0); // HF fills the padded (negative) ones with 1; they are masked keys either way
            }
            next[b] = seen;
        }
        KvCache cache = new KvCache(model.layers.size());
        int[] tokens = new int[batch * steps];
        float[] logits = new float[batch * steps * v];
        boolean[] ended = new boolean[batch];
        int done = 0;
        try (GradMode.Scope ignored = GradMode.noGrad()) {
            Tensor x = promptEmbeddings;
            int[] tokenIn = new int[batch];
            while (done < steps) {
                int s = done++;
                for (int i = 0; i < model.layers.size(); i++) x = model.layer(model.layers.get(i), x, positions, cache.layers.get(i), keyMask).hidden();
                int len = x.dim(1);
                Tensor last = Shaping.slice(x, 1, len - 1, 1);
                float[] row = Linalg.linear(NnOps.rmsNorm(last, model.finalNorm, model.eps()), model.lmHead, null).toArray();
                boolean all = true;
                for (int b = 0; b < batch; b++) {
                    int best = 0;
                    for (int j = 1; j < v; j++) if (row[b * v + j] > row[b * v + best]) best = j;
                    tokens[b * steps + s] = best;
                    tokenIn[b] = best;
                    System.arraycopy(row, b * v, logits, (b * steps + s) * v, v);
                    ended[b] |= eosIds.contains(best);
                    all &= ended[b];
                }
                if (all) break;
                keyMask = widen(keyMask, batch, cache.length());
                positions = next.clone();
                for (int b = 0; b < batch; b++) next[b]++;
                x = model.embed(tokenIn, batch);
            }
        }
        return done == steps ? new Result(tokens, logits, steps) : truncated(tokens, logits, batch, steps, done, v);
    }

    /** The first {@code done} of {@code steps} steps of each sequence. */
    private static Result truncated(int[] tokens, float[] logits, int batch, int steps, int done, int v) {
        int[] t = new int[batch * done];
        float[] l = new float[batch * done * v];
        for (int b = 0; b < batch; b++) {
            System.arraycopy(tokens, b * steps, t, b * done, done);
            System.arraycopy(logits, b * steps * v, l, b * done * v, done * v);
        }
        return new Result(t, l, done);
    }

    private static int[] filled(int n) {
        int[] a = new int[n];
        Arrays.fill(a, 1);
        return a;
    }

    /** The key mask of (B, length) cached positions plus one new visible position per sequence. */
    private static int[] widen(int[] mask, int batch, int length) {
        int[] out = new int[batch * (length + 1)];
        for (int b = 0; b < batch; b++) {
            System.arraycopy(mask, b * length, out, b * (length + 1), length);
            out[b * (length + 1) + length] = 1;
        }
        return out;
    }
}
