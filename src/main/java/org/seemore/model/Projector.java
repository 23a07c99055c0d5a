package org.seemore.model;

import org.seemore.nn.Params;
import org.seemore.tensor.Tensor;

/**
 * The middle part of a vision-language model: feature rows of the {@link VisionTower} to visual
 * tokens in the {@link LanguageModel}'s embedding space. Its input and output widths are its
 * neighbours'; its {@link Config} holds only its own choices (as LLaVA's and nanoVLM's projectors).
 */
public interface Projector {

    /** A projector's hyper-parameters, and the projector they describe between two widths. */
    interface Config {
        /** A projector from {@code inputWidth} (the tower's D) to {@code outputWidth} (the model's C), with fresh weights. */
        Projector build(Params params, int inputWidth, int outputWidth);
    }

    /** features (B, Nv, D) -> visual tokens (B, Nv, C). */
    Tensor forward(Tensor features);
}
