package org.seemore.bench;

import java.nio.file.Path;
import java.util.Locale;
import org.seemore.model.hf.DecoderConfig;
import org.seemore.model.hf.HfModelConfig;
import org.seemore.model.llama.FastDecoder;
import org.seemore.model.llama.GreedyDecoder;
import org.seemore.model.llama.LlamaModel;
import org.seemore.model.llama.LlamaWeights;
import org.seemore.tensor.Rng;
import org.seemore.tensor.kernels.Parallel;

/**
 * Times, by hand (not a test), greedy decoding of a Mixtral-shaped model at batch 1 and 8 on the two
 * paths {@code LlamaLanguageModel.newDecoding} has had: the tensor ops over a KV cache (the
 * {@link GreedyDecoder} arithmetic the old {@code CachedDecoding} ran) and {@link FastDecoder} on the
 * same float32 weights, then on bfloat16 ones. Decode speed is (new tokens) / (time of a run of N + 1
 * tokens minus that of a run of 1), so the prefill is not counted; each figure is the best of
 * {@code ROUNDS}, all in one run so that the ratios share the machine's load.
 *
 * <p>Arguments: [CONFIG (default bench/configs/mixtral-mini.json)] [LAYERS (default: the config's)]
 * [NEW_TOKENS (default 16)] [ROUNDS (default 2)]. Random weights, seeded.
 */
public final class MixtralDecodeBench {
    private static final int PROMPT = 16;

    private MixtralDecodeBench() {}

    /** One way to decode: {@code steps} greedy tokens per sequence after a prompt (B·PROMPT ids). */
    private interface Decode {
        void run(int[] prompt, int batch, int steps);
    }

    public static void main(String[] args) {
        DecoderConfig c = (DecoderConfig) HfModelConfig.readFile(Path.of(args.length > 0 ? args[0] : "bench/configs/mixtral-mini.json")).config();
        if (args.length > 1) {
            c = new DecoderConfig(c.family(), c.vocabSize(), c.hiddenSize(), c.intermediateSize(), Integer.parseInt(args[1]), c.numAttentionHeads(),
                    c.numKeyValueHeads(), c.headDim(), c.maxPositionEmbeddings(), c.rmsNormEps(), c.ropeTheta(), c.ropeScaling(), c.hiddenAct(),
                    c.tieWordEmbeddings(), c.qkvBias(), c.outputBias(), c.mlpBias(), c.slidingWindow(), c.moe(), c.bosTokenId(), c.eosTokenIds());
        }
        int newTokens = args.length > 2 ? Integer.parseInt(args[2]) : 16, rounds = args.length > 3 ? Integer.parseInt(args[3]) : 2;
        LlamaModel model = new LlamaModel(c, new Rng(0));
        LlamaWeights f32 = LlamaWeights.of(model, LlamaWeights.Precision.F32), bf16 = LlamaWeights.of(model, LlamaWeights.Precision.BF16);
        System.out.printf(Locale.ROOT, "%s: %d layers, hidden %d, %s, (expert) width %d; %d threads, %d new tokens, best of %d%n",
                args.length > 0 ? args[0] : "mixtral-mini", c.numHiddenLayers(), c.hiddenSize(),
                c.moe().map(m -> m.numLocalExperts() + " experts top-" + m.numExpertsPerTok()).orElse("dense"), c.intermediateSize(),
                Parallel.threads(), newTokens, rounds);
        Decode tensor = (prompt, batch, steps) -> new GreedyDecoder(model).generate(prompt, null, batch, steps);
        Decode fastF32 = (prompt, batch, steps) -> new FastDecoder(f32, batch, PROMPT + steps).generate(prompt, null, steps, new int[0], false);
        Decode fastBf16 = (prompt, batch, steps) -> new FastDecoder(bf16, batch, PROMPT + steps).generate(prompt, null, steps, new int[0], false);
        for (int batch : new int[] {1, 8}) {
            Rng rng = new Rng(batch);
            int[] prompt = new int[batch * PROMPT];
            for (int i = 0; i < prompt.length; i++) prompt[i] = rng.nextInt(c.vocabSize());
            double old = tokensPerS(tensor, prompt, batch, newTokens, rounds), fast = tokensPerS(fastF32, prompt, batch, newTokens, rounds);
            double fastHalf = tokensPerS(fastBf16, prompt, batch, newTokens, rounds);
            System.out.printf(Locale.ROOT, "batch %d decode tokens/s: tensor path %.1f, FastDecoder f32 %.1f (x%.1f), bf16 %.1f (x%.1f)%n",
                    batch, old, fast, fast / old, fastHalf, fastHalf / old);
        }
    }

    /** New tokens per second over all sequences, the best of {@code rounds} (after one warm-up round). */
    private static double tokensPerS(Decode path, int[] prompt, int batch, int steps, int rounds) {
        double best = 0;
        for (int r = 0; r <= rounds; r++) {
            long t0 = System.nanoTime();
            path.run(prompt, batch, 1);
            long t1 = System.nanoTime();
            path.run(prompt, batch, steps + 1);
            long t2 = System.nanoTime();
            double seconds = ((t2 - t1) - (t1 - t0)) / 1e9;
            if (r > 0) best = Math.max(best, batch * steps / seconds);
        }
        return best;
    }
}
