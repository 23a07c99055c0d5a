package org.seemore.generate.hf;

import java.util.Arrays;
import java.util.Locale;
import org.seemore.UserException;
import org.seemore.model.LanguageModel;
import org.seemore.model.hf.DecoderConfig;
import org.seemore.model.hf.HfModelDirectory;
import org.seemore.model.llama.LlamaLanguageModel;
import org.seemore.model.llama.LlamaModel;
import org.seemore.tensor.Shaping;
import org.seemore.tensor.Tensor;

/**
 * {@code MixtralForCausalLM} as an {@link HfLanguageModel}: a decoder with experts, which
 * {@link org.seemore.model.llama.FastDecoder} does not route yet, so it decodes through the autodiff
 * {@link LlamaModel} (weights widened to float32) and {@link LlamaLanguageModel}'s KV-cached decoding,
 * the sparse MoE block routing each position inside it. Once FastDecoder routes experts, Mixtral moves
 * to {@link LlamaGeneration} and this class goes ({@link HfModels#loader} picks between them).
 */
final class MixtralGeneration implements HfLanguageModel {
    private final LlamaLanguageModel model;
    private final int chunk;

    MixtralGeneration(LlamaModel model, int chunk) {
        this.model = new LlamaLanguageModel(model);
        this.chunk = chunk;
    }

    /** The decoder of {@code directory}, its weights widened to float32; bfloat16 in memory is refused in one line. */
    static MixtralGeneration load(HfModelDirectory directory, WeightDtype dtype) {
        if (dtype == WeightDtype.BF16) {
            throw new UserException(directory.directory() + ": --dtype bf16: a " + directory.architecture().className
                    + " (experts) decodes in float32 for now; use --dtype auto or f32");
        }
        DecoderConfig config = directory.decoder().orElseThrow();
        try {
            return new MixtralGeneration(LlamaModel.load(config, directory.weights()), LlamaGeneration.PREFILL_CHUNK);
        } catch (IllegalArgumentException e) { // an unsupported option (sliding window, activation) or a tensor LlamaModel refuses
            throw new UserException(directory.directory() + ": " + e.getMessage());
        }
    }

    @Override
    public String weightsInMemory() {
        long values = model.model().parameters().values().stream().mapToLong(Tensor::size).sum();
        return String.format(Locale.ROOT, "f32, %.1f MB", 4 * values / 1e6);
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
        Tensor embeddings = model.model().embed(promptIds, 1); // (1, T, C)
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
        return Generation.of(first, token -> decoding.step(new int[] {token})); // (1, V)
    }
}
