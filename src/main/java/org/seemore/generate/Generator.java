package org.seemore.generate;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.seemore.model.ForwardContext;
import org.seemore.model.LanguageModel;
import org.seemore.model.Vlm;
import org.seemore.tensor.GradMode;
import org.seemore.tensor.Rng;
import org.seemore.tensor.Tensor;

/**
 * Autoregressive caption generation with a KV cache: the visual tokens and the prompt are prefilled
 * once, then each new token costs one position per layer ({@link LanguageModel.Decoding#step}). Stops at the end-of-sequence token, at
 * {@code maxNewTokens}, or when the position table is full.
 */
public final class Generator {
    private final Vlm model;

    public Generator(Vlm model) {
        this.model = model;
    }

    /** What to generate. {@code eos} < 0 means no end token. */
    public record Settings(int maxNewTokens, int eos, Sampler sampler, long seed) {
        public Settings {
            if (maxNewTokens < 0) throw new IllegalArgumentException("max new tokens must be >= 0");
        }
    }

    /**
     * images (B, 3, S, S) or null; prompts: B rows of the same length (e.g. {@code <bos>}) ->
     * per image, the new tokens (without the prompt; the eos token, when produced, is not included).
     */
    public int[][] generate(Tensor images, int[][] prompts, Settings settings) {
        int batch = prompts.length, promptLen = prompts[0].length;
        for (int[] p : prompts) if (p.length != promptLen) throw new IllegalArgumentException("prompts of one batch must have the same length");
        try (var g = GradMode.noGrad()) {
            Tensor visual = images == null ? null : model.visualTokens(images, ForwardContext.inference()); // (B, Nv, C)
            int nv = visual == null ? 0 : visual.dim(1);
            int maxNew = budget(model, nv, promptLen, settings);
            int capacity = nv + promptLen + Math.max(maxNew - 1, 0);
            LanguageModel.Decoding decoding = model.language().newDecoding(batch, capacity);
            int[] flat = new int[batch * promptLen];
            for (int b = 0; b < batch; b++) System.arraycopy(prompts[b], 0, flat, b * promptLen, promptLen);
            Tensor prefill = decoding.forward(visual, flat);                        // (B, Nv+P, V)
            int vocab = prefill.dim(2), rows = prefill.dim(1);
            // the last prefilled position's logits, then each step's
            float[] logits = new float[batch * vocab];
            for (int b = 0; b < batch; b++) {
                System.arraycopy(prefill.data(), prefill.offset() + ((b * rows) + rows - 1) * vocab, logits, b * vocab, vocab);
            }
            Rng rng = new Rng(settings.seed());
            List<List<Integer>> out = new ArrayList<>();
            boolean[] done = new boolean[batch];
            for (int b = 0; b < batch; b++) out.add(new ArrayList<>());
            int[] next = new int[batch];
            for (int step = 0; step < maxNew; step++) {
                boolean all = true;
                for (int b = 0; b < batch; b++) {
                    next[b] = settings.sampler().sample(logits, b * vocab, vocab, rng);
                    if (!done[b]) {
                        if (next[b] == settings.eos()) done[b] = true;
                        else out.get(b).add(next[b]);
                    }
                    all &= done[b];
                }
                if (all || step == maxNew - 1) break;
                logits = decoding.step(next); // (B, V)
            }
            int[][] result = new int[batch][];
            for (int b = 0; b < batch; b++) result[b] = out.get(b).stream().mapToInt(Integer::intValue).toArray();
            return result;
        }
    }

    /**
     * New tokens allowed: the last one is sampled from the last position and never fed back, so the
     * sequence may fill the position table exactly.
     */
    static int budget(Vlm model, int visual, int promptLen, Settings settings) {
        if (visual + promptLen > model.config().maxPositions()) {
            throw new IllegalArgumentException("the prompt of " + promptLen + " tokens does not fit the position table of " + model.config().maxPositions());
        }
        return Math.min(settings.maxNewTokens(), model.config().maxPositions() - visual - promptLen + 1);
    }

    /** The same generation recomputing the whole sequence at every step (no cache): the reference for tests. */
    public int[][] generateUncached(Tensor images, int[][] prompts, Settings settings) {
        int batch = prompts.length;
        try (var g = GradMode.noGrad()) {
            int[][] seqs = new int[batch][];
            for (int b = 0; b < batch; b++) seqs[b] = prompts[b].clone();
            Rng rng = new Rng(settings.seed());
            int nv = images == null ? 0 : model.config().numVisualTokens();
            boolean[] done = new boolean[batch];
            List<List<Integer>> out = new ArrayList<>();
            for (int b = 0; b < batch; b++) out.add(new ArrayList<>());
            int maxNew = budget(model, nv, prompts[0].length, settings);
            for (int step = 0; step < maxNew; step++) {
                int t = seqs[0].length;
                int[] flat = new int[batch * t];
                for (int b = 0; b < batch; b++) System.arraycopy(seqs[b], 0, flat, b * t, t);
                Tensor logits = model.forward(images, flat, batch, ForwardContext.inference()).logits();
                int rows = logits.dim(1), vocab = logits.dim(2);
                boolean all = true;
                for (int b = 0; b < batch; b++) {
                    int next = settings.sampler().sample(logits.data(), ((b * rows) + rows - 1) * vocab, vocab, rng);
                    seqs[b] = Arrays.copyOf(seqs[b], t + 1);
                    seqs[b][t] = next;
                    if (!done[b]) {
                        if (next == settings.eos()) done[b] = true;
                        else out.get(b).add(next);
                    }
                    all &= done[b];
                }
                if (all) break;
            }
            int[][] result = new int[batch][];
            for (int b = 0; b < batch; b++) result[b] = out.get(b).stream().mapToInt(Integer::intValue).toArray();
            return result;
        }
    }
}
