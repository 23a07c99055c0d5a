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
    private final LlamaLanguageModel model;

    LlamaGeneration(LlamaModel model) {
        this.model = new LlamaLanguageModel(model);
    }

    /** The decoder of {@code directory}, its weights widened to float32. */
    static LlamaGeneration load(HfModelDirectory directory) {
        DecoderConfig config = directory.decoder().orElseThrow();
        try {
            return new LlamaGeneration(LlamaModel.load(config, directory.weights()));
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
        LanguageModel.Decoding decoding = model.newDecoding(1, capacity);
        Tensor prefill = decoding.forward(null, promptIds);   // (1, T, V)
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
