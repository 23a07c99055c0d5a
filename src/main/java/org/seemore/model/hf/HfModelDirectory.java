package org.seemore.model.hf;

import org.seemore.UserException;
import org.seemore.io.SafetensorsCheckpoint;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A Hugging Face model directory, opened and checked: config.json parsed, generation_config.json if
 * there is one, the safetensors weights mapped (single file or shards) and compared with the
 * config's {@link TensorLayout}, so a model built from it finds every tensor it asks for, in the
 * right shape. Opening maps the files and reads their headers only; weights are read when a model
 * asks for them.
 */
public record HfModelDirectory(Path directory, HfModelConfig config, Optional<GenerationConfig> generationConfig,
                               SafetensorsCheckpoint weights, TensorLayout layout) {

    /** Opens {@code directory}; every problem is one {@link UserException} line naming the file. */
    public static HfModelDirectory open(Path directory) {
        if (!Files.isDirectory(directory)) throw new UserException(directory + ": no such model directory");
        HfModelConfig config = HfModelConfig.read(directory);
        Optional<GenerationConfig> generation = GenerationConfig.read(directory);
        SafetensorsCheckpoint weights = SafetensorsCheckpoint.open(directory);
        TensorLayout layout = TensorNames.layout(config);
        layout.check(weights, HfModelConfig.FILE + " (" + config.architecture().className + ")");
        return new HfModelDirectory(directory, config, generation, weights, layout);
    }

    public Architecture architecture() {
        return config.architecture();
    }

    /** The decoder's config: the model's own, or a LLaVA model's text_config; empty for a vision tower. */
    public Optional<DecoderConfig> decoder() {
        return switch (config.config()) {
            case DecoderConfig d -> Optional.of(d);
            case LlavaConfig l -> Optional.of(l.text());
            case VisionConfig v -> Optional.empty();
        };
    }

    /** The ids that end generation: generation_config.json's, else config.json's (as transformers falls back). */
    public List<Integer> eosTokenIds() {
        if (generationConfig.isPresent() && !generationConfig.get().eosTokenIds().isEmpty()) return generationConfig.get().eosTokenIds();
        return decoder().map(DecoderConfig::eosTokenIds).orElse(List.of());
    }

    /** The id that starts generation, from generation_config.json, else config.json. */
    public OptionalInt bosTokenId() {
        if (generationConfig.isPresent() && generationConfig.get().bosTokenId().isPresent()) return generationConfig.get().bosTokenId();
        return decoder().map(DecoderConfig::bosTokenId).orElse(OptionalInt.empty());
    }
}
