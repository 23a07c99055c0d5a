package org.seemore.model.vision;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;
import org.seemore.model.TensorSizes;
import org.seemore.model.VisionTower;
import org.seemore.nn.Params;

/**
 * The ViT's hyper-parameters, immutable and validated. Messages use the reference's config names,
 * as a user wrote them in config.json.
 *
 * @param imageSize   input images are imageSize x imageSize RGB
 * @param patchSize   the patch (conv kernel = stride)
 * @param width       embedding width D
 * @param heads       attention heads
 * @param layers      blocks
 * @param imageTokens which encoded rows become visual tokens
 */
public record VitConfig(int imageSize, int patchSize, int width, int heads, int layers, ImageTokens imageTokens)
        implements VisionTower.Config {

    /** Which rows of the encoder's output become the decoder's visual tokens. */
    public enum ImageTokens {
        /** Row 0, the CLS token: one visual token (the original seemore). */
        CLS,
        /** Every patch row (as LLaVA does). */
        PATCHES;

        @JsonValue
        public String json() { return name().toLowerCase(Locale.ROOT); }

        @JsonCreator
        public static ImageTokens parse(String s) {
            return switch (s.toLowerCase(Locale.ROOT)) {
                case "cls" -> CLS;
                case "patches" -> PATCHES;
                default -> throw new IllegalArgumentException("image_tokens must be \"cls\" or \"patches\", got \"" + s + "\"");
            };
        }
    }

    public VitConfig {
        positive("img_size", imageSize);
        positive("patch_size", patchSize);
        positive("vit_dim", width);
        positive("vit_heads", heads);
        positive("vit_layers", layers);
        if (imageSize % patchSize != 0) throw new IllegalArgumentException("img_size " + imageSize + " must be a multiple of patch_size " + patchSize);
        if (width % heads != 0) throw new IllegalArgumentException("vit_dim " + width + " must be divisible by vit_heads " + heads);
        if (imageTokens == null) throw new IllegalArgumentException("image_tokens must be \"cls\" or \"patches\"");
        long grid = imageSize / patchSize, d = width;
        TensorSizes.fits("img_size " + imageSize + " with patch_size " + patchSize + " makes the vision position table", grid * grid + 1, d);
        TensorSizes.fits("patch_size " + patchSize + " makes the patch embedding", d, 3L * patchSize * patchSize);
        TensorSizes.fits("vit_dim " + width + " makes each vision MLP weight", 4 * d, d);
    }

    private static void positive(String name, int v) {
        if (v <= 0) throw new IllegalArgumentException(name + " must be positive, got " + v);
    }

    /** Patches per image, N = (img_size / patch_size)^2. */
    public int numPatches() {
        int grid = imageSize / patchSize;
        return grid * grid;
    }

    @Override
    public int featureWidth() { return width; }

    @Override
    public int featureRows() { return imageTokens == ImageTokens.CLS ? 1 : numPatches(); }

    @Override
    public VisionEncoder build(Params params) { return new VisionEncoder(params, this); }

    public VitConfig withImageSize(int size) { return new VitConfig(size, patchSize, width, heads, layers, imageTokens); }

    public VitConfig withHeads(int h) { return new VitConfig(imageSize, patchSize, width, h, layers, imageTokens); }

    public VitConfig withImageTokens(ImageTokens t) { return new VitConfig(imageSize, patchSize, width, heads, layers, t); }
}
