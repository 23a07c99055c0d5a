package org.seemore.generate.hf;

import java.util.Optional;
import org.seemore.model.hf.HfModelDirectory;
import org.seemore.model.hf.LlavaConfig;
import org.seemore.model.llama.FastDecoder;
import org.seemore.model.llama.LlamaWeights;
import org.seemore.model.llava.LlavaImageEncoder;
import org.seemore.model.llava.LlavaModel;
import org.seemore.tensor.Tensor;

/**
 * {@code LlavaForConditionalGeneration} as an {@link HfLanguageModel}: the vision tower and projector
 * (float32, {@link LlavaImageEncoder}) turn the images into feature rows, the k-th row takes the place
 * of the k-th image token in the prompt's embeddings (as {@link LlavaModel#inputEmbeddings} does), and
 * the Llama or Qwen2 decoder, loaded as {@link LlamaGeneration} loads one, prefills them into its KV
 * cache on {@link FastDecoder} and decodes a token a step.
 */
final class LlavaGeneration implements HfLanguageModel {
    /** Where LLaVA's checkpoint keeps the decoder's tensors. */
    static final String LANGUAGE_PREFIX = "language_model.";

    private final LlavaImageEncoder images;
    private final LlamaWeights language;
    private final int chunk;

    LlavaGeneration(LlavaImageEncoder images, LlamaWeights language, int chunk) {
        this.images = images;
        this.language = language;
        this.chunk = chunk;
    }

    /** The model of a LLaVA directory: tower and projector in float32, the decoder's matrices as {@code dtype} says. */
    static LlavaGeneration load(HfModelDirectory directory, WeightDtype dtype) {
        LlavaImageEncoder images = LlavaImageEncoder.load(directory);
        return new LlavaGeneration(images, LlamaGeneration.weights(directory, LANGUAGE_PREFIX, dtype), LlamaGeneration.PREFILL_CHUNK);
    }

    /** The decoder's weights. */
    LlamaWeights weights() {
        return language;
    }

    @Override
    public String weightsInMemory() {
        return "decoder " + LlamaGeneration.describe(language) + "; vision tower and projector f32";
    }

    @Override
    public int maxPositions() {
        return language.config().maxPositionEmbeddings();
    }

    @Override
    public int vocabSize() {
        return language.config().vocabSize();
    }

    /** The processor expands each image to image_seq_length copies of image_token_index. */
    @Override
    public Optional<ImageTokens> imageTokens() {
        LlavaConfig config = images.config();
        return Optional.of(new ImageTokens(config.imageTokenIndex(), config.imageSeqLength()));
    }

    @Override
    public Generation start(int[] promptIds, Tensor pixelValues, int capacity) {
        if (promptIds.length == 0) throw new IllegalArgumentException("an empty prompt");
        images.checkImageTokens(promptIds, pixelValues == null ? 0 : pixelValues.dim(0));
        FastDecoder decoder = new FastDecoder(language, 1, capacity);
        float[] embeddings = decoder.embed(promptIds); // (T, C)
        if (pixelValues != null) {
            int width = language.config().hiddenSize(), imageToken = images.config().imageTokenIndex();
            float[] features = images.features(pixelValues).toArray(); // (I·Nv, C)
            // masked_scatter: the k-th image token's row becomes feature row k
            for (int i = 0, k = 0; i < promptIds.length; i++) {
                if (promptIds[i] == imageToken) System.arraycopy(features, k++ * width, embeddings, i * width, width);
            }
        }
        return LlamaGeneration.start(decoder, embeddings, chunk);
    }
}
