package org.seemore.generate.hf;

import java.nio.file.Path;
import java.util.function.BiFunction;
import org.seemore.UserException;
import org.seemore.model.ModelDirectory;
import org.seemore.model.hf.Architecture;
import org.seemore.model.hf.HfModelDirectory;

/**
 * Which model directories are Hugging Face ones, and the {@link HfLanguageModel} that runs each
 * architecture: the one place a new family is added.
 */
public final class HfModels {
    private HfModels() {}

    /**
     * True when {@code dir}'s config.json names a Hugging Face model class ({@code architectures} or
     * {@code model_type}); seemore's own config.json has neither. A directory without a readable
     * config.json is not one (the caller's own loader then says what is wrong).
     */
    public static boolean isHuggingFace(Path dir) {
        return ModelDirectory.isHuggingFace(dir);
    }

    /** Whether an architecture reads images (a vision-language model). */
    public static boolean readsImages(Architecture architecture) {
        return architecture == Architecture.LLAVA;
    }

    /** The model of {@code directory}, weights loaded as stored ({@link WeightDtype#AUTO}). */
    public static HfLanguageModel load(HfModelDirectory directory) {
        return load(directory, WeightDtype.AUTO);
    }

    /** The model of {@code directory}, the decoder's matrices held as {@code dtype} says. */
    public static HfLanguageModel load(HfModelDirectory directory, WeightDtype dtype) {
        return loader(directory).apply(directory, dtype);
    }

    /**
     * How to load {@code directory}'s model, or a one-line refusal when seemore cannot generate with
     * its architecture; cheap, so that a session refuses before reading tokenizers and weights.
     * A new family adds its line here with its own {@link HfLanguageModel}. Decoders, dense or with
     * experts, run on the inference path ({@link LlamaGeneration}, {@link org.seemore.model.llama.FastDecoder}).
     */
    static BiFunction<HfModelDirectory, WeightDtype, HfLanguageModel> loader(HfModelDirectory directory) {
        Architecture architecture = directory.architecture();
        return switch (architecture) {
            case LLAMA, QWEN2, MIXTRAL -> LlamaGeneration::load;
            case LLAVA -> LlavaGeneration::load;
            case CLIP, CLIP_VISION, SIGLIP, SIGLIP_VISION -> throw new UserException(directory.directory() + ": " + architecture.className
                    + " is a vision encoder alone and cannot generate text; give a LLaVA, Llama, Qwen2 or Mixtral checkpoint");
        };
    }
}
