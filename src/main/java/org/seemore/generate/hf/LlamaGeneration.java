package org.seemore.generate.hf;

import java.util.Arrays;
import org.seemore.UserException;
import org.seemore.model.LanguageModel;
import org.seemore.model.hf.DecoderConfig;
import org.seemore.model.hf.HfModelDirectory;
import org.seemore.model.llama.LlamaLanguageModel;
import org.seemore.model.llama.LlamaModel;
import org.seemore.tensor.Tensor;

/**
 * {@code LlamaForCausalLM} and {@code Qwen2ForCausalLM} as an {@link HfLanguageModel}: a text-only
 * decoder, generating through {@link LlamaLanguageModel}'s KV-cached decoding.
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
        LanguageModel.Decoding decoding = model.newDecoding(1, capacity);
        Tensor prefill = null;
        // the cache grows chunk by chunk; each chunk's queries are the last keys, so this equals one pass
        for (int from = 0; from < promptIds.length; from += chunk) {
            prefill = decoding.forward(null, Arrays.copyOfRange(promptIds, from, Math.min(promptIds.length, from + chunk))); // (1, t, V)
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
