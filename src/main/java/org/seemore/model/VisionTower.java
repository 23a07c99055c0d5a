package org.seemore.model;

import org.seemore.nn.Params;
import org.seemore.tensor.Tensor;

/**
 * The first part of a vision-language model: images to feature rows, the rows that become visual
 * tokens (after the {@link Projector}). The seemore ViT is one implementation; a CLIP or SigLIP
 * tower is another, with its own {@link Config}.
 */
public interface VisionTower {

    /** A vision tower's hyper-parameters, and the tower they describe. */
    interface Config {
        /** Input images are imageSize x imageSize RGB. */
        int imageSize();

        /** The width D of a feature row. */
        int featureWidth();

        /** Feature rows per image, Nv: the number of visual tokens. */
        int featureRows();

        /** A tower with fresh weights, its parameters created under {@code params}. */
        VisionTower build(Params params);
    }

    Config config();

    /** images (B, 3, S, S) -> feature rows (B, Nv, D). */
    Tensor encode(Tensor images, ForwardContext ctx);
}
