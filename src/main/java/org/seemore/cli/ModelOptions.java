package org.seemore.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.seemore.UserException;
import org.seemore.model.Presets;
import org.seemore.model.VlmConfig;
import picocli.CommandLine.Option;

/** Which model to build: a named preset or a JSON config file (the reference's config names). */
public final class ModelOptions {
    @Option(names = "--preset", paramLabel = "NAME", description = "tiny, small or seemore (default: ${DEFAULT-VALUE}).", defaultValue = Presets.DEFAULT)
    String preset;

    @Option(names = "--config", paramLabel = "FILE.json", description = "A model config (img_size, patch_size, vit_dim, ...); overrides --preset.")
    Path config;

    /** The flag that names the model, for messages: {@code --preset small} or {@code --config FILE}. */
    String name() {
        return config != null ? "--config " + config : "--preset " + preset;
    }

    /** The config with the given vocabulary size. */
    VlmConfig config(int vocabSize) {
        return baseConfig().withVocabSize(vocabSize);
    }

    /** The config before the vocabulary is known (vocab_size is a placeholder). */
    VlmConfig baseConfig() {
        if (config != null) {
            String json;
            try {
                json = Files.readString(config);
            } catch (IOException e) {
                throw new UserException("--config " + config + ": cannot read: " + e.getMessage());
            }
            try {
                return VlmConfig.fromJson(json, 4);
            } catch (IllegalArgumentException e) {
                throw new UserException("--config " + config + ": " + e.getMessage());
            }
        }
        try {
            return Presets.get(preset, 4);
        } catch (IllegalArgumentException e) {
            throw new UserException("--preset: " + e.getMessage());
        }
    }
}
