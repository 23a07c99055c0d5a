package org.seemore.model;

import java.util.List;
import org.seemore.model.decoder.DecoderConfig;
import org.seemore.model.moe.MoeConfig;
import org.seemore.model.projector.MlpProjectorConfig;
import org.seemore.model.vision.VitConfig;
import org.seemore.model.vision.VitConfig.ImageTokens;

/**
 * The named model sizes, the one source of the model's defaults (the CLI's included). The
 * vocabulary size is filled in from the tokenizer when training starts.
 */
public final class Presets {
    private Presets() {}

    public static final String TINY = "tiny";
    public static final String SMALL = "small";
    public static final String SEEMORE = "seemore";
    /** The preset that {@code seemore train} uses unless told otherwise. */
    public static final String DEFAULT = SMALL;
    public static final List<String> NAMES = List.of(TINY, SMALL, SEEMORE);

    /**
     * @param name       tiny (tests), small (the demo) or seemore (the original's hyper-parameters)
     * @param vocabSize  the tokenizer's vocabulary
     */
    public static VlmConfig get(String name, int vocabSize) {
        return switch (name) {
            // the original seemore: 96x96 images, patch 16, ViT 512 x 8 heads x 3 blocks,
            // projector 512 -> 2048 -> 128, decoder 128 x 8 heads x 8 layers, 8 experts top-2
            case SEEMORE -> new VlmConfig(
                    new VitConfig(96, 16, 512, 8, 3, ImageTokens.CLS),              // image, patch, width, heads, layers, tokens
                    MlpProjectorConfig.DEFAULT,
                    new DecoderConfig(128, 8, 8, vocabSize, 1000, MoeConfig.of(8, 2)), // width, heads, layers, vocab, positions
                    0.1);
            // the demo's: 48x48 images in 16x16 patches, so that each visual token is one cell of the
            // synthetic scenes' 3x3 grid; every patch row is a visual token (as LLaVA does)
            case SMALL -> new VlmConfig(
                    new VitConfig(48, 16, 96, 4, 2, ImageTokens.PATCHES),
                    MlpProjectorConfig.DEFAULT,
                    new DecoderConfig(64, 4, 2, vocabSize, 128, MoeConfig.of(8, 2)),
                    0.0);
            case TINY -> new VlmConfig(
                    new VitConfig(32, 8, 64, 4, 2, ImageTokens.CLS),
                    MlpProjectorConfig.DEFAULT,
                    new DecoderConfig(32, 4, 2, vocabSize, 128, MoeConfig.of(4, 2)),
                    0.0);
            default -> throw new IllegalArgumentException("unknown preset '" + name + "'; choose one of " + NAMES);
        };
    }
}
