package org.seemore.generate.hf;

import java.util.Optional;
import org.seemore.model.hf.HfModelDirectory;
import org.seemore.model.llama.LlamaLanguageModel;
import org.seemore.model.llava.LlavaModel;
import org.seemore.tensor.Tensor;

/**
 * {@code LlavaForConditionalGeneration} as an {@link HfLanguageModel}: the vision tower and projector
 * turn the images into feature rows, the k-th row takes the place of the k-th image token in the
 * prompt's embeddings ({@link LlavaModel#inputEmbeddings}), and the Llama or Qwen2 decoder prefills
 * them into a KV cache and decodes a token a step, as {@link LlavaModel#generate} does in one call.
 */
final class LlavaGeneration implements HfLanguageModel {
    private final LlavaModel model;
    private final LlamaLanguageModel language;
    private final int chunk;

    LlavaGeneration(LlavaModel model, int chunk) {
        this.model = model;
        this.language = new LlamaLanguageModel(model.languageModel());
        this.chunk = chunk;
    }

    /** The model of a LLaVA directory, its weights widened to float32. */
    static LlavaGeneration load(HfModelDirectory directory) {
        return new LlavaGeneration(LlavaModel.load(directory), LlamaGeneration.PREFILL_CHUNK);
    }

    @Override
    public int maxPositions() {
        return model.config().text().maxPositionEmbeddings();
    }

    @Override
    public int vocabSize() {
        return model.config().text().vocabSize();
    }

    /** The processor expands each image to image_seq_length copies of image_token_index. */
    @Override
    public Optional<ImageTokens> imageTokens() {
        return Optional.of(new ImageTokens(model.config().imageTokenIndex(), model.config().imageSeqLength()));
    }

    @Override
    public Generation start(int[] promptIds, Tensor pixelValues, int capacity) {
        if (promptIds.length == 0) throw new IllegalArgumentException("an empty prompt");
        Tensor embeddings = model.inputEmbeddings(pixelValues, promptIds, 1); // (1, T, C), image tokens replaced by features
        return LlamaGeneration.start(language, embeddings, capacity, chunk);
    }
}
