package org.seemore.model.projector;

import org.seemore.model.VlmConfig;
import org.seemore.nn.Mlp;
import org.seemore.nn.Params;
import org.seemore.tensor.Tensor;

/**
 * Maps image features into the decoder's embedding space, making them "visual tokens":
 * {@code fc1 (4*D) -> GELU -> fc2 (C)}, applied to each visual row.
 */
public final class Projector {
    private final Mlp mlp;

    public Projector(Params p, VlmConfig config) {
        this.mlp = new Mlp(p, config.visionWidth(), 4 * config.visionWidth(), config.width(), Mlp.Activation.GELU);
    }

    /** (B, Nv, D) -> (B, Nv, C). */
    public Tensor forward(Tensor visual) {
        return mlp.forward(visual);
    }
}
