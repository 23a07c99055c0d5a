package org.seemore.model.llama;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import org.seemore.model.hf.DecoderConfig;
import org.seemore.model.hf.HfModelConfig;
import org.seemore.tensor.GradMode;
import org.seemore.tensor.Rng;
import org.seemore.tensor.Tensor;
import org.seemore.tensor.kernels.Parallel;

/**
 * Times, by hand (not a test), greedy decoding steps of a (Mixtral-shaped) model at batch 1 and 8 on
 * the two paths {@code LlamaLanguageModel.newDecoding} has had: the tensor ops over a {@link KvCache}
 * without gradients (what its {@code CachedDecoding} ran for Mixtral, one {@link LlamaModel#layer}
 * per layer and {@link LlamaModel#head}) and {@link FastDecoder} on the same float32 weights, then on
 * bfloat16 ones. After a 16-token prompt (not timed), NEW_TOKENS steps are timed; the three paths take
 * turns round after round, and each figure is the median of ROUNDS, so that the ratios share the
 * machine's load.
 *
 * <p>Arguments: [CONFIG (default bench/configs/mixtral-mini.json)] [LAYERS (default: the config's)]
 * [NEW_TOKENS (default 16)] [ROUNDS (default 3)] [THREADS (default: all cores)]. Random weights, seeded.
 */
public final class MixtralDecodeBench {
    private static final int PROMPT = 16;

    private MixtralDecodeBench() {}

    /** One way to decode: a prompt (B·PROMPT ids), then {@code steps} steps timed; returns their seconds. */
    private interface Decode {
        double seconds(int[] prompt, int batch, int steps);
    }

    public static void main(String[] args) {
        DecoderConfig c = (DecoderConfig) HfModelConfig.readFile(Path.of(args.length > 0 ? args[0] : "bench/configs/mixtral-mini.json")).config();
        if (args.length > 1) {
            c = new DecoderConfig(c.family(), c.vocabSize(), c.hiddenSize(), c.intermediateSize(), Integer.parseInt(args[1]), c.numAttentionHeads(),
                    c.numKeyValueHeads(), c.headDim(), c.maxPositionEmbeddings(), c.rmsNormEps(), c.ropeTheta(), c.ropeScaling(), c.hiddenAct(),
                    c.tieWordEmbeddings(), c.qkvBias(), c.outputBias(), c.mlpBias(), c.slidingWindow(), c.moe(), c.bosTokenId(), c.eosTokenIds());
        }
        int newTokens = args.length > 2 ? Integer.parseInt(args[2]) : 16, rounds = args.length > 3 ? Integer.parseInt(args[3]) : 3;
        if (args.length > 4) Parallel.setThreads(Integer.parseInt(args[4]));
        LlamaModel model = new LlamaModel(c, new Rng(0));
        LlamaWeights f32 = LlamaWeights.of(model, LlamaWeights.Precision.F32), bf16 = LlamaWeights.of(model, LlamaWeights.Precision.BF16);
        System.out.printf(Locale.ROOT, "%s: %d layers, hidden %d, %s, (expert) width %d; %d threads, %d new tokens, median of %d%n",
                args.length > 0 ? args[0] : "bench/configs/mixtral-mini.json", c.numHiddenLayers(), c.hiddenSize(),
                c.moe().map(m -> m.numLocalExperts() + " experts top-" + m.numExpertsPerTok()).orElse("dense"), c.intermediateSize(),
                Parallel.threads(), newTokens, rounds);
        Decode[] paths = {(prompt, batch, steps) -> tensorPath(model, prompt, batch, steps), (prompt, batch, steps) -> fast(f32, prompt, batch, steps),
                (prompt, batch, steps) -> fast(bf16, prompt, batch, steps)};
        for (int batch : new int[] {1, 8}) {
            Rng rng = new Rng(batch);
            int[] prompt = new int[batch * PROMPT];
            for (int i = 0; i < prompt.length; i++) prompt[i] = rng.nextInt(c.vocabSize());
            double[][] rates = new double[paths.length][rounds];
            for (Decode p : paths) p.seconds(prompt, batch, 4); // warm-up
            for (int r = 0; r < rounds; r++) {
                for (int p = 0; p < paths.length; p++) rates[p][r] = batch * newTokens / paths[p].seconds(prompt, batch, newTokens);
            }
            double old = median(rates[0]), fast = median(rates[1]), half = median(rates[2]);
            System.out.printf(Locale.ROOT, "batch %d decode tokens/s: tensor path %.1f, FastDecoder f32 %.1f (x%.2f), bf16 %.1f (x%.2f)%n",
                    batch, old, fast, fast / old, half, half / old);
        }
    }

    /** The old CachedDecoding's passes: every layer through the tensor ops over a KV cache, no gradients, greedy. */
    private static double tensorPath(LlamaModel model, int[] prompt, int batch, int steps) {
        try (GradMode.Scope ignored = GradMode.noGrad()) {
            KvCache cache = new KvCache(model.layers.size());
            int[] tokens = next(pass(model, cache, model.embed(prompt, batch)), batch);
            long t0 = System.nanoTime();
            for (int s = 0; s < steps; s++) tokens = next(pass(model, cache, model.embed(tokens, batch)), batch);
            return (System.nanoTime() - t0) / 1e9;
        }
    }

    private static Tensor pass(LlamaModel model, KvCache cache, Tensor x) {
        int start = cache.length(), t = x.dim(1);
        int[] positions = new int[t];
        for (int i = 0; i < t; i++) positions[i] = start + i;
        for (int i = 0; i < model.layers.size(); i++) x = model.layer(model.layers.get(i), x, positions, cache.layers.get(i), null).hidden();
        return model.head(x);
    }

    /** Each sequence's argmax at its last position of logits (B, T, V). */
    private static int[] next(Tensor logits, int batch) {
        float[] v = logits.toArray();
        int vocab = logits.dim(2), t = logits.dim(1);
        int[] out = new int[batch];
        for (int b = 0; b < batch; b++) out[b] = FastDecoder.argmax(v, (b * t + t - 1) * vocab, vocab);
        return out;
    }

    private static double fast(LlamaWeights weights, int[] prompt, int batch, int steps) {
        FastDecoder d = new FastDecoder(weights, batch, PROMPT + steps + 1);
        int vocab = weights.config().vocabSize();
        float[] logits = d.prefill(prompt, null, false);
        int[] tokens = new int[batch];
        long t0 = System.nanoTime();
        for (int s = 0; s < steps; s++) {
            for (int b = 0; b < batch; b++) tokens[b] = FastDecoder.argmax(logits, b * vocab, vocab);
            logits = d.step(tokens);
        }
        return (System.nanoTime() - t0) / 1e9;
    }

    private static double median(double[] a) {
        double[] s = a.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }
}
