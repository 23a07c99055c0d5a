package org.seemore.generate.hf;

import java.util.Arrays;
import org.seemore.UserException;
import org.seemore.model.LanguageModel;
import org.seemore.model.hf.DecoderConfig;
import org.seemore.model.hf.HfModelDirectory;
import org.seemore.model.llama.LlamaLanguageModel;
import org.seemore.model.llama.LlamaModel;
import org.seemore.tensor.Shaping;
import org.seemore.tensor.Tensor;

/**
 * {@code LlamaForCausalLM}, {@code Qwen2ForCausalLM} and {@code MixtralForCausalLM} as an
 * {@link HfLanguageModel}: a text-only decoder, generating through {@link LlamaLanguageModel}'s
 * KV-cached decoding (Mixtral's sparse MoE block routes each position inside it).
 */
final class LlamaGeneration implements HfLanguageModel {
    /**
     * Prompt positions per prefill pass. A pass computes logits at every position it runs, (T, V) floats:
     * 256 positions of Qwen2's 151,936-token vocabulary are 156 MB, a 4,000-token prompt at once 2.4 GB.
     */
    static final int PREFILL_CHUNK = 256;

    private final LlamaLanguageModel model;
    private final int chunk;

    LlamaGeneration(LlamaModel model, int chunk) {
        this.model = new LlamaLanguageModel(model);
        this.chunk = chunk;
    }

    /** The decoder of {@code directory}, its weights widened to float32. */
    static LlamaGeneration load(HfModelDirectory directory) {
        DecoderConfig config = directory.decoder().orElseThrow();
        try {
            return new LlamaGeneration(LlamaModel.load(config, directory.weights()), PREFILL_CHUNK);
        } catch (IllegalArgumentException e) { // an unsupported option (sliding window, activation) or a tensor LlamaModel refuses
            throw new UserException(directory.directory() + ": " + e.getMessage());
        }
    }

    @Override
    public int maxPositions() {
        return model.config().maxPositions();
    }

    @Override
    public int vocabSize() {
        return model.config().vocabSize();
    }

    @Override
    public Generation start(int[] promptIds, Tensor pixelValues, int capacity) {
        if (pixelValues != null) throw new IllegalArgumentException("a text-only model was given images");
        if (promptIds.length == 0) throw new IllegalArgumentException("an empty prompt");
        return start(model, model.model().embed(promptIds, 1), capacity, chunk);
    }

    /**
     * Prefills a fresh KV cache of {@code capacity} positions with {@code embeddings} (1, T, C),
     * {@code chunk} positions a pass, and decodes from there: shared with {@link LlavaGeneration},
     * whose embeddings hold image features.
     */
    static Generation start(LlamaLanguageModel model, Tensor embeddings, int capacity, int chunk) {
        LanguageModel.Decoding decoding = model.newDecoding(1, capacity);
        int length = embeddings.dim(1);
        Tensor prefill = null;
        // the cache grows chunk by chunk; each chunk's queries are the last keys, so this equals one pass
        for (int from = 0; from < length; from += chunk) {
            Tensor part = Shaping.slice(embeddings, 1, from, Math.min(chunk, length - from)); // (1, t, C)
            prefill = decoding.forward(part, new int[0]);                                      // (1, t, V)
        }
        int v = prefill.dim(2), t = prefill.dim(1);
        float[] first = Arrays.copyOfRange(prefill.data(), prefill.offset() + (t - 1) * v, prefill.offset() + t * v);
        return new Generation() {
            private float[] logits = first;

            @Override
            public float[] logits() {
                return logits;
            }

            @Override
            public float[] step(int token) {
                logits = decoding.step(new int[] {token});  // (1, V)
                return logits;
            }
        };
    }
}
