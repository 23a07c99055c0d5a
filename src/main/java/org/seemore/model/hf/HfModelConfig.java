package org.seemore.model.hf;

import org.seemore.UserException;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The config.json of a Hugging Face model directory: which model class it describes, and that
 * class's config. A CLIP or SigLIP dual encoder contributes its {@code vision_config} (the class
 * defaults when absent).
 */
public record HfModelConfig(Architecture architecture, HfConfig config) {
    public static final String FILE = "config.json";

    /** Reads {@code directory}/config.json. */
    public static HfModelConfig read(Path directory) {
        Path file = directory.resolve(FILE);
        if (!Files.isRegularFile(file)) {
            throw new UserException(directory + ": no " + FILE + " (a Hugging Face model directory holds config.json and model.safetensors)");
        }
        return readFile(file);
    }

    /** Reads a config.json of any name (e.g. a model's shape kept for benchmarks); a missing file is one line naming it. */
    public static HfModelConfig readFile(Path file) {
        if (!Files.isRegularFile(file)) throw new UserException(file + ": no such config file");
        ConfigJson json = ConfigJson.read(file);
        Architecture architecture = Architecture.detect(json);
        HfConfig config = switch (architecture) {
            case LLAMA -> DecoderConfig.read(json, DecoderConfig.Family.LLAMA);
            case QWEN2 -> DecoderConfig.read(json, DecoderConfig.Family.QWEN2);
            case MIXTRAL -> DecoderConfig.read(json, DecoderConfig.Family.MIXTRAL);
            case CLIP_VISION -> VisionConfig.read(json, VisionConfig.Family.CLIP);
            case SIGLIP_VISION -> VisionConfig.read(json, VisionConfig.Family.SIGLIP);
            case CLIP -> VisionConfig.read(visionConfigOf(json), VisionConfig.Family.CLIP);
            case SIGLIP -> VisionConfig.read(visionConfigOf(json), VisionConfig.Family.SIGLIP);
            case LLAVA -> LlavaConfig.read(json);
        };
        return new HfModelConfig(architecture, config);
    }

    private static ConfigJson visionConfigOf(ConfigJson json) {
        return json.child("vision_config").orElseGet(() -> json.absent("vision_config", java.util.Map.of()));
    }
}
