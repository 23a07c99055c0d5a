package org.seemore.generate.hf;

import java.util.Arrays;
import java.util.Locale;
import org.seemore.UserException;
import org.seemore.model.hf.HfModelDirectory;
import org.seemore.model.llama.FastDecoder;
import org.seemore.model.llama.LlamaWeights;
import org.seemore.tensor.Tensor;

/**
 * {@code LlamaForCausalLM}, {@code Qwen2ForCausalLM} and {@code MixtralForCausalLM} as an {@link HfLanguageModel}, on the inference
 * path: the decoder's weights read straight from the checkpoint into {@link LlamaWeights} (bfloat16
 * kept 16-bit unless {@link WeightDtype} says otherwise; no autodiff model is built) and run by
 * {@link FastDecoder}: the prompt prefilled {@link #PREFILL_CHUNK} positions a pass, then a token a step.
 */
final class LlamaGeneration implements HfLanguageModel {
    /**
     * Prompt positions per prefill pass. A pass holds the activations of every position it runs (for
     * Qwen2-0.5B 58 KB a position, for a 7B Llama ~200 KB: 0.8 GB for a 4,000-token prompt at once, 51 MB
     * in passes of 256); each pass returns the logits of its last position only.
     */
    static final int PREFILL_CHUNK = 256;

    private final LlamaWeights weights;
    private final int chunk;

    LlamaGeneration(LlamaWeights weights, int chunk) {
        this.weights = weights;
        this.chunk = chunk;
    }

    /** The decoder of {@code directory}, its matrices as {@code dtype} says. */
    static LlamaGeneration load(HfModelDirectory directory, WeightDtype dtype) {
        return new LlamaGeneration(weights(directory, "", dtype), PREFILL_CHUNK);
    }

    /** The decoder (dense or with experts) of {@code directory} behind {@code prefix} (LLaVA's {@code language_model.}); an option it cannot run is one line. */
    static LlamaWeights weights(HfModelDirectory directory, String prefix, WeightDtype dtype) {
        try {
            return LlamaWeights.load(directory.decoder().orElseThrow(), directory.weights(), prefix, dtype.precision(directory.weights(), prefix));
        } catch (IllegalArgumentException e) { // sliding windows, MLP biases, an activation other than silu
            throw new UserException(directory.directory() + ": " + e.getMessage());
        }
    }

    /** The weights it decodes with. */
    LlamaWeights weights() {
        return weights;
    }

    @Override
    public String weightsInMemory() {
        return describe(weights);
    }

    /** {@code bf16, 269.1 MB}: the matrices' type and every weight's bytes. */
    static String describe(LlamaWeights weights) {
        return String.format(Locale.ROOT, "%s, %.1f MB", weights.precision().name().toLowerCase(Locale.ROOT), weights.bytes() / 1e6);
    }

    @Override
    public int maxPositions() {
        return weights.config().maxPositionEmbeddings();
    }

    @Override
    public int vocabSize() {
        return weights.config().vocabSize();
    }

    @Override
    public Generation start(int[] promptIds, Tensor pixelValues, int capacity) {
        if (pixelValues != null) throw new IllegalArgumentException("a text-only model was given images");
        if (promptIds.length == 0) throw new IllegalArgumentException("an empty prompt");
        FastDecoder decoder = new FastDecoder(weights, 1, capacity);
        return start(decoder, decoder.embed(promptIds), chunk);
    }

    /**
     * Prefills {@code decoder}'s fresh KV cache with {@code embeddings} (T, C), {@code chunk} positions a
     * pass, and decodes from there: shared with {@link LlavaGeneration}, whose embeddings hold image features.
     */
    static Generation start(FastDecoder decoder, float[] embeddings, int chunk) {
        int width = decoder.weights().config().hiddenSize(), length = embeddings.length / width;
        // the cache grows chunk by chunk; each chunk's queries are the last keys, so this equals one pass
        float[] last = null;
        for (int from = 0; from < length; from += chunk) {
            int t = Math.min(chunk, length - from);
            float[] part = t == length ? embeddings : Arrays.copyOfRange(embeddings, from * width, (from + t) * width); // (t, C)
            last = decoder.prefill(part, t, null, false);                                                            // (V)
        }
        return Generation.of(last, token -> decoder.step(new int[] {token})); // (V), in the decoder's buffer
    }
}
