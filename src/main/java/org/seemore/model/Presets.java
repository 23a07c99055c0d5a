package org.seemore.model;

import java.util.List;
import org.seemore.model.VlmConfig.ImageTokens;

/** The named model sizes. The vocabulary size is filled in from the tokenizer when training starts. */
public final class Presets {
    private Presets() {}

    public static final List<String> NAMES = List.of("tiny", "small", "seemore");

    /**
     * @param name       tiny (tests), small (the demo) or seemore (the original's hyper-parameters)
     * @param vocabSize  the tokenizer's vocabulary
     */
    public static VlmConfig get(String name, int vocabSize) {
        return switch (name) {
            // the original seemore: 96x96 images, patch 16, ViT 512 x 8 heads x 3 blocks,
            // projector 512 -> 2048 -> 128, decoder 128 x 8 heads x 8 layers, 8 experts top-2
            case "seemore" -> new VlmConfig(96, 16, 512, 8, 3, 128, 8, 8, 8, 2, vocabSize, 1000,
                    ImageTokens.CLS, 0.01, 0, 0, 0.1);
            // the demo's: 48x48 images in 16x16 patches, so that each visual token is one cell of the
            // synthetic scenes' 3x3 grid; every patch row is a visual token (as LLaVA does)
            case "small" -> new VlmConfig(48, 16, 96, 4, 2, 64, 4, 2, 8, 2, vocabSize, 128,
                    ImageTokens.PATCHES, 0.01, 0, 0, 0.0);
            case "tiny" -> new VlmConfig(32, 8, 64, 4, 2, 32, 4, 2, 4, 2, vocabSize, 128,
                    ImageTokens.CLS, 0.01, 0, 0, 0.0);
            default -> throw new IllegalArgumentException("unknown preset '" + name + "'; choose one of " + NAMES);
        };
    }
}
